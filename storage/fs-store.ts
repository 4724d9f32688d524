/**
 * The filesystem backend: a folder on a local or shared (NFS) filesystem. `put` writes a
 * temporary file, fsyncs it and renames it into place; `putIfAbsent` hard-links the temporary
 * file into place, which fails with EEXIST for every writer but one (also over NFS).
 * Temporary files live in `tmpDir`, on the same filesystem so rename and link stay atomic.
 * The SHA-256 `putFile` records lives in a hidden sidecar beside the file (`.<name>.sha256`,
 * never listed), valid only for the inode and mtime it was written for: a file replaced by
 * `put` has a new inode, so a stale sidecar is ignored rather than mistaken for corruption.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fsyncDir, isCode, publishExclusive, replaceFile, tempPath, writeAll } from './fs-durable';
import { ObjectCorruptError, ObjectNotFoundError } from './errors';
import { checkKey, checkListPrefix, checkPrefix } from './keys';
import type { BlobUpload, ObjectInfo, ObjectStore, PutFileOptions, StoredFile } from './object-store';
import { isSha256 } from './transfer';

export interface FsObjectStoreOptions {
  /** Where temporary files go; default `<root>/.tmp`. Never listed. */
  readonly tmpDir?: string;
}

function infoOf(key: string, st: fs.Stats): ObjectInfo {
  return { key, size: st.size, etag: `${st.size.toString(16)}-${Math.round(st.mtimeMs).toString(16)}-${st.ino.toString(16)}`, mtimeMs: st.mtimeMs };
}

/** The hidden sidecar of `file` holding its recorded SHA-256. */
const sidecarOf = (file: string): string => path.join(path.dirname(file), `.${path.basename(file)}.sha256`);
const isSidecar = (name: string): boolean => name.startsWith('.') && name.endsWith('.sha256');

interface Sidecar {
  readonly ino: number;
  /** Whole milliseconds (what a `utimes` round trip keeps). */
  readonly mtimeMs: number;
  readonly sha256: string;
}

/** Copy `from` to the new file `to`, hashing the bytes on the way; fsynced. Returns the size and SHA-256. */
async function copyHashing(from: string, to: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  const out = await fs.promises.open(to, 'wx');
  let size = 0;
  try {
    for await (const chunk of fs.createReadStream(from, { highWaterMark: 1024 ** 2 })) {
      const c = chunk as Buffer;
      hash.update(c);
      await out.write(c, 0, c.length, size);
      size += c.length;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return { size, sha256: hash.digest('hex') };
}

export class FsObjectStore implements ObjectStore {
  readonly root: string;
  readonly tmpDir: string;

  constructor(root: string, options: FsObjectStoreOptions = {}) {
    this.root = path.resolve(root);
    this.tmpDir = path.resolve(options.tmpDir ?? path.join(this.root, '.tmp'));
  }

  get url(): string {
    return pathToFileURL(this.root).href;
  }

  /** The absolute path of `key` (validated: it cannot leave the root). */
  pathOf(key: string): string {
    return path.join(this.root, ...checkKey(key).split('/'));
  }

  describe(key: string): string {
    return this.pathOf(key);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fs.promises.readFile(this.pathOf(key));
    } catch (e) {
      throw this.mapMissing(e, key);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.pathOf(key), 'r');
    } catch (e) {
      throw this.mapMissing(e, key);
    }
    try {
      const out = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === length ? out : out.subarray(0, done);
    } finally {
      await handle.close();
    }
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.pathOf(key), 'r');
    } catch (e) {
      throw this.mapMissing(e, key);
    }
    return handle.createReadStream({ autoClose: true });
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const file = this.pathOf(key);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch (e) {
      if (isCode(e, 'ENOENT', 'ENOTDIR')) return null;
      throw e;
    }
    if (!st.isFile()) return null;
    const sha256 = await this.recorded(file, st);
    return { ...infoOf(key, st), ...(sha256 ? { sha256 } : {}) };
  }

  /** The SHA-256 recorded for `file` when the sidecar describes this very file (inode and mtime), else undefined. */
  private async recorded(file: string, st: fs.Stats): Promise<string | undefined> {
    try {
      const s = JSON.parse(await fs.promises.readFile(sidecarOf(file), 'utf8')) as Partial<Sidecar>;
      return s.ino === st.ino && s.mtimeMs === Math.round(st.mtimeMs) && isSha256(s.sha256) ? s.sha256 : undefined;
    } catch {
      return undefined;
    }
  }

  async put(key: string, bytes: Uint8Array | string): Promise<void> {
    const target = this.pathOf(key);
    this.ensureDirs(target);
    replaceFile(this.tmpDir, target, bytes);
    return Promise.resolve();
  }

  async putIfAbsent(key: string, bytes: Uint8Array | string): Promise<boolean> {
    const target = this.pathOf(key);
    this.ensureDirs(target);
    return Promise.resolve(publishExclusive(this.tmpDir, target, bytes));
  }

  upload(key: string): BlobUpload {
    const target = this.pathOf(key);
    this.ensureDirs(target);
    const tmp = tempPath(this.tmpDir, `${path.extname(key)}.tmp`);
    const fd = fs.openSync(tmp, 'wx');
    let open = true;
    const close = (): void => {
      if (open) fs.closeSync(fd);
      open = false;
    };
    return {
      key,
      write: (bytes) => writeAll(fd, bytes),
      finish: () => {
        try {
          fs.fsyncSync(fd);
        } finally {
          close();
        }
        fs.renameSync(tmp, target);
        fsyncDir(path.dirname(target));
        return Promise.resolve();
      },
      abort: async () => {
        close();
        await fs.promises.rm(tmp, { force: true });
      },
    };
  }

  async putFile(key: string, file: string, options: PutFileOptions = {}): Promise<StoredFile> {
    const target = this.pathOf(key);
    this.ensureDirs(target);
    const tmp = tempPath(this.tmpDir, `${path.extname(key)}.tmp`);
    let stored: StoredFile;
    try {
      if (options.sha256 === undefined) stored = await copyHashing(file, tmp);
      else {
        await fs.promises.copyFile(file, tmp);
        const handle = await fs.promises.open(tmp, 'r+');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        stored = { size: (await fs.promises.stat(tmp)).size, sha256: options.sha256 };
      }
      // The sidecar first, for the inode the rename publishes: a crash in between leaves a sidecar of an unpublished inode (ignored).
      const st = await fs.promises.stat(tmp);
      replaceFile(this.tmpDir, sidecarOf(target), JSON.stringify({ ino: st.ino, mtimeMs: Math.round(st.mtimeMs), sha256: stored.sha256 } satisfies Sidecar));
      await fs.promises.rename(tmp, target);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
    fsyncDir(path.dirname(target));
    return stored;
  }

  async getFile(key: string, file: string): Promise<ObjectInfo & { readonly sha256: string }> {
    const dir = path.dirname(path.resolve(file));
    await fs.promises.mkdir(dir, { recursive: true });
    let why = '';
    for (let tries = 0; tries < 2; tries++) {
      const info = await this.head(key);
      if (!info) throw new ObjectNotFoundError(key, this.describe(key));
      const tmp = tempPath(dir, '.download.tmp');
      try {
        const got = await copyHashing(this.pathOf(key), tmp);
        if (info.sha256 !== undefined && got.sha256 !== info.sha256)
          why = `its bytes hash to sha256 ${got.sha256}, but ${info.sha256} was recorded when it was written`;
        else {
          await fs.promises.rename(tmp, file);
          return { ...info, sha256: got.sha256 };
        }
      } catch (e) {
        throw this.mapMissing(e, key);
      } finally {
        await fs.promises.rm(tmp, { force: true });
      }
    }
    throw new ObjectCorruptError(key, this.describe(key), `${why} (read twice)`);
  }

  async list(prefix = ''): Promise<ObjectInfo[]> {
    checkListPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash + 1);
    const out: ObjectInfo[] = [];
    const walk = async (rel: string): Promise<void> => {
      const dir = path.join(this.root, ...rel.split('/').filter(Boolean));
      if (path.resolve(dir) === this.tmpDir) return;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isCode(e, 'ENOENT', 'ENOTDIR')) return;
        throw e;
      }
      for (const entry of entries) {
        const key = `${rel}${entry.name}`;
        if (entry.isDirectory()) {
          if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(`${key}/`);
        } else if (entry.isFile() && key.startsWith(prefix) && !isSidecar(entry.name)) {
          try {
            out.push(infoOf(key, await fs.promises.stat(path.join(dir, entry.name))));
          } catch (e) {
            if (!isCode(e, 'ENOENT')) throw e;
          }
        }
      }
    };
    await walk(base);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await fs.promises.rm(file, { force: true });
    await fs.promises.rm(sidecarOf(file), { force: true });
  }

  async sweepTemporaries(cutoffMs: number): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.tmpDir);
    } catch (e) {
      if (isCode(e, 'ENOENT')) return [];
      throw e;
    }
    const removed: string[] = [];
    for (const name of names) {
      const file = path.join(this.tmpDir, name);
      try {
        if ((await fs.promises.stat(file)).mtimeMs > cutoffMs) continue;
      } catch (e) {
        if (isCode(e, 'ENOENT')) continue;
        throw e;
      }
      await fs.promises.rm(file, { force: true });
      removed.push(path.relative(this.root, file).split(path.sep).join('/'));
    }
    return removed;
  }

  sub(prefix: string): FsObjectStore {
    const p = checkPrefix(prefix);
    return new FsObjectStore(p === '' ? this.root : path.join(this.root, ...p.split('/').filter(Boolean)), { tmpDir: this.tmpDir });
  }

  private ensureDirs(target: string): void {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  private mapMissing(e: unknown, key: string): unknown {
    return isCode(e, 'ENOENT', 'ENOTDIR', 'EISDIR') ? new ObjectNotFoundError(key, this.describe(key)) : e;
  }
}

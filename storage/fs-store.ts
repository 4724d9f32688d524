/**
 * The filesystem backend: a folder on a local or shared (NFS) filesystem. `put` writes a
 * temporary file, fsyncs it and renames it into place; `putIfAbsent` hard-links the temporary
 * file into place, which fails with EEXIST for every writer but one (also over NFS).
 * Temporary files live in `tmpDir`, on the same filesystem so rename and link stay atomic.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fsyncDir, isCode, publishExclusive, replaceFile, tempPath, writeAll } from './fs-durable';
import { ObjectNotFoundError } from './errors';
import { checkKey, checkListPrefix, checkPrefix } from './keys';
import type { BlobUpload, ObjectInfo, ObjectStore } from './object-store';

export interface FsObjectStoreOptions {
  /** Where temporary files go; default `<root>/.tmp`. Never listed. */
  readonly tmpDir?: string;
}

function infoOf(key: string, st: fs.Stats): ObjectInfo {
  return { key, size: st.size, etag: `${st.size.toString(16)}-${Math.round(st.mtimeMs).toString(16)}-${st.ino.toString(16)}`, mtimeMs: st.mtimeMs };
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
    try {
      const st = await fs.promises.stat(this.pathOf(key));
      return st.isFile() ? infoOf(key, st) : null;
    } catch (e) {
      if (isCode(e, 'ENOENT', 'ENOTDIR')) return null;
      throw e;
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

  async putFile(key: string, file: string): Promise<void> {
    const target = this.pathOf(key);
    this.ensureDirs(target);
    const tmp = tempPath(this.tmpDir, `${path.extname(key)}.tmp`);
    try {
      await fs.promises.copyFile(file, tmp);
      const handle = await fs.promises.open(tmp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.rename(tmp, target);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
    fsyncDir(path.dirname(target));
  }

  async getFile(key: string, file: string): Promise<ObjectInfo> {
    const info = await this.head(key);
    if (!info) throw new ObjectNotFoundError(key, this.describe(key));
    await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const tmp = tempPath(path.dirname(path.resolve(file)), '.download.tmp');
    try {
      await fs.promises.copyFile(this.pathOf(key), tmp);
      await fs.promises.rename(tmp, file);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw this.mapMissing(e, key);
    }
    return info;
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
        } else if (entry.isFile() && key.startsWith(prefix)) {
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
    await fs.promises.rm(this.pathOf(key), { force: true });
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

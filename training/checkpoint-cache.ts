/**
 * A GPU worker's local cache of the checkpoints it writes and fetches, when they live in object
 * storage: a checkpoint written on this machine is read back from here without a download, and
 * one fetched once is not fetched again while it stays. The checksum is the validity test: an
 * entry is used only when the SHA-256 recorded beside it equals the one the object carries (a
 * rewritten object has another), and its bytes are hashed again on use.
 *
 * Layout under `root` (the worker's checkpoint folder, `<MSELECT_DATA>/checkpoints`): the files
 * at their keys (`runs/<run>/epoch-N.ckpt`, where the command trainers write them too), a marker
 * per entry in `.entries/<key>.json` ({ size, sha256 }, written after the file), pins in `.pins/`
 * and an append-only log of bucket fetches in `.fetches.jsonl`.
 *
 * Bounded by `maxBytes` (the sum of entry sizes), least recently used first (a use touches the
 * file's mtime). Never evicted: an entry pinned by a live process (a fine-tune resuming from it,
 * a read in progress); a pin names its process id, so a crashed process's pins expire with it.
 * Safe under concurrent fine-tunes: one download per key in a process, downloads to a temporary
 * file renamed into place (two processes sharing the folder both get whole files), and markers
 * written atomically after their file.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../hub/files';
import { checkKey, ObjectNotFoundError, sha256File, isSha256, type ObjectStore } from '../storage';

const ENTRIES = '.entries';
const PINS = '.pins';
const FETCH_LOG = '.fetches.jsonl';

/** 20 GB: fifteen BERT-base-sized checkpoints (weights and Adam state), five of a ViT-L. */
export const DEFAULT_CHECKPOINT_CACHE_BYTES = 20e9;

export interface CheckpointCacheStats {
  /** Checkpoints read from the cache without a download. */
  readonly hits: number;
  /** Checkpoints downloaded from the bucket. */
  readonly fetches: number;
  /** Bytes downloaded from the bucket by this process. */
  readonly bytesFetched: number;
  /** Bytes of entries evicted by this process. */
  readonly bytesEvicted: number;
}

interface Marker {
  readonly size: number;
  readonly sha256: string;
}

/** What `fetch` hands back: the local file, the SHA-256 it must have, and whether it came from the bucket. */
export interface CachedFile {
  readonly file: string;
  readonly sha256: string;
  readonly size: number;
  readonly fetched: boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class CheckpointCache {
  private readonly inFlight = new Map<string, Promise<CachedFile>>();
  private readonly myPins = new Map<string, number>();
  private stat = { hits: 0, fetches: 0, bytesFetched: 0, bytesEvicted: 0 };

  constructor(
    readonly root: string,
    readonly maxBytes: number = DEFAULT_CHECKPOINT_CACHE_BYTES,
  ) {}

  /** The local file of `key`. */
  pathOf(key: string): string {
    return path.join(this.root, ...checkKey(key).split('/'));
  }

  private markerOf(key: string): string {
    return path.join(this.root, ENTRIES, ...`${key}.json`.split('/'));
  }

  /** This process's counters. */
  stats(): CheckpointCacheStats {
    return { ...this.stat };
  }

  /** Bytes fetched from the bucket by every process sharing this folder (its fetch log). */
  async bytesFetchedByAll(): Promise<number> {
    const text = await fs.readFile(path.join(this.root, FETCH_LOG), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .reduce((n, l) => n + ((JSON.parse(l) as { bytes?: number }).bytes ?? 0), 0);
  }

  /**
   * Keep `key` from eviction (by any process sharing the folder) until the returned function
   * is called. Pin before fetching or writing, release after the last read.
   */
  async pin(key: string): Promise<() => Promise<void>> {
    const file = path.join(this.root, PINS, `${process.pid}.${randomBytes(6).toString('hex')}`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, key);
    this.myPins.set(key, (this.myPins.get(key) ?? 0) + 1);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const n = (this.myPins.get(key) ?? 1) - 1;
      if (n > 0) this.myPins.set(key, n);
      else this.myPins.delete(key);
      await fs.rm(file, { force: true });
    };
  }

  /** A fresh temporary path inside the cache (same filesystem as the entries, so `commit` is a rename). */
  async stagingPath(key: string): Promise<string> {
    const dir = path.join(this.root, '.staging');
    await fs.mkdir(dir, { recursive: true });
    return path.join(dir, `${process.pid}-${randomBytes(8).toString('hex')}${path.extname(key)}.tmp`);
  }

  /**
   * Make `file` (written by this worker, already stored in the bucket with `sha256`) the entry
   * of `key`: moved into place unless it is already there, then the marker, then eviction.
   */
  async commit(key: string, file: string, sha256: string): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    if (path.resolve(file) !== target) await fs.rename(file, target);
    const { size } = await fs.stat(target);
    await writeFileAtomic(this.markerOf(key), JSON.stringify({ size, sha256 } satisfies Marker));
    await this.evict();
  }

  /**
   * The local file of `key` in `objects`: the cached entry when its recorded SHA-256 equals the
   * object's (and, with `verify`, its bytes still hash to it), else a download into the cache
   * (`getFile` checks the bytes against the object's SHA-256). Pin `key` first. Throws
   * ObjectNotFoundError when the object is gone, whatever the cache holds.
   */
  async fetch(key: string, objects: ObjectStore, options: { verify?: boolean } = {}): Promise<CachedFile> {
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.load(key, objects, options.verify ?? true).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  private async load(key: string, objects: ObjectStore, verify: boolean): Promise<CachedFile> {
    const file = this.pathOf(key);
    const info = await objects.head(key);
    if (!info) throw new ObjectNotFoundError(key, objects.describe(key));
    const marker = await this.marker(key);
    if (marker && info.sha256 !== undefined && marker.sha256 === info.sha256 && marker.size === info.size) {
      const st = await fs.stat(file).catch(() => null);
      if (st?.size === marker.size && (!verify || (await sha256File(file)) === marker.sha256)) {
        const now = new Date();
        await fs.utimes(file, now, now).catch(() => undefined);
        this.stat.hits += 1;
        return { file, sha256: marker.sha256, size: marker.size, fetched: false };
      }
    }
    await fs.rm(this.markerOf(key), { force: true });
    await fs.mkdir(path.dirname(file), { recursive: true });
    const got = await objects.getFile(key, file);
    this.stat.fetches += 1;
    this.stat.bytesFetched += got.size;
    await fs.appendFile(path.join(this.root, FETCH_LOG), `${JSON.stringify({ key, bytes: got.size, pid: process.pid, at: new Date().toISOString() })}\n`);
    await writeFileAtomic(this.markerOf(key), JSON.stringify({ size: got.size, sha256: got.sha256 } satisfies Marker));
    await this.evict();
    return { file, sha256: got.sha256, size: got.size, fetched: true };
  }

  /** Drop the entry of `key` (a checkpoint deleted from the bucket, or one found damaged). */
  async remove(key: string): Promise<void> {
    await fs.rm(this.markerOf(key), { force: true });
    await fs.rm(this.pathOf(key), { force: true });
  }

  private async marker(key: string): Promise<Marker | null> {
    try {
      const m = JSON.parse(await fs.readFile(this.markerOf(key), 'utf8')) as Partial<Marker>;
      return typeof m.size === 'number' && isSha256(m.sha256) ? { size: m.size, sha256: m.sha256 } : null;
    } catch {
      return null;
    }
  }

  /** Keys pinned by live processes (this one's from memory; stale pin files of dead processes are removed). */
  private async pinned(): Promise<Set<string>> {
    const out = new Set(this.myPins.keys());
    const dir = path.join(this.root, PINS);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      const pid = Number(name.split('.')[0]);
      if (pid === process.pid) continue;
      if (!Number.isInteger(pid) || !alive(pid)) {
        await fs.rm(path.join(dir, name), { force: true });
        continue;
      }
      const key = await fs.readFile(path.join(dir, name), 'utf8').catch(() => null);
      if (key !== null) out.add(key);
    }
    return out;
  }

  /** The entries (keys with a marker), with their size and last use. */
  async entries(): Promise<{ key: string; size: number; usedMs: number }[]> {
    const base = path.join(this.root, ENTRIES);
    const out: { key: string; size: number; usedMs: number }[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const e of await fs.readdir(path.join(base, rel), { withFileTypes: true }).catch(() => [])) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(r);
        else if (e.isFile() && r.endsWith('.json')) {
          const key = r.slice(0, -'.json'.length);
          const st = await fs.stat(this.pathOf(key)).catch(() => null);
          if (st) out.push({ key, size: st.size, usedMs: st.mtimeMs });
          else await fs.rm(path.join(base, r), { force: true });
        }
      }
    };
    await walk('');
    return out;
  }

  /** Remove least recently used, unpinned entries until the entries fit in `maxBytes`. Returns the keys removed. */
  async evict(): Promise<string[]> {
    const all = await this.entries();
    let total = all.reduce((n, e) => n + e.size, 0);
    if (total <= this.maxBytes) return [];
    const pinned = await this.pinned();
    const removed: string[] = [];
    for (const e of all.sort((a, b) => a.usedMs - b.usedMs)) {
      if (total <= this.maxBytes) break;
      if (pinned.has(e.key)) continue;
      await this.remove(e.key);
      total -= e.size;
      this.stat.bytesEvicted += e.size;
      removed.push(e.key);
    }
    return removed;
  }
}

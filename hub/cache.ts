/**
 * A GPU worker's private cache of the hub and the datasets when they live in object storage:
 * each object is downloaded once into a local folder (tfjs and the dataset reader need files
 * on disk), verified by size and ETag, and reused by every later epoch and fine-tune. Safe
 * under concurrent fine-tunes in one process (one promise per key) and across processes
 * (downloads go to a temporary file that is renamed into place; the ETag marker is written
 * after the file, atomically).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ObjectInfo, ObjectStore } from '../storage';
import { readJsonIfExists, writeFileAtomic } from './files';
import { CARD_JSON } from './models';
import { MANIFEST_JSON } from './datasets';

/** Where the cache remembers the size and ETag of each file it holds: beside the tree, never inside a model folder. */
const MARKERS = '.etags';

export class ObjectCache {
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Objects downloaded by this process (for tests and logs). */
  downloads = 0;

  constructor(
    private readonly remote: ObjectStore,
    readonly root: string,
  ) {}

  /** The local path of `key`. */
  pathOf(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  /** Make every object under `prefix` present and current locally; resolves when all are. */
  async folder(prefix: string): Promise<void> {
    const infos = await this.remote.list(prefix);
    await Promise.all(infos.map((info) => this.object(info)));
  }

  /** Make the object `key` present and current locally, when it exists remotely. */
  async file(key: string): Promise<boolean> {
    const info = await this.remote.head(key);
    if (info) await this.object(info);
    return info !== null;
  }

  /** One download per key at a time in this process; a second caller waits for the first. */
  private object(info: ObjectInfo): Promise<void> {
    const id = `${info.key}\u0000${info.etag}`;
    let p = this.inFlight.get(id);
    if (!p) {
      p = this.fetch(info).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, p);
    }
    return p;
  }

  private async fetch(info: ObjectInfo): Promise<void> {
    const file = this.pathOf(info.key);
    const marker = path.join(this.root, MARKERS, `${info.key}.json`);
    if (await this.current(file, marker, info)) return;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const got = await this.remote.getFile(info.key, file);
    const size = (await fs.stat(file)).size;
    if (size !== got.size) throw new Error(`${this.remote.describe(info.key)}: downloaded ${size} bytes, the object has ${got.size}`);
    this.downloads += 1;
    await writeFileAtomic(marker, JSON.stringify({ size: got.size, etag: got.etag }));
  }

  private async current(file: string, marker: string, info: ObjectInfo): Promise<boolean> {
    const m = (await readJsonIfExists(marker).catch(() => undefined)) as { size?: number; etag?: string } | undefined;
    if (!m || m.size !== info.size || m.etag !== info.etag) return false;
    const st = await fs.stat(file).catch(() => null);
    return st !== null && st.size === info.size;
  }
}

/** Ids of the top-level folders of `prefix` (e.g. model ids under `hub/`) holding `file`. */
async function idsWith(remote: ObjectStore, prefix: string, file: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const o of await remote.list(prefix)) {
    const rest = o.key.slice(prefix.length).split('/');
    if (rest.length === 2 && rest[1] === file && rest[0]) ids.add(rest[0]);
  }
  return [...ids].sort();
}

/**
 * The hub (`hub/<model>/…`) and datasets (`datasets/<dataset>/…`) of an object store, mirrored
 * into `<cacheRoot>/hub` and `<cacheRoot>/datasets` on demand: the folders the trainers,
 * proxy scores and catalogs read, in the same layout as a local hub.
 */
export class HubMirror {
  readonly cache: ObjectCache;
  readonly hubDir: string;
  readonly datasetsDir: string;

  constructor(
    private readonly remote: ObjectStore,
    cacheRoot: string,
  ) {
    this.cache = new ObjectCache(remote, cacheRoot);
    this.hubDir = path.join(cacheRoot, 'hub');
    this.datasetsDir = path.join(cacheRoot, 'datasets');
  }

  /** Every file of model `id` (model.json, weights, card). */
  model(id: string): Promise<void> {
    return this.cache.folder(`hub/${id}/`);
  }

  /** Every file of dataset `id` (manifest and splits). */
  dataset(id: string): Promise<void> {
    return this.cache.folder(`datasets/${id}/`);
  }

  /** The cards and manifests only (what a catalog reads), for every model and dataset in the store. */
  async catalogue(): Promise<void> {
    const [models, datasets] = await Promise.all([idsWith(this.remote, 'hub/', CARD_JSON), idsWith(this.remote, 'datasets/', MANIFEST_JSON)]);
    await Promise.all([
      ...models.map((m) => this.cache.file(`hub/${m}/${CARD_JSON}`)),
      ...datasets.map((d) => this.cache.file(`datasets/${d}/${MANIFEST_JSON}`)),
    ]);
  }
}

/** Files under `dir`, as '/'-separated paths relative to it (dot-files and temporaries skipped). */
async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name.endsWith('.tmp')) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** Upload a local hub and datasets folder into `hub/` and `datasets/` of `remote`; returns the number of files. */
export async function pushHub(remote: ObjectStore, hubDir: string, datasetsDir: string): Promise<number> {
  let n = 0;
  for (const [dir, prefix] of [
    [hubDir, 'hub'],
    [datasetsDir, 'datasets'],
  ] as const) {
    for (const rel of await filesUnder(dir)) {
      await remote.putFile(`${prefix}/${rel}`, path.join(dir, ...rel.split('/')));
      n += 1;
    }
  }
  return n;
}

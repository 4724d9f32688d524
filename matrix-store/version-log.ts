/**
 * The version log. Version N is the object `versions/N.json` listing the fragments it adds and
 * removes on top of N - 1; it is published with a conditional create (a hard link on a
 * filesystem, `If-None-Match: *` on S3), so of two committers racing for N exactly one
 * succeeds and the other retries on top of the new head. A version's fragment list
 * is the nearest checkpoint at or below it plus the versions after that checkpoint.
 */
import { hostname } from 'node:os';
import { CheckpointSchema, STORE_TABLES, VersionRecordSchema, type FragmentEntry, type VersionRecord } from '../contracts/schemas/store';
import { CommitContentionError, SchemaVersionError, StoreCorruptError, VersionNotFoundError } from './errors';
import { ObjectNotFoundError, type ObjectStore } from '../storage';
import { checkpointKey, listNumbered, versionKey } from './layout';
import { readableSchemaVersion, STORE_SCHEMA_VERSION } from './schema';

/**
 * What a commit adds and removes. An `add` entry whose order is `[0, _]` is new and takes
 * `[version, its index in add]`; a compacted fragment keeps the order of the first fragment it replaces.
 */
export interface Change {
  readonly message: string;
  readonly add: readonly FragmentEntry[];
  readonly remove: readonly string[];
}

/** Fragments sorted as readers must see them: by table, then by commit order. */
export function sortFragments(fragments: Iterable<FragmentEntry>): FragmentEntry[] {
  const table = (f: FragmentEntry): number => STORE_TABLES.indexOf(f.table);
  return [...fragments].sort((a, b) => table(a) - table(b) || a.order[0] - b.order[0] || a.order[1] - b.order[1]);
}

export class VersionLog {
  private readonly records = new Map<number, VersionRecord>();
  private readonly lists = new Map<number, readonly FragmentEntry[]>();

  constructor(
    readonly objects: ObjectStore,
    private readonly checkpointEvery: number,
    private readonly attempts: number,
  ) {}

  /** The newest published version; 0 for an empty store. */
  async head(): Promise<number> {
    const versions = await listNumbered(this.objects, 'versions');
    return versions[versions.length - 1] ?? 0;
  }

  /** Published versions still present, ascending. */
  list(): Promise<number[]> {
    return listNumbered(this.objects, 'versions');
  }

  /** The record of version `v`. Throws VersionNotFound, StoreCorrupt or SchemaVersionMismatch. */
  async record(v: number): Promise<VersionRecord> {
    const cached = this.records.get(v);
    if (cached) return cached;
    const parsed = await readJson(
      this.objects,
      versionKey(v),
      (json) => VersionRecordSchema.safeParse(json),
      async () => new VersionNotFoundError(v, await this.head()),
    );
    this.records.set(v, parsed);
    return parsed;
  }

  /** Every fragment of version `v`, in reader order. Throws like `record`. */
  async fragmentsAt(v: number): Promise<readonly FragmentEntry[]> {
    const cached = this.lists.get(v);
    if (cached) return cached;
    await this.record(v);
    const checkpoints = (await listNumbered(this.objects, 'checkpoints')).filter((c) => c <= v).reverse();
    for (const base of [...checkpoints, 0]) {
      const chain = await this.chain(base + 1, v);
      if (!chain) continue;
      const live = new Map((base > 0 ? await this.checkpoint(base) : []).map((f) => [f.path, f]));
      for (const r of chain) {
        r.remove.forEach((p) => live.delete(p));
        r.add.forEach((f) => live.set(f.path, f));
      }
      const list = sortFragments(live.values());
      this.lists.set(v, list);
      return list;
    }
    throw new StoreCorruptError(this.objects.describe(versionKey(v)), 'manifest', 0, 'neither a checkpoint nor the versions before it are present');
  }

  /**
   * Publish `build(parent)` as version parent + 1, retrying on top of each new head.
   * `build` returns null to give up (e.g. a compaction whose inputs are gone). Returns the
   * version, or null when given up. Throws CommitContentionError after `attempts` lost races.
   */
  async publish(build: (parent: number) => Promise<Change | null>): Promise<number | null> {
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const parent = await this.head();
      const change = await build(parent);
      if (!change) return null;
      const version = parent + 1;
      const record: VersionRecord = {
        format: 'mselect-store-version',
        schemaVersion: STORE_SCHEMA_VERSION,
        version,
        parent,
        createdAt: new Date().toISOString(),
        message: change.message,
        writer: `${hostname()}:${process.pid}`,
        add: change.add.map((f, i) => (f.order[0] === 0 ? { ...f, order: [version, i] as [number, number] } : f)),
        remove: [...change.remove],
      };
      if (await this.objects.putIfAbsent(versionKey(version), JSON.stringify(record))) {
        this.records.set(version, record);
        if (version % this.checkpointEvery === 0) await this.tryCheckpoint(version);
        return version;
      }
      if (attempt > 8) await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt)));
    }
    throw new CommitContentionError(this.attempts);
  }

  /** Drop what this process remembers of versions that `prune` deleted. */
  forget(versions: readonly number[]): void {
    for (const v of versions) {
      this.records.delete(v);
      this.lists.delete(v);
    }
  }

  /** Write the checkpoint of version `v` (idempotent: same content whoever writes it). */
  async writeCheckpoint(v: number): Promise<void> {
    const fragments = await this.fragmentsAt(v);
    const body = { format: 'mselect-store-checkpoint', schemaVersion: STORE_SCHEMA_VERSION, version: v, fragments };
    await this.objects.put(checkpointKey(v), JSON.stringify(body));
  }

  /** A checkpoint only saves reading time: failing to write one must not fail the commit that was published. */
  private async tryCheckpoint(v: number): Promise<void> {
    try {
      await this.writeCheckpoint(v);
    } catch {
      return;
    }
  }

  private async checkpoint(v: number): Promise<readonly FragmentEntry[]> {
    const key = checkpointKey(v);
    const parsed = await readJson(
      this.objects,
      key,
      (json) => CheckpointSchema.safeParse(json),
      () => Promise.resolve(new StoreCorruptError(this.objects.describe(key), 'manifest', 0, 'the checkpoint vanished')),
    );
    return parsed.fragments;
  }

  /** Records `from..to`, or null when one of them is missing (pruned). */
  private async chain(from: number, to: number): Promise<VersionRecord[] | null> {
    const out: VersionRecord[] = [];
    for (let v = from; v <= to; v++) {
      try {
        out.push(await this.record(v));
      } catch (e) {
        if (e instanceof VersionNotFoundError) return null;
        throw e;
      }
    }
    return out;
  }
}

/** Read and validate a JSON manifest object. */
async function readJson<T extends { schemaVersion: number }>(
  objects: ObjectStore,
  key: string,
  parse: (json: unknown) => { success: true; data: T } | { success: false },
  missing: () => Promise<Error>,
): Promise<T> {
  const file = objects.describe(key);
  let text: string;
  try {
    text = (await objects.get(key)).toString('utf8');
  } catch (e) {
    if (e instanceof ObjectNotFoundError) throw await missing();
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StoreCorruptError(file, 'manifest', 0, 'it is not JSON');
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && !readableSchemaVersion(version)) throw new SchemaVersionError(file, version, STORE_SCHEMA_VERSION);
  const result = parse(json);
  if (!result.success) throw new StoreCorruptError(file, 'manifest', 0, 'it does not match the manifest schema');
  return result.data;
}

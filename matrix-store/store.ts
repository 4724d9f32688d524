/**
 * The matrix store: immutable Arrow fragments and numbered versions in an ObjectStore (a
 * folder, or an S3 bucket prefix) that many processes and machines write at once, while
 * readers work on consistent snapshots. See docs/matrix-store.md for the layout and guarantees.
 */
import { OpenStoreOptionsSchema, type OpenStoreOptions, type PruneOptions, type StoreTable } from '../contracts/schemas/store';
import * as path from 'node:path';
import { formatIssues } from '../contracts/parse';
import { FsObjectStore, openStorage, readStorageSettings, type ObjectStore } from '../storage';
import { InvalidStoreInputError, type StoreCorruptError } from './errors';
import { FragmentSource, type OnCorrupt } from './fragment-source';
import { verifyFile } from './fragment-read';
import { ensureLayout, ensureLayoutOn, resolveStoreDir } from './layout';
import { compact, prune, type CompactResult, type PruneResult } from './maintenance';
import { Snapshot } from './snapshot';
import { VersionLog } from './version-log';
import { Writer } from './writer';

/** One published version as `versions()` lists it. */
export interface VersionInfo {
  readonly version: number;
  readonly parent: number;
  readonly createdAt: string;
  readonly message: string;
  readonly writer: string;
  /** Rows added per table (a compaction adds the deduplicated rows of the files it replaces). */
  readonly rowsAdded: Readonly<Partial<Record<StoreTable, number>>>;
  readonly fragmentsRemoved: number;
}

export class MatrixStore {
  private readonly log: VersionLog;

  /** Where the store lives: its folder, or its s3:// URL. */
  readonly dir: string;

  constructor(
    readonly objects: ObjectStore,
    private readonly options: Required<Omit<OpenStoreOptions, 'dir'>>,
  ) {
    this.dir = objects instanceof FsObjectStore ? objects.root : objects.url;
    this.log = new VersionLog(objects, options.checkpointEvery, options.commitAttempts);
  }

  /** The newest version; 0 while nothing was committed. */
  head(): Promise<number> {
    return this.log.head();
  }

  /** Start a write. Nothing it appends is visible until its `commit` returns. */
  beginWrite(): Writer {
    return new Writer({ objects: this.objects, log: this.log, batchRows: this.options.batchRows, flushRows: this.options.flushRows });
  }

  /**
   * Open version `version` (default: the head) for reading. Checks that every fragment exists
   * with its recorded size. Throws VersionNotFound (InvalidInput), StoreCorrupt under
   * onCorrupt 'throw', SchemaVersionMismatch.
   */
  async snapshot(version?: number): Promise<Snapshot> {
    const v = version ?? (await this.log.head());
    const fragments = v === 0 ? [] : await this.log.fragmentsAt(v);
    return new Snapshot(v, await FragmentSource.open(this.objects, fragments, this.options.onCorrupt as OnCorrupt));
  }

  /** Every version still present, oldest first. Throws StoreCorrupt for an unreadable version file. */
  async versions(): Promise<VersionInfo[]> {
    const out: VersionInfo[] = [];
    for (const v of await this.log.list()) {
      const r = await this.log.record(v);
      const rowsAdded: Partial<Record<StoreTable, number>> = {};
      for (const f of r.add) rowsAdded[f.table] = (rowsAdded[f.table] ?? 0) + f.rows;
      out.push({
        version: r.version,
        parent: r.parent,
        createdAt: r.createdAt,
        message: r.message,
        writer: r.writer,
        rowsAdded,
        fragmentsRemoved: r.remove.length,
      });
    }
    return out;
  }

  /** Merge each table's fragments at the head into one file, as a new version with the same content. Throws StoreCorrupt. */
  compact(): Promise<CompactResult> {
    return compact(this.objects, this.log, this.options.batchRows);
  }

  /** Forget old versions and delete files no kept version references. Throws InvalidInput for bad options. */
  prune(options: PruneOptions = {}): Promise<PruneResult> {
    return prune(this.objects, this.log, options);
  }

  /** Hash every fragment of a version (default: the head) in full; returns the corrupt ones. */
  async verify(version?: number): Promise<StoreCorruptError[]> {
    const v = version ?? (await this.log.head());
    const problems: StoreCorruptError[] = [];
    for (const f of v === 0 ? [] : await this.log.fragmentsAt(v)) {
      const problem = await verifyFile(this.objects, f);
      if (problem) problems.push(problem);
    }
    return problems;
  }
}

type StoreSettings = Required<Omit<OpenStoreOptions, 'dir'>> & { dir?: string };

function parseOptions(options: OpenStoreOptions): StoreSettings {
  const parsed = OpenStoreOptionsSchema.safeParse(options);
  if (!parsed.success) throw new InvalidStoreInputError(`invalid store options: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

/**
 * Open (and by default create) a store in a folder. The folder is `options.dir`, else env
 * MSELECT_STORE, else `<project>/data/store`. Throws InvalidInput for bad options,
 * SchemaVersionMismatch for a store of another schema version, StoreCorrupt for a damaged
 * format file.
 */
export function openStore(options: OpenStoreOptions = {}): MatrixStore {
  const { dir, ...rest } = parseOptions(options);
  const resolved = resolveStoreDir(dir);
  ensureLayout(resolved, rest.create);
  return new MatrixStore(new FsObjectStore(resolved, { tmpDir: path.join(resolved, 'tmp') }), rest);
}

/**
 * Open (and by default create) a store in any ObjectStore: a folder, or an S3 prefix where
 * versions are published with `If-None-Match: *`. `options.dir` is not used. Throws like
 * `openStore`, plus StorageConfigError (bucket, credentials) and StorageUnavailable.
 */
export async function openStoreOn(objects: ObjectStore, options: Omit<OpenStoreOptions, 'dir'> = {}): Promise<MatrixStore> {
  const { dir: _dir, ...rest } = parseOptions(options);
  if (objects instanceof FsObjectStore) return openStore({ ...options, dir: objects.root });
  await ensureLayoutOn(objects, rest.create);
  return new MatrixStore(objects, rest);
}

/** Open the store at a URL (`s3://bucket/prefix`, `file:///abs/path` or a path), S3 settings from the AWS variables in `env`. */
export function openStoreUrl(url: string, options: Omit<OpenStoreOptions, 'dir'> = {}, env: NodeJS.ProcessEnv = process.env): Promise<MatrixStore> {
  return openStoreOn(openStorage(readStorageSettings({ ...env, MSELECT_STORAGE: url })), options);
}

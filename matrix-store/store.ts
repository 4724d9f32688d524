/**
 * The matrix store: a directory of immutable Arrow fragments and numbered versions that many
 * processes (and machines on a shared filesystem) write at once, while readers work on
 * consistent snapshots. See docs/matrix-store.md for the layout and guarantees.
 */
import { OpenStoreOptionsSchema, type OpenStoreOptions, type PruneOptions, type StoreTable } from '../contracts/schemas/store';
import { formatIssues } from '../contracts/parse';
import { InvalidStoreInputError, type StoreCorruptError } from './errors';
import { FragmentSource, type OnCorrupt } from './fragment-source';
import { verifyFile } from './fragment-read';
import { ensureLayout, resolveStoreDir } from './layout';
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

  constructor(
    readonly dir: string,
    private readonly options: Required<Omit<OpenStoreOptions, 'dir'>>,
  ) {
    this.log = new VersionLog(dir, options.checkpointEvery, options.commitAttempts);
  }

  /** The newest version; 0 while nothing was committed. */
  head(): Promise<number> {
    return this.log.head();
  }

  /** Start a write. Nothing it appends is visible until its `commit` returns. */
  beginWrite(): Writer {
    return new Writer({ dir: this.dir, log: this.log, batchRows: this.options.batchRows, flushRows: this.options.flushRows });
  }

  /**
   * Open version `version` (default: the head) for reading. Checks that every fragment exists
   * with its recorded size. Throws VersionNotFound (InvalidInput), StoreCorrupt under
   * onCorrupt 'throw', SchemaVersionMismatch.
   */
  async snapshot(version?: number): Promise<Snapshot> {
    const v = version ?? (await this.log.head());
    const fragments = v === 0 ? [] : await this.log.fragmentsAt(v);
    return new Snapshot(v, await FragmentSource.open(this.dir, fragments, this.options.onCorrupt as OnCorrupt));
  }

  /** Every version still present, oldest first. Throws StoreCorrupt for an unreadable version file. */
  async versions(): Promise<VersionInfo[]> {
    const out: VersionInfo[] = [];
    for (const v of await this.log.list()) {
      const r = await this.log.record(v);
      const rowsAdded: Partial<Record<StoreTable, number>> = {};
      for (const f of r.add) rowsAdded[f.table] = (rowsAdded[f.table] ?? 0) + f.rows;
      out.push({ version: r.version, parent: r.parent, createdAt: r.createdAt, message: r.message, writer: r.writer, rowsAdded, fragmentsRemoved: r.remove.length });
    }
    return out;
  }

  /** Merge each table's fragments at the head into one file, as a new version with the same content. Throws StoreCorrupt. */
  compact(): Promise<CompactResult> {
    return compact(this.dir, this.log, this.options.batchRows);
  }

  /** Forget old versions and delete files no kept version references. Throws InvalidInput for bad options. */
  prune(options: PruneOptions = {}): Promise<PruneResult> {
    return prune(this.dir, this.log, options);
  }

  /** Hash every fragment of a version (default: the head) in full; returns the corrupt ones. */
  async verify(version?: number): Promise<StoreCorruptError[]> {
    const v = version ?? (await this.log.head());
    const problems: StoreCorruptError[] = [];
    for (const f of v === 0 ? [] : await this.log.fragmentsAt(v)) {
      const problem = await verifyFile(this.dir, f);
      if (problem) problems.push(problem);
    }
    return problems;
  }
}

/**
 * Open (and by default create) a store. The directory is `options.dir`, else env
 * MSELECT_STORE, else `<project>/data/store`. Throws InvalidInput for bad options,
 * SchemaVersionMismatch for a store of another schema version, StoreCorrupt for a damaged
 * format file.
 */
export function openStore(options: OpenStoreOptions = {}): MatrixStore {
  const parsed = OpenStoreOptionsSchema.safeParse(options);
  if (!parsed.success) throw new InvalidStoreInputError(`invalid store options: ${formatIssues(parsed.error.issues)}`);
  const { dir, ...rest } = parsed.data;
  const resolved = resolveStoreDir(dir);
  ensureLayout(resolved, rest.create);
  return new MatrixStore(resolved, rest);
}



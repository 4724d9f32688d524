/**
 * The fragments of one version, read under the store's corruption policy: with 'throw' the
 * first corrupt fragment fails the read; with 'skip-and-report' it is left out and listed in
 * `problems`, and everything else stays readable.
 */
import type { RecordBatch } from 'apache-arrow';
import type { FragmentEntry, StoreTable } from '../contracts/schemas/store';
import type { ObjectStore } from '../storage';
import { decodeBatch } from './arrow-codec';
import { TableBuilder, type ColumnSet } from './columns';
import { StoreCorruptError } from './errors';
import { BatchReader, checkSize, readTable } from './fragment-read';
import { survivors } from './merge';
import { TABLES } from './schema';

export type OnCorrupt = 'throw' | 'skip-and-report';
type BatchEntry = FragmentEntry['batches'][number];

/** Rows of a table after deduplication: `rows` lists the surviving row ids of `set` in output order. */
export interface Merged {
  readonly set: ColumnSet;
  readonly rows: Uint32Array;
}

/** Concatenate sets (oldest first) with dictionaries in string order, and deduplicate. */
export function mergeSets(table: StoreTable, sets: readonly ColumnSet[]): Merged {
  const builder = new TableBuilder(TABLES[table]);
  builder.reserve(sets.reduce((n, s) => n + s.rows, 0));
  sets.forEach((s) => builder.appendSet(s));
  const set = builder.build(true);
  return { set, rows: survivors(set) };
}

/** Decode a verified batch; a column of the wrong type means the file is not what the manifest says. */
function decode(entry: FragmentEntry, batch: RecordBatch, dictionaries: Map<string, readonly string[]>): ColumnSet {
  try {
    return decodeBatch(TABLES[entry.table], batch, dictionaries, entry.path);
  } catch (e) {
    throw new StoreCorruptError(entry.path, entry.table, entry.rows, e instanceof Error ? e.message : String(e));
  }
}

/** Reads in flight at once: overlaps file system latency (a shared filesystem has plenty). */
const READ_AHEAD = 16;

interface Task<T> {
  readonly entry: FragmentEntry;
  readonly run: () => Promise<T>;
}

/**
 * Run tasks at most `window` at a time and yield their results in task order; a failure comes
 * back as an Error value, so the caller applies its corruption policy in order.
 */
async function* inOrder<T>(tasks: readonly Task<T>[], window: number): AsyncGenerator<{ entry: FragmentEntry; result: T | Error }> {
  const running: Promise<T | Error>[] = [];
  let next = 0;
  const start = (): void => {
    const task = tasks[next++];
    if (task) running.push(task.run().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  };
  while (next < tasks.length && running.length < window) start();
  for (const task of tasks) {
    const result = await (running.shift() as Promise<T | Error>);
    start();
    yield { entry: task.entry, result };
  }
}

export class FragmentSource {
  readonly problems: StoreCorruptError[] = [];
  private readonly skipped = new Set<string>();
  private readonly cache = new Map<StoreTable, Promise<ColumnSet[]>>();

  private constructor(
    readonly objects: ObjectStore,
    readonly fragments: readonly FragmentEntry[],
    private readonly onCorrupt: OnCorrupt,
  ) {}

  /** Check that every fragment exists with its recorded size. Throws StoreCorrupt under 'throw'. */
  static async open(objects: ObjectStore, fragments: readonly FragmentEntry[], onCorrupt: OnCorrupt): Promise<FragmentSource> {
    const source = new FragmentSource(objects, fragments, onCorrupt);
    for (let i = 0; i < fragments.length; i += 256) {
      await Promise.all(fragments.slice(i, i + 256).map((f) => checkSize(objects, f).catch((e: unknown) => source.fail(f, e))));
    }
    return source;
  }

  /** Readable fragments of a table, oldest first. */
  entries(table: StoreTable): FragmentEntry[] {
    return this.fragments.filter((f) => f.table === table && !this.skipped.has(f.path));
  }

  /** Every batch of a table, decoded, oldest first (cached: small tables and the matrix are read whole). */
  sets(table: StoreTable): Promise<ColumnSet[]> {
    let sets = this.cache.get(table);
    if (!sets) this.cache.set(table, (sets = this.readAll(table)));
    return sets;
  }

  /** The deduplicated rows of a table. */
  async merged(table: StoreTable): Promise<Merged> {
    return mergeSets(table, await this.sets(table));
  }

  /** Stream the batches of a table that `keep` selects (by the batch's range), decoded one at a time, in order. */
  async *scan(table: StoreTable, keep: (batch: BatchEntry) => boolean): AsyncGenerator<ColumnSet> {
    const tasks: Task<ColumnSet>[] = [];
    for (const entry of this.entries(table)) {
      const reader = new BatchReader(this.objects, entry);
      const dictionaries = new Map<string, readonly string[]>();
      entry.batches.forEach((b, i) => {
        if (keep(b)) tasks.push({ entry, run: async () => decode(entry, await reader.batch(i), dictionaries) });
      });
    }
    for await (const { entry, result } of inOrder(tasks, READ_AHEAD)) {
      if (this.skipped.has(entry.path)) continue;
      if (result instanceof Error) this.fail(entry, result);
      else yield result;
    }
  }

  private async readAll(table: StoreTable): Promise<ColumnSet[]> {
    const out: ColumnSet[] = [];
    const tasks = this.entries(table).map((entry) => ({
      entry,
      run: async () => {
        const dictionaries = new Map<string, readonly string[]>();
        return (await readTable(this.objects, entry)).batches.map((b) => decode(entry, b, dictionaries));
      },
    }));
    for await (const { entry, result } of inOrder(tasks, READ_AHEAD)) {
      if (result instanceof Error) this.fail(entry, result);
      else out.push(...result);
    }
    return out;
  }

  /** Apply the corruption policy to an error about `entry`; anything but StoreCorrupt is rethrown. */
  private fail(entry: FragmentEntry, e: unknown): void {
    if (!(e instanceof StoreCorruptError) || this.onCorrupt === 'throw') throw e;
    if (this.skipped.has(entry.path)) return;
    this.skipped.add(entry.path);
    this.problems.push(e);
  }
}

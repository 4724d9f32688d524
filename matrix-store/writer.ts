/**
 * A writer buffers rows per table, writes them as immutable fragments (on `flush`, when a
 * table's buffer reaches `flushRows`, and on `commit`), and publishes them all as one new
 * version. Until the commit succeeds no reader sees any of it; a process that dies first
 * leaves only unreferenced fragments, which `prune` removes.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { formatIssues } from '../contracts/parse';
import {
  CellRecordSchema,
  ClusteringInputSchema,
  CurveInputSchema,
  DatasetRecordSchema,
  ModelRecordSchema,
  ProxyScoreSchema,
  type CellRecordInput,
  type ClusteringInput,
  type CurveInput,
  type DatasetRecordInput,
  type FragmentEntry,
  type ModelRecordInput,
  type ProxyScoreInput,
  type StoreTable,
} from '../contracts/schemas/store';
import type { ObjectStore } from '../storage';
import { TableBuilder, type ColumnSet } from './columns';
import { InvalidStoreInputError } from './errors';
import { writeFragment, type WrittenFragment } from './fragment-file';
import { rewriteTableWithout } from './maintenance';
import { TABLES } from './schema';
import type { VersionLog } from './version-log';

/** What a writer needs from its store. */
export interface WriterContext {
  readonly objects: ObjectStore;
  readonly log: VersionLog;
  readonly batchRows: number;
  readonly flushRows: number;
}

function parseAll<S extends z.ZodTypeAny>(schema: S, values: readonly unknown[], what: string): z.output<S>[] {
  return values.map((v, i) => {
    const r = schema.safeParse(v);
    if (!r.success) throw new InvalidStoreInputError(`invalid ${what} #${i}: ${formatIssues(r.error.issues)}`);
    return r.data as z.output<S>;
  });
}

export class Writer {
  private readonly buffers = new Map<StoreTable, TableBuilder>();
  private readonly written: WrittenFragment[] = [];
  /** (model, dataset) pairs whose stored cells and curves this commit replaces. */
  private readonly superseded = new Set<string>();
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(private readonly ctx: WriterContext) {}

  /** Add or replace models (the last write of an id wins; set `removedAt` to withdraw one). Throws InvalidInput. */
  async upsertModels(models: readonly ModelRecordInput[]): Promise<void> {
    const now = Date.now();
    await this.add(
      'models',
      parseAll(ModelRecordSchema, models, 'model').map((m) => ({ ...m, addedAt: m.addedAt ?? now })),
    );
  }

  /** Add or replace datasets (the last write of an id wins). Throws InvalidInput. */
  async upsertDatasets(datasets: readonly DatasetRecordInput[]): Promise<void> {
    await this.add('datasets', parseAll(DatasetRecordSchema, datasets, 'dataset'));
  }

  /** Append fine-tune results; a cell whose (model, dataset, settingsHash) already exists is dropped on read. Throws InvalidInput. */
  async appendCells(cells: readonly CellRecordInput[]): Promise<void> {
    const now = Date.now();
    await this.add(
      'cells',
      parseAll(CellRecordSchema, cells, 'cell').map((c) => ({ ...c, finishedAt: c.finishedAt ?? now })),
    );
  }

  /** Append learning curves, one entry per run; points already stored are dropped on read. Throws InvalidInput. */
  async appendCurves(curves: readonly CurveInput[]): Promise<void> {
    const parsed = parseAll(CurveInputSchema, curves, 'curve');
    const builder = this.buffer('curves');
    for (const c of parsed) {
      const n = c.values.length;
      const arrays: Record<string, ArrayLike<number | null>> = { value: c.values, epoch: c.epochs ?? Int32Array.from({ length: n }, (_, k) => k + 1) };
      if (c.seconds) arrays.seconds = c.seconds;
      if (c.peakMemoryBytes) arrays.peakMemoryBytes = c.peakMemoryBytes;
      builder.appendRows(n, { model: c.model, dataset: c.dataset, settingsHash: c.settingsHash, metric: c.metric }, arrays);
    }
    await this.maybeFlush('curves');
  }

  /** Append a clustering; returns its id (generated when absent). Throws InvalidInput. */
  async appendClustering(input: ClusteringInput): Promise<string> {
    const [c] = parseAll(ClusteringInputSchema, [input], 'clustering');
    if (!c) throw new InvalidStoreInputError('no clustering given');
    const id = c.id ?? `${c.method}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const createdAt = c.createdAt ?? Date.now();
    const rows = c.models.map((model, i) => {
      const cluster = c.labels[i] ?? 0;
      return { id, method: c.method, params: c.params, model, cluster, representative: c.representatives.get(cluster) === model, createdAt };
    });
    await this.add('clusterings', rows);
    return id;
  }

  /** Cache proxy scores (the last write of a (model, target, proxy) wins). Throws InvalidInput. */
  async putProxyScores(scores: readonly ProxyScoreInput[]): Promise<void> {
    const now = Date.now();
    await this.add(
      'proxyScores',
      parseAll(ProxyScoreSchema, scores, 'proxy score').map((s) => ({ ...s, computedAt: s.computedAt ?? now })),
    );
  }

  /**
   * Supersede what is stored for these (model, dataset) pairs: the version this write commits
   * leaves out every earlier cell and curve point of each pair (any settings), so the cells and
   * curves appended here stand for it. Older versions keep their rows (time travel still sees
   * them). Without this, a re-imported cell is a duplicate that reads drop (the first write wins).
   */
  supersede(pairs: readonly { readonly model: string; readonly dataset: string }[]): void {
    this.assertOpen();
    pairs.forEach((p) => this.superseded.add(`${p.model}\u0000${p.dataset}`));
  }

  /** Write every buffered row as fragments now (still invisible until `commit`). */
  async flush(): Promise<void> {
    this.assertOpen();
    for (const table of [...this.buffers.keys()]) await this.flushTable(table);
  }

  /**
   * Write what is buffered and publish it as one new version; returns the version number.
   * Retries on top of versions other writers publish meanwhile. Throws InvalidInput for an
   * empty or repeated commit, CommitContentionError when every attempt lost a race.
   */
  async commit(message: string): Promise<number> {
    await this.flush();
    if (this.written.length === 0) throw new InvalidStoreInputError('nothing to commit: no rows were written');
    const add = this.written.map((w) => ({ ...w, order: [0, 0] as [number, number] }));
    const version = await this.ctx.log.publish(async (parent) => {
      const rewritten = await this.rewrites(parent);
      return { message, add: [...add, ...rewritten.add], remove: rewritten.remove };
    });
    if (version === null) throw new Error('publish gave up without a reason');
    this.state = 'committed';
    return version;
  }

  /** Drop the buffers and delete the fragments this writer wrote. Idempotent. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.buffers.clear();
    await Promise.all([...this.written, ...(this.rewritten?.add ?? [])].map((w) => this.ctx.objects.delete(w.path)));
  }

  private rewritten: { parent: number; add: FragmentEntry[]; remove: string[] } | null = null;

  /** The cells and curves fragments at `parent` rewritten without the superseded pairs (once per parent). */
  private async rewrites(parent: number): Promise<{ add: FragmentEntry[]; remove: string[] }> {
    if (this.superseded.size === 0 || parent === 0) return { add: [], remove: [] };
    if (this.rewritten?.parent === parent) return this.rewritten;
    if (this.rewritten) await Promise.all(this.rewritten.add.map((f) => this.ctx.objects.delete(f.path)));
    const fragments = await this.ctx.log.fragmentsAt(parent);
    const drop = (set: ColumnSet, row: number): boolean => this.superseded.has(`${String(set.value('model', row))}\u0000${String(set.value('dataset', row))}`);
    const add: FragmentEntry[] = [];
    const remove: string[] = [];
    for (const table of ['cells', 'curves'] as const) {
      const parts = fragments.filter((f) => f.table === table);
      if (parts.length === 0) continue;
      const entry = await rewriteTableWithout(this.ctx.objects, table, parts, this.ctx.batchRows, drop);
      if (entry) add.push(entry);
      remove.push(...parts.map((p) => p.path));
    }
    this.rewritten = { parent, add, remove };
    return this.rewritten;
  }

  private async add(table: StoreTable, rows: readonly Readonly<Record<string, unknown>>[]): Promise<void> {
    const builder = this.buffer(table);
    rows.forEach((r) => builder.appendRow(r));
    await this.maybeFlush(table);
  }

  private buffer(table: StoreTable): TableBuilder {
    this.assertOpen();
    let b = this.buffers.get(table);
    if (!b) this.buffers.set(table, (b = new TableBuilder(TABLES[table])));
    return b;
  }

  private async maybeFlush(table: StoreTable): Promise<void> {
    if ((this.buffers.get(table)?.rows ?? 0) >= this.ctx.flushRows) await this.flushTable(table);
  }

  private async flushTable(table: StoreTable): Promise<void> {
    const b = this.buffers.get(table);
    this.buffers.delete(table);
    if (b && b.rows > 0) this.written.push(await writeFragment(this.ctx.objects, b.build(), null, this.ctx.batchRows));
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new InvalidStoreInputError(`this writer is ${this.state}; begin a new write`);
  }
}

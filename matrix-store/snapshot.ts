/**
 * A snapshot: one published version, read as it was published. Its fragment list is fixed when
 * it opens and fragments are immutable, so commits and compactions that happen meanwhile change
 * nothing it returns; only `prune` of its version takes its files away.
 */
import type { Clustering, PerformanceMatrix, RunSet } from '../algorithms/types';
import type { DatasetRecord, FragmentEntry, StoreTable } from '../contracts/schemas/store';
import { cellGrid, type GridOptions, type Registry } from './cell-grid';
import { curvesOf, epochCostsOf, runsOf, type CurveFilter, type EpochCost, type ModelCurves } from './curve-reads';
import type { StoreCorruptError } from './errors';
import type { FragmentSource, Merged } from './fragment-source';

/** A model as stored: every field filled. */
export interface StoredModel {
  readonly id: string;
  readonly family: string | null;
  readonly size: number | null;
  readonly source: string | null;
  readonly card: Readonly<Record<string, unknown>>;
  readonly addedAt: number;
  readonly removedAt: number | null;
}

/** A stored clustering with how it was made. */
export interface StoredClustering {
  readonly id: string;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly clustering: Clustering;
}

/** Final values of every model on one dataset; NaN = no cell (or a cell without a value). */
export interface DatasetColumn {
  readonly dataset: string;
  readonly models: readonly string[];
  readonly values: Float64Array;
}

type Row = Readonly<Record<string, unknown>>;

/** The surviving rows of a merged table as plain records, JSON columns parsed. */
export function rowsOf(merged: Merged): Row[] {
  const { set, rows } = merged;
  return Array.from(rows, (r) =>
    Object.fromEntries(
      set.spec.columns.map((c) => {
        const v = set.value(c.name, r);
        return [c.name, c.kind === 'json' && typeof v === 'string' ? (JSON.parse(v) as unknown) : v];
      }),
    ),
  );
}

export class Snapshot {
  private registryCache: Promise<Registry> | null = null;

  constructor(
    readonly version: number,
    private readonly source: FragmentSource,
  ) {}

  /** Corrupt fragments left out so far (only under onCorrupt 'skip-and-report'). */
  get problems(): readonly StoreCorruptError[] {
    return this.source.problems;
  }

  /** Every fragment of this version, by table and commit order. */
  get fragments(): readonly FragmentEntry[] {
    return this.source.fragments;
  }

  /** Every model ever registered, withdrawn ones included, sorted by id. Throws StoreCorrupt. */
  async models(): Promise<StoredModel[]> {
    return (await this.rows('models')) as unknown as StoredModel[];
  }

  /** Every dataset, sorted by id. Throws StoreCorrupt. */
  async datasets(): Promise<DatasetRecord[]> {
    return (await this.rows('datasets')) as unknown as DatasetRecord[];
  }

  /** Deduplicated rows of any table as records (for exports and small tables). Throws StoreCorrupt. */
  async rows(table: StoreTable): Promise<Row[]> {
    return rowsOf(await this.source.merged(table));
  }

  /**
   * The final-value matrix (rows = datasets, columns = models; NaN = never run). Reads the
   * cells table once per snapshot. Throws StoreCorrupt.
   */
  async performanceMatrix(options: GridOptions = {}): Promise<PerformanceMatrix> {
    const { models, datasets, values } = await cellGrid(this.source, await this.registry(), options);
    return { models, datasets, values };
  }

  /** Final values of every model on one dataset. Throws StoreCorrupt. */
  async datasetColumn(dataset: string, options: Omit<GridOptions, 'datasets'> = {}): Promise<DatasetColumn> {
    const { models, values } = await this.performanceMatrix({ ...options, datasets: [dataset] });
    return { dataset, models, values };
  }

  /** The (model, dataset) pairs among those given that have no cell yet. Throws StoreCorrupt. */
  async missingCells(
    models: readonly string[],
    datasets: readonly string[],
    options: Omit<GridOptions, 'models' | 'datasets'> = {},
  ): Promise<{ model: string; dataset: string }[]> {
    const grid = await cellGrid(this.source, await this.registry(), { ...options, models, datasets });
    const out: { model: string; dataset: string }[] = [];
    datasets.forEach((dataset, d) => models.forEach((model, m) => grid.present[d * models.length + m] || out.push({ model, dataset })));
    return out;
  }

  /**
   * Runs (validation curve + test value) for every cell of the grid. Streams all curve batches
   * once and builds one RunRecord per cell: meant for replay-sized hubs. Throws StoreCorrupt.
   */
  async runSet(options: GridOptions = {}): Promise<RunSet> {
    const grid = await cellGrid(this.source, await this.registry(), options);
    return { models: grid.models, datasets: grid.datasets, runs: await runsOf(this.source, grid) };
  }

  /**
   * The recorded cost of each model's epochs (mean wall seconds, highest peak memory) over the
   * grid's cells, e.g. `{ datasets: benchmarks }`; models without timings are absent. Streams
   * every curve batch once. Throws StoreCorrupt.
   */
  async epochCosts(options: GridOptions = {}): Promise<Map<string, EpochCost>> {
    return epochCostsOf(this.source, await cellGrid(this.source, await this.registry(), options));
  }

  /** Every curve of one model as typed arrays, reading only the batches that hold it. Throws StoreCorrupt. */
  curvesOf(model: string, filter: CurveFilter = {}): Promise<ModelCurves> {
    return curvesOf(this.source, model, filter);
  }

  /** Every clustering, oldest first. Throws StoreCorrupt. */
  async clusterings(): Promise<StoredClustering[]> {
    const byId = new Map<string, { head: Row; models: string[]; labels: number[]; representatives: Map<number, string> }>();
    for (const row of await this.rows('clusterings')) {
      const id = String(row.id);
      let c = byId.get(id);
      if (!c) byId.set(id, (c = { head: row, models: [], labels: [], representatives: new Map() }));
      c.models.push(String(row.model));
      c.labels.push(Number(row.cluster));
      if (row.representative === true) c.representatives.set(Number(row.cluster), String(row.model));
    }
    return [...byId.values()].map(({ head, models, labels, representatives }) => ({
      id: String(head.id),
      method: String(head.method),
      params: head.params as Record<string, unknown>,
      createdAt: Number(head.createdAt),
      clustering: { models, labels, representatives },
    }));
  }

  /** Cached scores of `proxy` on `target`, by model. Throws StoreCorrupt. */
  async proxyScores(target: string, proxy: string): Promise<Map<string, number>> {
    const rows = await this.rows('proxyScores');
    return new Map(rows.filter((r) => r.target === target && r.proxy === proxy).map((r) => [String(r.model), Number(r.value)]));
  }

  private registry(): Promise<Registry> {
    this.registryCache ??= this.readRegistry();
    return this.registryCache;
  }

  private async readRegistry(): Promise<Registry> {
    const [models, datasets] = await Promise.all([this.models(), this.datasets()]);
    return {
      models: models.map((m) => m.id),
      removedModels: new Set(models.filter((m) => m.removedAt !== null).map((m) => m.id)),
      datasets: datasets.map((d) => d.id),
    };
  }
}

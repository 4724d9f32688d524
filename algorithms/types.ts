/**
 * In-memory types shared by the selection algorithms, the replay loaders and the
 * matrix store. Plain data only: no classes, no I/O.
 */

export { DIRECTIONS, type Direction } from '../contracts/direction';

/**
 * The offline performance matrix: one row per dataset, one column per model.
 * `values[d * models.length + m]` is model m's final metric on dataset d; NaN = never run.
 */
export interface PerformanceMatrix {
  readonly models: readonly string[];
  readonly datasets: readonly string[];
  readonly values: Float64Array;
}

/**
 * One fine-tune run: validation metric after each epoch (`val[k]` after epoch k + 1) and,
 * when known, the held-out test metric after the last epoch.
 */
export interface RunRecord {
  readonly model: string;
  readonly dataset: string;
  readonly val: readonly number[];
  readonly test: number | null;
}

/** All recorded runs, indexable by (model, dataset). */
export interface RunSet {
  readonly models: readonly string[];
  readonly datasets: readonly string[];
  readonly runs: readonly RunRecord[];
}

/** A clustering of models: cluster label per model (same order as `models`) and representatives. */
export interface Clustering {
  readonly models: readonly string[];
  readonly labels: readonly number[];
  /** Representative model id per cluster label; a cluster may have none (e.g. the paper's singletons). */
  readonly representatives: ReadonlyMap<number, string>;
}

/** Matrix cell accessor: NaN where missing. */
export function cell(m: PerformanceMatrix, dataset: number, model: number): number {
  return m.values[dataset * m.models.length + model] ?? Number.NaN;
}

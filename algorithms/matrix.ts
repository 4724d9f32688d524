/**
 * Read-only views of a PerformanceMatrix: a model's history vector, its mean (the
 * history prior) and sub-matrices. NaN is a missing cell throughout.
 */
import { cell, type PerformanceMatrix, type RunRecord, type RunSet } from './types';

/** Model `m`'s scores over the datasets, in `matrix.datasets` order (NaN where never run). */
export function modelVector(matrix: PerformanceMatrix, m: number): number[] {
  return matrix.datasets.map((_, d) => cell(matrix, d, m));
}

/** Every model's history vector, in `matrix.models` order. */
export function modelVectors(matrix: PerformanceMatrix): number[][] {
  return matrix.models.map((_, m) => modelVector(matrix, m));
}

/**
 * The history prior: each model's mean score over the datasets it was run on, in
 * `matrix.models` order. NaN for a model with no score at all.
 */
export function meanHistory(matrix: PerformanceMatrix): number[] {
  const n = matrix.models.length;
  const sums = new Float64Array(n);
  const counts = new Int32Array(n);
  // Dataset-major, as stored; each model's finite scores still add in dataset order, as `mean` adds them.
  for (let d = 0; d < matrix.datasets.length; d += 1) {
    for (let m = 0; m < n; m += 1) {
      const v = matrix.values[d * n + m] ?? Number.NaN;
      if (!Number.isFinite(v)) continue;
      sums[m] = (sums[m] ?? 0) + v;
      counts[m] = (counts[m] ?? 0) + 1;
    }
  }
  return Array.from(sums, (s, m) => ((counts[m] ?? 0) === 0 ? Number.NaN : s / (counts[m] ?? 1)));
}

/** The history prior as a map from model id. */
export function priorByModel(matrix: PerformanceMatrix): Map<string, number> {
  const prior = meanHistory(matrix);
  return new Map(matrix.models.map((id, m) => [id, prior[m] ?? Number.NaN]));
}

/** The sub-matrix of the datasets for which `keep` is true, models unchanged. */
export function selectDatasets(matrix: PerformanceMatrix, keep: (dataset: string) => boolean): PerformanceMatrix {
  const rows = matrix.datasets.map((name, d) => ({ name, d })).filter(({ name }) => keep(name));
  const values = new Float64Array(rows.length * matrix.models.length);
  rows.forEach(({ d }, r) => matrix.models.forEach((_, m) => (values[r * matrix.models.length + m] = cell(matrix, d, m))));
  return { models: [...matrix.models], datasets: rows.map((r) => r.name), values };
}

/** The sub-matrix of the models for which `keep` is true, datasets unchanged. */
export function selectModels(matrix: PerformanceMatrix, keep: (model: string) => boolean): PerformanceMatrix {
  const cols = matrix.models.map((name, m) => ({ name, m })).filter(({ name }) => keep(name));
  const values = new Float64Array(matrix.datasets.length * cols.length);
  matrix.datasets.forEach((_, d) => cols.forEach(({ m }, c) => (values[d * cols.length + c] = cell(matrix, d, m))));
  return { models: cols.map((c) => c.name), datasets: [...matrix.datasets], values };
}

/**
 * The performance matrix of recorded runs: cell (dataset, model) = the run's test score,
 * NaN where there is no run or no test. Models and datasets keep `runs` order.
 */
export function matrixFromRuns(runs: RunSet): PerformanceMatrix {
  const mIndex = new Map(runs.models.map((m, i) => [m, i]));
  const dIndex = new Map(runs.datasets.map((d, i) => [d, i]));
  const values = new Float64Array(runs.models.length * runs.datasets.length).fill(Number.NaN);
  for (const r of runs.runs) {
    const m = mIndex.get(r.model);
    const d = dIndex.get(r.dataset);
    if (m === undefined || d === undefined) throw new Error(`run ${r.model} on ${r.dataset} is not listed in runs.models / runs.datasets`);
    values[d * runs.models.length + m] = r.test ?? Number.NaN;
  }
  return { models: [...runs.models], datasets: [...runs.datasets], values };
}

/** The runs on datasets for which `keep` is true; models and datasets lists filtered to those still used. */
export function selectRuns(runs: RunSet, keep: (run: RunRecord) => boolean): RunSet {
  const kept = runs.runs.filter(keep);
  const models = new Set(kept.map((r) => r.model));
  const datasets = new Set(kept.map((r) => r.dataset));
  return { models: runs.models.filter((m) => models.has(m)), datasets: runs.datasets.filter((d) => datasets.has(d)), runs: kept };
}

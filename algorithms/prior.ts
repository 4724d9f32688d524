/**
 * The history prior: what a model's results on other datasets say about it before any
 * training on the target. `standardizedPrior` puts every dataset on one scale first
 * (z-score of the model among the models run on that dataset), so a model is not
 * favoured for having been run on easy datasets only.
 */
import { cell, type PerformanceMatrix } from './types';
import { mean } from './stats';

/** Per-dataset z-scores of the matrix (dataset-major, NaN where missing or where a dataset has < 2 scores). */
export function zScores(matrix: PerformanceMatrix): Float64Array {
  const n = matrix.models.length;
  const out = new Float64Array(matrix.values.length).fill(Number.NaN);
  matrix.datasets.forEach((_, d) => {
    const row = matrix.models.map((__, m) => cell(matrix, d, m));
    const finite = row.filter(Number.isFinite);
    if (finite.length < 2) return;
    const mu = mean(finite);
    const sd = Math.sqrt(mean(finite.map((v) => (v - mu) ** 2)));
    row.forEach((v, m) => {
      if (Number.isFinite(v)) out[d * n + m] = sd > 0 ? (v - mu) / sd : 0;
    });
  });
  return out;
}

/**
 * Each model's mean z-score over the datasets it was run on, in `matrix.models` order;
 * NaN for a model with none. Pure.
 */
export function standardizedPrior(matrix: PerformanceMatrix): number[] {
  const z = zScores(matrix);
  const n = matrix.models.length;
  return matrix.models.map((_, m) => mean(matrix.datasets.map((__, d) => z[d * n + m] ?? Number.NaN)));
}

/**
 * The history prior: what a model's results on other datasets say about it before any
 * training on the target. `standardizedPrior` puts every dataset on one scale first
 * (z-score of the model among the models run on that dataset), so a model is not
 * favoured for having been run on easy datasets only. Both run in O(models × datasets)
 * over typed arrays, adding in the same order as `mean` (stats.ts) would.
 */
import type { PerformanceMatrix } from './types';

/** Mean and population standard deviation of the finite values of row d (NaN, NaN when fewer than 2). */
function rowMoments(values: Float64Array, n: number, d: number): { mu: number; sd: number } {
  let sum = 0;
  let count = 0;
  for (let m = 0; m < n; m += 1) {
    const v = values[d * n + m] as number;
    if (!Number.isFinite(v)) continue;
    sum += v;
    count += 1;
  }
  if (count < 2) return { mu: Number.NaN, sd: Number.NaN };
  const mu = sum / count;
  let sq = 0;
  for (let m = 0; m < n; m += 1) {
    const v = values[d * n + m] as number;
    if (Number.isFinite(v)) sq += (v - mu) ** 2;
  }
  return { mu, sd: Math.sqrt(sq / count) };
}

/** Per-dataset z-scores of the matrix (dataset-major, NaN where missing or where a dataset has < 2 scores). */
export function zScores(matrix: PerformanceMatrix): Float64Array {
  const n = matrix.models.length;
  const out = new Float64Array(matrix.values.length).fill(Number.NaN);
  for (let d = 0; d < matrix.datasets.length; d += 1) {
    const { mu, sd } = rowMoments(matrix.values, n, d);
    if (Number.isNaN(mu)) continue;
    for (let m = 0; m < n; m += 1) {
      const v = matrix.values[d * n + m] as number;
      if (Number.isFinite(v)) out[d * n + m] = sd > 0 ? (v - mu) / sd : 0;
    }
  }
  return out;
}

/**
 * Each model's mean z-score over the datasets it was run on, in `matrix.models` order;
 * NaN for a model with none. Pure.
 */
export function standardizedPrior(matrix: PerformanceMatrix): number[] {
  const z = zScores(matrix);
  const n = matrix.models.length;
  const sums = new Float64Array(n);
  const counts = new Int32Array(n);
  for (let d = 0; d < matrix.datasets.length; d += 1) {
    for (let m = 0; m < n; m += 1) {
      const v = z[d * n + m] as number;
      if (!Number.isFinite(v)) continue;
      sums[m] = (sums[m] ?? 0) + v;
      counts[m] = (counts[m] ?? 0) + 1;
    }
  }
  return Array.from(sums, (s, m) => ((counts[m] ?? 0) === 0 ? Number.NaN : s / (counts[m] ?? 1)));
}

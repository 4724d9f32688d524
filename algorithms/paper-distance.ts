/**
 * All pairwise paper distances (cluster-paper.ts: the mean of the `top` largest |a_d - b_d|
 * over datasets where both scores are > 0; +Infinity with `top` or fewer such datasets) of a
 * performance matrix, into a condensed Float64Array of n(n-1)/2 entries (8 bytes a pair:
 * 400 MB at 10,000 models). The kernel keeps the `top` largest differences in a small sorted
 * buffer instead of sorting every difference, and adds them in descending order from 0, as
 * `paperDistance` does, so each value equals `paperDistance` bit for bit.
 */
import type { PerformanceMatrix } from './types';
import { rowOffset } from './average-linkage';

/** Model-major copy of the matrix with every unusable score (NaN, <= 0) set to -1. */
function positiveRows(matrix: PerformanceMatrix): Float64Array {
  const n = matrix.models.length;
  const dims = matrix.datasets.length;
  const rows = new Float64Array(n * dims);
  for (let d = 0; d < dims; d += 1) {
    for (let m = 0; m < n; m += 1) {
      const v = matrix.values[d * n + m] ?? Number.NaN;
      rows[m * dims + d] = v > 0 ? v : -1;
    }
  }
  return rows;
}

/** Insert `v` into the descending buffer `top[0..count)`, capped at `top.length`; returns the new count. */
function insertTop(top: Float64Array, count: number, v: number): number {
  const k = top.length;
  if (count === k && !(v > (top[k - 1] ?? Number.POSITIVE_INFINITY))) return count;
  let at = count < k ? count : k - 1;
  while (at > 0 && (top[at - 1] ?? 0) < v) {
    top[at] = top[at - 1] ?? 0;
    at -= 1;
  }
  top[at] = v;
  return count < k ? count + 1 : count;
}

/** Paper distance between rows i and j of `rows` (`dims` scores each); `top` is the scratch buffer. */
function rowDistance(rows: Float64Array, dims: number, i: number, j: number, top: Float64Array): number {
  let shared = 0;
  let count = 0;
  const a = i * dims;
  const b = j * dims;
  for (let d = 0; d < dims; d += 1) {
    const x = rows[a + d] ?? -1;
    const y = rows[b + d] ?? -1;
    if (x > 0 && y > 0) {
      shared += 1;
      count = insertTop(top, count, Math.abs(x - y));
    }
  }
  if (shared <= top.length) return Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let t = 0; t < top.length; t += 1) sum += top[t] ?? 0;
  return sum / top.length;
}

/** Push v into the descending five t[0..4] held by `top5`; the hot path of clustering thousands of models. */
class Top5 {
  t0 = -1;
  t1 = -1;
  t2 = -1;
  t3 = -1;
  t4 = -1;

  reset(): void {
    this.t0 = this.t1 = this.t2 = this.t3 = this.t4 = -1;
  }

  push(v: number): void {
    if (v <= this.t4) return;
    if (v <= this.t3) {
      this.t4 = v;
      return;
    }
    this.t4 = this.t3;
    if (v <= this.t2) {
      this.t3 = v;
      return;
    }
    this.t3 = this.t2;
    if (v <= this.t1) {
      this.t2 = v;
      return;
    }
    this.t2 = this.t1;
    if (v <= this.t0) {
      this.t1 = v;
      return;
    }
    this.t1 = this.t0;
    this.t0 = v;
  }

  mean(): number {
    return (0 + this.t0 + this.t1 + this.t2 + this.t3 + this.t4) / 5;
  }
}

/** rowDistance for topDifferences = 5; `full` when both rows are positive everywhere (no per-score check). */
function rowDistance5(rows: Float64Array, dims: number, i: number, j: number, full: boolean, top: Top5): number {
  const a = i * dims;
  const b = j * dims;
  top.reset();
  if (full) {
    for (let d = 0; d < dims; d += 1) top.push(Math.abs((rows[a + d] as number) - (rows[b + d] as number)));
    return dims <= 5 ? Number.POSITIVE_INFINITY : top.mean();
  }
  let shared = 0;
  for (let d = 0; d < dims; d += 1) {
    const x = rows[a + d] as number;
    const y = rows[b + d] as number;
    if (x > 0 && y > 0) {
      shared += 1;
      top.push(Math.abs(x - y));
    }
  }
  return shared <= 5 ? Number.POSITIVE_INFINITY : top.mean();
}

/**
 * Condensed matrix of the paper distances between the models of `matrix` (module comment);
 * pair (i, j), i < j, at `condensedIndex(n, i, j)`. Throws when topDifferences is not an
 * integer >= 1.
 */
export function paperDistancesCondensed(matrix: PerformanceMatrix, topDifferences = 5): Float64Array {
  if (!Number.isInteger(topDifferences) || topDifferences < 1) throw new Error(`topDifferences is ${topDifferences}, but must be an integer >= 1`);
  const n = matrix.models.length;
  const dims = matrix.datasets.length;
  const rows = positiveRows(matrix);
  const full = Uint8Array.from({ length: n }, (_, m) => (rows.subarray(m * dims, (m + 1) * dims).every((v) => v > 0) ? 1 : 0));
  const top = new Float64Array(topDifferences);
  const top5 = new Top5();
  const out = new Float64Array((n * (n - 1)) / 2);
  for (let i = 0; i < n; i += 1) {
    const off = rowOffset(n, i);
    if (topDifferences === 5) for (let j = i + 1; j < n; j += 1) out[off + j] = rowDistance5(rows, dims, i, j, full[i] === 1 && full[j] === 1, top5);
    else for (let j = i + 1; j < n; j += 1) out[off + j] = rowDistance(rows, dims, i, j, top);
  }
  return out;
}

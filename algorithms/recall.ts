/**
 * Coarse recall of Cui et al. (ICDE 2024): score every model with history, keep the best few.
 *
 * With proxy scores P (LEEP in the paper, or any map model -> score), the score of a model m
 * with mean history score h(m) is
 *   - m in a multi-model cluster:  h(m) * exp(P(m))
 *   - m a singleton:               h(m) * mean over representatives r of cos(v_m, v_r) * exp(P(r))
 * where v is a history vector (cosine over datasets both have). With the `prior` proxy the
 * score is h(m) alone: no proxy is computed, so clustering and cosine play no part.
 */
import type { Clustering, PerformanceMatrix } from './types';
import { meanHistory } from './matrix';
import { rankDescending } from './stats';

/** Where a recall score's target-specific part comes from. */
export type RecallProxy = { readonly kind: 'prior' } | { readonly kind: 'scores'; readonly scores: ReadonlyMap<string, number> };

function proxyOf(proxy: ReadonlyMap<string, number>, model: string): number {
  const v = proxy.get(model);
  if (v === undefined || !Number.isFinite(v)) throw new Error(`proxy score of ${model} is ${String(v)}, but every scored model needs a finite one`);
  return v;
}

/** Model-major copy of the history (row m = model m's scores) and, per model, whether every score is finite. */
function modelRows(history: PerformanceMatrix): { rows: Float64Array; full: Uint8Array; dims: number } {
  const n = history.models.length;
  const dims = history.datasets.length;
  const rows = new Float64Array(n * dims);
  const full = new Uint8Array(n).fill(1);
  for (let d = 0; d < dims; d += 1) {
    for (let m = 0; m < n; m += 1) {
      const v = history.values[d * n + m] ?? Number.NaN;
      rows[m * dims + d] = v;
      if (!Number.isFinite(v)) full[m] = 0;
    }
  }
  return { rows, full, dims };
}

/**
 * cosine (stats.ts) of rows i and j of `rows`, the same sums in the same order, so the same
 * value; `sq[i]` is row i's sum of squares, used when both rows are complete (their norms
 * then do not depend on the other row).
 */
function rowCosine(rows: Float64Array, dims: number, i: number, j: number, full: Uint8Array, sq: Float64Array): number {
  const a = i * dims;
  const b = j * dims;
  let dot = 0;
  if (full[i] === 1 && full[j] === 1) {
    for (let d = 0; d < dims; d += 1) dot += (rows[a + d] as number) * (rows[b + d] as number);
    const na = sq[i] as number;
    const nb = sq[j] as number;
    return na === 0 || nb === 0 ? Number.NaN : dot / Math.sqrt(na * nb);
  }
  let na = 0;
  let nb = 0;
  for (let d = 0; d < dims; d += 1) {
    const x = rows[a + d] as number;
    const y = rows[b + d] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? Number.NaN : dot / Math.sqrt(na * nb);
}

/** Scores singletons against representatives: mean over r of cos(v_m, v_r) · exp(P(r)), exp(P(r)) computed once. */
function singletonScorer(history: PerformanceMatrix, reps: readonly number[], proxy: ReadonlyMap<string, number>): (m: number) => number {
  const { rows, full, dims } = modelRows(history);
  const sq = new Float64Array(history.models.length);
  for (let m = 0; m < history.models.length; m += 1) {
    let s = 0;
    for (let d = 0; d < dims; d += 1) {
      const x = rows[m * dims + d] as number;
      s += x * x;
    }
    sq[m] = s;
  }
  const weights = reps.map((r) => Math.exp(proxyOf(proxy, history.models[r] ?? '')));
  return (m) => {
    if (reps.length === 0) return Number.NaN;
    let sum = 0;
    for (let k = 0; k < reps.length; k += 1) sum += rowCosine(rows, dims, m, reps[k] ?? -1, full, sq) * (weights[k] ?? Number.NaN);
    return sum / reps.length;
  };
}

/**
 * Recall score of every model of `history` (module comment), in `history.models` order.
 * `clustering` must list the same models. A singleton scores NaN when no cluster has a
 * representative. Throws when the clustering's models differ or a needed proxy score is missing.
 * Cost: O(models × datasets + singletons × representatives × datasets), typed arrays throughout.
 */
export function recallScores(history: PerformanceMatrix, clustering: Clustering, proxy: RecallProxy): number[] {
  const prior = meanHistory(history);
  if (proxy.kind === 'prior') return prior;
  if (clustering.models.length !== history.models.length || clustering.models.some((id, m) => id !== history.models[m]))
    throw new Error('clustering.models must equal history.models, in order');
  const size = new Map<number, number>();
  clustering.labels.forEach((l) => size.set(l, (size.get(l) ?? 0) + 1));
  const index = new Map(history.models.map((id, i) => [id, i]));
  const reps = [...clustering.representatives.values()].map((id) => index.get(id) ?? -1);
  let singleton: ((m: number) => number) | null = null;
  return history.models.map((id, m) => {
    const h = prior[m] ?? Number.NaN;
    if ((size.get(clustering.labels[m] ?? -1) ?? 0) > 1) return h * Math.exp(proxyOf(proxy.scores, id));
    singleton ??= singletonScorer(history, reps, proxy.scores);
    return h * singleton(m);
  });
}

/**
 * The `size` best models by score, best first (lower index first on a tie, NaN last), as
 * model ids. Throws when size is not an integer >= 1.
 */
export function topBy(models: readonly string[], scores: readonly number[], size: number): string[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`size is ${size}, but must be an integer >= 1`);
  return rankDescending(scores)
    .slice(0, size)
    .map((i) => models[i] ?? '');
}

/** How many models a proxy computes for a recall: every member of a multi-model cluster (singletons reuse representatives'). */
export function proxyComputations(clustering: Clustering, proxy: RecallProxy): number {
  if (proxy.kind === 'prior') return 0;
  const size = new Map<number, number>();
  clustering.labels.forEach((l) => size.set(l, (size.get(l) ?? 0) + 1));
  return clustering.labels.filter((l) => (size.get(l) ?? 0) > 1).length;
}

/**
 * Coarse recall: the `size` best-scored models of `history` (recallScores, then topBy).
 * Throws as those do.
 */
export function recall(history: PerformanceMatrix, clustering: Clustering, proxy: RecallProxy, size: number): string[] {
  return topBy(history.models, recallScores(history, clustering, proxy), size);
}

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
import { meanHistory, modelVectors } from './matrix';
import { cosine, rankDescending } from './stats';

/** Where a recall score's target-specific part comes from. */
export type RecallProxy = { readonly kind: 'prior' } | { readonly kind: 'scores'; readonly scores: ReadonlyMap<string, number> };

function proxyOf(proxy: ReadonlyMap<string, number>, model: string): number {
  const v = proxy.get(model);
  if (v === undefined || !Number.isFinite(v)) throw new Error(`proxy score of ${model} is ${String(v)}, but every scored model needs a finite one`);
  return v;
}

function singletonFactor(m: number, reps: readonly number[], vectors: readonly number[][], models: readonly string[], proxy: ReadonlyMap<string, number>): number {
  if (reps.length === 0) return Number.NaN;
  const terms = reps.map((r) => cosine(vectors[m] ?? [], vectors[r] ?? []) * Math.exp(proxyOf(proxy, models[r] ?? '')));
  return terms.reduce((s, t) => s + t, 0) / reps.length;
}

/**
 * Recall score of every model of `history` (module comment), in `history.models` order.
 * `clustering` must list the same models. A singleton scores NaN when no cluster has a
 * representative. Throws when the clustering's models differ or a needed proxy score is missing.
 */
export function recallScores(history: PerformanceMatrix, clustering: Clustering, proxy: RecallProxy): number[] {
  const prior = meanHistory(history);
  if (proxy.kind === 'prior') return prior;
  if (clustering.models.join('\u0000') !== history.models.join('\u0000')) throw new Error('clustering.models must equal history.models, in order');
  const size = new Map<number, number>();
  clustering.labels.forEach((l) => size.set(l, (size.get(l) ?? 0) + 1));
  const index = new Map(history.models.map((id, i) => [id, i]));
  const reps = [...clustering.representatives.values()].map((id) => index.get(id) ?? -1);
  const vectors = modelVectors(history);
  return history.models.map((id, m) => {
    const h = prior[m] ?? Number.NaN;
    const inCluster = (size.get(clustering.labels[m] ?? -1) ?? 0) > 1;
    return h * (inCluster ? Math.exp(proxyOf(proxy.scores, id)) : singletonFactor(m, reps, vectors, history.models, proxy.scores));
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

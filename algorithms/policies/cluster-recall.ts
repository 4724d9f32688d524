/**
 * The model clustering coarse recall works on: the offline phase's stored clustering when it
 * covers the models (so a model placed in its nearest cluster counts at once), otherwise the
 * paper's clustering of the history; and the models whose own proxy score recall needs.
 */
import type { Clustering, PerformanceMatrix } from '../types';
import { clusterPaper } from '../cluster-paper';

/**
 * The clustering recall uses, over exactly `matrix.models`: `stored` (so a model placed in its
 * nearest cluster counts at once) when it covers them; otherwise the paper's clustering of `matrix`.
 */
export function clusteringForMatrix(stored: Clustering | null | undefined, matrix: PerformanceMatrix, threshold?: number): Clustering {
  const index = new Map(stored?.models.map((m, i) => [m, i]) ?? []);
  if (!stored || matrix.models.some((m) => !index.has(m))) return clusterPaper(matrix, threshold === undefined ? {} : { threshold });
  const labels = matrix.models.map((m) => stored.labels[index.get(m) ?? -1] ?? -1);
  const keep = new Set(matrix.models);
  return { models: matrix.models, labels, representatives: new Map([...stored.representatives].filter(([, m]) => keep.has(m))) };
}

/** Models whose own proxy score recall needs: members of multi-model clusters and representatives. */
export function modelsNeedingProxy(c: Clustering): string[] {
  const size = new Map<number, number>();
  c.labels.forEach((l) => size.set(l, (size.get(l) ?? 0) + 1));
  const reps = new Set(c.representatives.values());
  return c.models.filter((m, i) => (size.get(c.labels[i] ?? -1) ?? 0) > 1 || reps.has(m));
}

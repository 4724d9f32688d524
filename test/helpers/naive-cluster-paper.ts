/**
 * The original O(n³) average-linkage loop of algorithms/cluster-paper.ts, kept as the
 * reference the fast implementation is checked against: recompute every pair's average
 * linkage from the member distances each step and merge the first closest pair.
 */
import { paperDistanceMatrix, toClustering } from '../../algorithms/cluster-paper';
import { meanHistory, modelVectors } from '../../algorithms/matrix';
import type { Clustering, PerformanceMatrix } from '../../algorithms/types';

function averageLinkage(dist: readonly (readonly number[])[], p: readonly number[], q: readonly number[]): number {
  let sum = 0;
  for (const i of p) for (const j of q) sum += dist[i]?.[j] ?? Number.POSITIVE_INFINITY;
  return sum / (p.length * q.length);
}

/** The reference agglomeration: same contract as algorithms/cluster-paper `agglomerate`. */
export function naiveAgglomerate(dist: readonly (readonly number[])[], threshold: number): number[][] {
  const clusters = dist.map((_, i) => [i]);
  for (;;) {
    let best = { i: -1, j: -1, d: Number.POSITIVE_INFINITY };
    for (let i = 0; i < clusters.length; i += 1) {
      for (let j = i + 1; j < clusters.length; j += 1) {
        const d = averageLinkage(dist, clusters[i] ?? [], clusters[j] ?? []);
        if (d < best.d) best = { i, j, d };
      }
    }
    if (best.i < 0 || !(best.d <= threshold)) return clusters;
    clusters[best.i] = [...(clusters[best.i] ?? []), ...(clusters[best.j] ?? [])];
    clusters.splice(best.j, 1);
  }
}

/** The reference clusterPaper. */
export function naiveClusterPaper(matrix: PerformanceMatrix, threshold = 0.09, topDifferences = 5): Clustering {
  const dist = paperDistanceMatrix(modelVectors(matrix), topDifferences);
  return toClustering(matrix.models, naiveAgglomerate(dist, threshold), meanHistory(matrix));
}

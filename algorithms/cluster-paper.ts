/**
 * The model clustering of Cui et al., "A Two-Phase Recall-and-Select Framework for Fast
 * Model Selection" (ICDE 2024), as the authors' code runs it.
 *
 * Distance between models a and b: over the datasets where both scores are > 0, the mean
 * of the `topDifferences` (5) largest |a_d - b_d|; with `topDifferences` or fewer such
 * datasets the models are never merged (distance +Infinity). Clusters are merged by
 * average linkage, always the closest pair first (the first pair in list order on a tie),
 * while that distance is <= `threshold` (0.09). A merged cluster takes the place of the
 * first of the two and lists its members in merge order.
 *
 * Representative of a multi-model cluster = member with the highest mean history score
 * (first in member order on a tie); singletons have none.
 *
 * Cost: the distances fill a condensed Float64Array (n(n-1)/2 entries: 400 MB at 10,000
 * models) and the agglomeration runs in O(n²) memory and, in practice, O(n²) time
 * (./average-linkage.ts). It makes the original O(n³) loop's decisions; the only possible
 * difference is where two linkages of multi-model clusters are equal in exact arithmetic
 * (or one equals the threshold) and the two loops' sums round differently.
 */
import type { Clustering, PerformanceMatrix } from './types';
import { meanHistory } from './matrix';
import { agglomerateCondensed, toCondensed } from './average-linkage';
import { paperDistancesCondensed } from './paper-distance';

export interface PaperClusterOptions {
  /** Merge while the closest pair is at most this far apart. @default 0.09 */
  threshold?: number;
  /** How many of the largest absolute differences are averaged; also the overlap needed, exclusive. @default 5 */
  topDifferences?: number;
}

const DEFAULTS: Required<PaperClusterOptions> = { threshold: 0.09, topDifferences: 5 };

/** The paper's distance between two history vectors (see the module comment); Infinity when too few shared datasets. */
export function paperDistance(a: readonly number[], b: readonly number[], topDifferences = DEFAULTS.topDifferences): number {
  if (!Number.isInteger(topDifferences) || topDifferences < 1) throw new Error(`topDifferences is ${topDifferences}, but must be an integer >= 1`);
  const diffs: number[] = [];
  for (let d = 0; d < Math.min(a.length, b.length); d += 1) {
    const x = a[d] ?? Number.NaN;
    const y = b[d] ?? Number.NaN;
    if (x > 0 && y > 0) diffs.push(Math.abs(x - y));
  }
  if (diffs.length <= topDifferences) return Number.POSITIVE_INFINITY;
  diffs.sort((p, q) => q - p);
  return diffs.slice(0, topDifferences).reduce((s, v) => s + v, 0) / topDifferences;
}

/** Pairwise paperDistance between all history vectors. */
export function paperDistanceMatrix(vectors: readonly (readonly number[])[], topDifferences = DEFAULTS.topDifferences): number[][] {
  return vectors.map((a, i) => vectors.map((b, j) => (i === j ? 0 : paperDistance(a, b, topDifferences))));
}

/**
 * Average-linkage agglomerative clustering on a precomputed distance matrix: merge the
 * closest pair (the first in list order on a tie) while its distance is <= threshold.
 * Returns member index lists in the authors' order. Pure; throws when the threshold is not
 * finite. O(n²) memory (algorithms/average-linkage.ts).
 */
export function agglomerate(dist: readonly (readonly number[])[], threshold: number): number[][] {
  return agglomerateCondensed(toCondensed(dist), dist.length, threshold);
}

/** Member with the highest score (first on a tie; NaN never wins over a number). */
export function bestMember(members: readonly number[], score: readonly number[]): number {
  let best = members[0] ?? -1;
  for (const m of members) {
    const s = score[m] ?? Number.NaN;
    const b = score[best] ?? Number.NaN;
    if (s > b || (Number.isNaN(b) && !Number.isNaN(s))) best = m;
  }
  return best;
}

/** Build a Clustering from member lists: label = list position; representatives for multi-model clusters only. */
export function toClustering(models: readonly string[], clusters: readonly (readonly number[])[], score: readonly number[]): Clustering {
  const labels = models.map(() => -1);
  const representatives = new Map<number, string>();
  clusters.forEach((members, label) => {
    members.forEach((m) => (labels[m] = label));
    if (members.length > 1) representatives.set(label, models[bestMember(members, score)] ?? '');
  });
  return { models: [...models], labels, representatives };
}

/**
 * Cluster the models of a performance matrix the paper's way (module comment).
 * Returns a Clustering whose labels follow the authors' cluster order. Pure and
 * deterministic. Throws when an option is out of range.
 */
export function clusterPaper(matrix: PerformanceMatrix, options: PaperClusterOptions = {}): Clustering {
  const o = { ...DEFAULTS, ...options };
  const n = matrix.models.length;
  const clusters = agglomerateCondensed(paperDistancesCondensed(matrix, o.topDifferences), n, o.threshold);
  return toClustering(matrix.models, clusters, meanHistory(matrix));
}

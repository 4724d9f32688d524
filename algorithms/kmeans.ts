/**
 * Seeded k-means, the only door to `ml-kmeans` (v6 ships CommonJS; v7 is ESM-only, so a
 * switch touches this file alone). Every entry point takes an explicit seed and returns
 * plain arrays; nothing here reads the clock or Math.random.
 */
import { kmeans as mlKmeans } from 'ml-kmeans';
import type { Clustering, PerformanceMatrix } from './types';
import { meanHistory, modelVectors } from './matrix';
import { mean } from './stats';
import { toClustering } from './cluster-paper';

export interface KMeansResult {
  /** Cluster index of each point, 0..k-1. */
  readonly labels: number[];
  readonly centroids: number[][];
  /** Sum of squared distances of the points to their centroid. */
  readonly inertia: number;
}

export interface KMeansOptions {
  /** Seed of the k-means++ initialisation; restart r uses seed + r. @default 1 */
  seed?: number;
  /** Independent k-means++ starts; the lowest inertia wins (first on a tie). @default 10 */
  restarts?: number;
  /** @default 100 */
  maxIterations?: number;
}

const DEFAULTS: Required<KMeansOptions> = { seed: 1, restarts: 10, maxIterations: 100 };

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return s;
}

function validateK(k: number, points: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k is ${k}, but must be an integer >= 1`);
  if (k > points) throw new Error(`k is ${k}, but must be <= the number of points (${points})`);
}

function inertiaOf(points: readonly number[][], labels: readonly number[], centroids: readonly number[][]): number {
  return points.reduce((s, p, i) => s + squaredDistance(p, centroids[labels[i] ?? 0] ?? p), 0);
}

/**
 * Seeded k-means (k-means++ starts, Euclidean). Deterministic for a given seed.
 * Throws when k is not an integer in 1..points.length or a point is not finite.
 */
export function kmeans(points: readonly (readonly number[])[], k: number, options: KMeansOptions = {}): KMeansResult {
  const o = { ...DEFAULTS, ...options };
  validateK(k, points.length);
  if (points.some((p) => p.some((v) => !Number.isFinite(v)))) throw new Error('points must be finite: impute missing values first');
  const data = points.map((p) => [...p]);
  let best: KMeansResult | null = null;
  for (let r = 0; r < o.restarts; r += 1) {
    const res = mlKmeans(data, k, { seed: o.seed + r, initialization: 'kmeans++', maxIterations: o.maxIterations });
    const inertia = inertiaOf(data, res.clusters, res.centroids);
    if (best === null || inertia < best.inertia) best = { labels: [...res.clusters], centroids: res.centroids.map((c) => [...c]), inertia };
  }
  if (best === null) throw new Error(`restarts is ${o.restarts}, but must be >= 1`);
  return best;
}

/** Dense cluster index (first-appearance order) of each label. */
function denseLabels(labels: readonly number[], n: number): { of: Int32Array; k: number } {
  const index = new Map<number, number>();
  const of = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    const l = labels[i] ?? -1;
    if (!index.has(l)) index.set(l, index.size);
    of[i] = index.get(l) ?? 0;
  }
  return { of, k: index.size };
}

/**
 * Per point i and cluster c: how many other points c has, and the sum and count of the
 * finite distances from i to them, added in ascending point order. Each distance is
 * computed once and credited to both ends: O(n² · dims) time, O(n · k) memory.
 */
function clusterDistanceSums(
  points: readonly (readonly number[])[],
  of: Int32Array,
  k: number,
): { members: Int32Array; sums: Float64Array; finite: Int32Array } {
  const n = points.length;
  const members = new Int32Array(n * k);
  const sums = new Float64Array(n * k);
  const finite = new Int32Array(n * k);
  for (let i = 0; i < n; i += 1) {
    const p = points[i] ?? [];
    const ci = of[i] ?? 0;
    for (let j = i + 1; j < n; j += 1) {
      const d = Math.sqrt(squaredDistance(p, points[j] ?? []));
      const a = i * k + (of[j] ?? 0);
      const b = j * k + ci;
      members[a] = (members[a] ?? 0) + 1;
      members[b] = (members[b] ?? 0) + 1;
      if (!Number.isFinite(d)) continue;
      sums[a] = (sums[a] ?? 0) + d;
      sums[b] = (sums[b] ?? 0) + d;
      finite[a] = (finite[a] ?? 0) + 1;
      finite[b] = (finite[b] ?? 0) + 1;
    }
  }
  return { members, sums, finite };
}

/**
 * Mean silhouette coefficient (Euclidean) of a labelling; points alone in their cluster
 * count 0, as in scikit-learn. NaN when there are fewer than 2 clusters. A point's mean
 * distance to a cluster skips non-finite distances (NaN when it has none). O(n² · dims).
 */
export function silhouette(points: readonly (readonly number[])[], labels: readonly number[]): number {
  if (new Set(labels).size < 2) return Number.NaN;
  const n = points.length;
  const { of, k } = denseLabels(labels, n);
  const { members, sums, finite } = clusterDistanceSums(points, of, k);
  const meanTo = (i: number, c: number): number => ((finite[i * k + c] ?? 0) > 0 ? (sums[i * k + c] ?? 0) / (finite[i * k + c] ?? 1) : Number.NaN);
  const scores = new Array<number>(n);
  for (let i = 0; i < n; i += 1) {
    const own = of[i] ?? 0;
    if ((members[i * k + own] ?? 0) === 0) {
      scores[i] = 0;
      continue;
    }
    const ownMean = meanTo(i, own);
    let nearest = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c += 1) if (c !== own && (members[i * k + c] ?? 0) > 0) nearest = Math.min(nearest, meanTo(i, c));
    scores[i] = nearest === ownMean ? 0 : (nearest - ownMean) / Math.max(nearest, ownMean);
  }
  return mean(scores);
}

/**
 * Seeded 1-D k-means, used to bin a model's validation scores. k is lowered to the number
 * of distinct values when there are fewer (a cluster cannot split equal points).
 * Returns labels, centres (one per cluster) and inertia. Throws when k < 1 or a value is not finite.
 */
export function kmeans1d(values: readonly number[], k: number, options: KMeansOptions = {}): { labels: number[]; centers: number[]; inertia: number } {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k is ${k}, but must be an integer >= 1`);
  const distinct = new Set(values).size;
  const res = kmeans(
    values.map((v) => [v]),
    Math.min(k, distinct),
    options,
  );
  return { labels: res.labels, centers: res.centroids.map((c) => c[0] ?? Number.NaN), inertia: res.inertia };
}

/** Index of the centre nearest `value` (first on a tie). */
export function nearestCenter(centers: readonly number[], value: number): number {
  let best = 0;
  centers.forEach((c, i) => {
    if (Math.abs(c - value) < Math.abs((centers[best] ?? Number.NaN) - value)) best = i;
  });
  return best;
}

/**
 * Per dataset, scale scores to [0, 1] by the min and max over models and fill a missing
 * score with that dataset's mean scaled score (0.5 when a dataset has one distinct value).
 * Returns one normalised vector per model.
 */
export function normalizedVectors(matrix: PerformanceMatrix): number[][] {
  const vectors = modelVectors(matrix);
  const scaled = matrix.datasets.map((_, d) => {
    const col = vectors.map((v) => v[d] ?? Number.NaN);
    const finite = col.filter(Number.isFinite);
    const lo = finite.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const hi = finite.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    const s = col.map((v) => (!Number.isFinite(v) ? Number.NaN : hi > lo ? (v - lo) / (hi - lo) : 0.5));
    const fill = finite.length === 0 ? 0.5 : mean(s);
    return s.map((v) => (Number.isFinite(v) ? v : fill));
  });
  return matrix.models.map((_, m) => scaled.map((col) => col[m] ?? 0.5));
}

export interface KMeansClusterOptions extends KMeansOptions {
  /** Smallest k tried. @default 2 */
  minK?: number;
  /** Largest k tried (capped at models - 1). @default 8 */
  maxK?: number;
}

/**
 * Cluster models by k-means on their normalised performance vectors, k in minK..maxK
 * chosen by the highest mean silhouette (smallest k on a tie). Representative of each
 * multi-model cluster = member with the highest mean history score; singletons have none.
 * Deterministic for a seed. Throws when fewer than 3 models or minK < 2 or maxK < minK.
 */
export function clusterKMeans(matrix: PerformanceMatrix, options: KMeansClusterOptions = {}): Clustering {
  const { minK = 2, maxK = 8, ...km } = options;
  if (matrix.models.length < 3) throw new Error(`${matrix.models.length} models, but k-means clustering needs >= 3`);
  if (!Number.isInteger(minK) || minK < 2) throw new Error(`minK is ${minK}, but must be an integer >= 2`);
  if (maxK < minK) throw new Error(`maxK is ${maxK}, but must be >= minK (${minK})`);
  const points = normalizedVectors(matrix);
  let best = { score: Number.NEGATIVE_INFINITY, labels: points.map(() => 0) };
  for (let k = minK; k <= Math.min(maxK, points.length - 1); k += 1) {
    const { labels } = kmeans(points, k, km);
    const score = silhouette(points, labels);
    if (score > best.score) best = { score, labels };
  }
  const members = new Map<number, number[]>();
  best.labels.forEach((l, m) => members.set(l, [...(members.get(l) ?? []), m]));
  const ordered = [...members.keys()].sort((a, b) => a - b).map((l) => members.get(l) ?? []);
  return toClustering(matrix.models, ordered, meanHistory(matrix));
}

/**
 * Placing new models into an existing clustering without re-clustering: each new model joins
 * the cluster whose representative is nearest by the paper's distance (../cluster-paper.ts),
 * when that distance is within the merge threshold; otherwise it becomes a singleton. The cost
 * is one distance per cluster representative, independent of the number of clustered models.
 * Representatives do not change (a full re-clustering, e.g. the nightly refresh, revisits them).
 */
import type { Clustering, PerformanceMatrix } from './types';
import { modelVector } from './matrix';
import { paperDistance } from './cluster-paper';

export interface PlaceOptions {
  /** A model joins a cluster only within this distance of its representative. @default 0.09 */
  threshold?: number;
  /** As in the paper's distance. @default 5 */
  topDifferences?: number;
}

/** Where one new model went. */
export interface Placement {
  readonly model: string;
  readonly label: number;
  /** Distance to the chosen representative; Infinity for a new singleton. */
  readonly distance: number;
}

/** A cluster representative's label and history vector, prepared once for many placements. */
export interface RepresentativeVector {
  readonly label: number;
  readonly vector: readonly number[];
}

/** The representatives of `clustering` present in `matrix`, by ascending label, with their history vectors. */
export function representativeVectors(clustering: Clustering, matrix: PerformanceMatrix): RepresentativeVector[] {
  const wanted = new Set(clustering.representatives.values());
  const index = new Map<string, number>();
  matrix.models.forEach((m, i) => {
    if (wanted.has(m)) index.set(m, i);
  });
  return [...clustering.representatives]
    .sort((a, b) => a[0] - b[0])
    .filter(([, m]) => index.has(m))
    .map(([label, m]) => ({ label, vector: modelVector(matrix, index.get(m) ?? -1) }));
}

/**
 * The nearest representative of one history vector: one paper distance per representative,
 * so O(#clusters × datasets) whatever the number of clustered models. Ties go to the earlier
 * representative in `reps` (representativeVectors sorts them by label). Label -1 and distance Infinity when none is finite.
 */
export function nearestRepresentative(
  vector: readonly number[],
  reps: readonly RepresentativeVector[],
  topDifferences = 5,
): { label: number; distance: number } {
  let best = { label: -1, distance: Number.POSITIVE_INFINITY };
  for (const r of reps) {
    const d = paperDistance(vector, r.vector, topDifferences);
    if (d < best.distance) best = { label: r.label, distance: d };
  }
  return best;
}

/**
 * `clustering` extended by every model of `matrix` it lacks, in matrix order (see module
 * comment). Pure and deterministic; ties go to the lower cluster label. Throws when the
 * threshold is not > 0. Cost: O(models) bookkeeping plus nearestRepresentative per new model.
 */
export function placeInNearestCluster(
  clustering: Clustering,
  matrix: PerformanceMatrix,
  options: PlaceOptions = {},
): { clustering: Clustering; placements: Placement[] } {
  const threshold = options.threshold ?? 0.09;
  const top = options.topDifferences ?? 5;
  if (!(threshold > 0)) throw new Error(`threshold is ${threshold}, but must be > 0`);
  const reps = representativeVectors(clustering, matrix);
  const known = new Set(clustering.models);
  let nextLabel = clustering.labels.reduce((a, b) => Math.max(a, b), -1) + 1;
  const placements: Placement[] = [];
  matrix.models.forEach((m, i) => {
    if (known.has(m)) return;
    known.add(m);
    const best = nearestRepresentative(modelVector(matrix, i), reps, top);
    placements.push(best.distance <= threshold ? { model: m, ...best } : { model: m, label: nextLabel++, distance: Number.POSITIVE_INFINITY });
  });
  return {
    clustering: {
      models: [...clustering.models, ...placements.map((p) => p.model)],
      labels: [...clustering.labels, ...placements.map((p) => p.label)],
      representatives: clustering.representatives,
    },
    placements,
  };
}

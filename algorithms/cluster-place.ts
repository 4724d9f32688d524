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

/**
 * `clustering` extended by every model of `matrix` it lacks, in matrix order (see module
 * comment). Pure and deterministic; ties go to the lower cluster label. Throws when the
 * threshold is not > 0.
 */
export function placeInNearestCluster(clustering: Clustering, matrix: PerformanceMatrix, options: PlaceOptions = {}): { clustering: Clustering; placements: Placement[] } {
  const threshold = options.threshold ?? 0.09;
  const top = options.topDifferences ?? 5;
  if (!(threshold > 0)) throw new Error(`threshold is ${threshold}, but must be > 0`);
  const index = new Map(matrix.models.map((m, i) => [m, i]));
  const reps = [...clustering.representatives].sort((a, b) => a[0] - b[0]).filter(([, m]) => index.has(m));
  const repVectors = reps.map(([label, m]) => ({ label, v: modelVector(matrix, index.get(m) ?? -1) }));
  const known = new Set(clustering.models);
  let nextLabel = Math.max(-1, ...clustering.labels) + 1;
  const placements: Placement[] = [];
  for (const [m, i] of index) {
    if (known.has(m)) continue;
    const v = modelVector(matrix, i);
    let best = { label: -1, distance: Number.POSITIVE_INFINITY };
    for (const r of repVectors) {
      const d = paperDistance(v, r.v, top);
      if (d < best.distance) best = { label: r.label, distance: d };
    }
    placements.push(best.distance <= threshold ? { model: m, ...best } : { model: m, label: nextLabel++, distance: Number.POSITIVE_INFINITY });
  }
  return {
    clustering: {
      models: [...clustering.models, ...placements.map((p) => p.model)],
      labels: [...clustering.labels, ...placements.map((p) => p.label)],
      representatives: clustering.representatives,
    },
    placements,
  };
}

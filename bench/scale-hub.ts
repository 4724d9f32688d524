/**
 * The synthetic hub of `npm run bench:scale`: n models × d benchmarks drawn around a fixed
 * number of family profiles (models of one family score alike, as fine-tunes of one base
 * model do: each score is the family's ± 0.04), a share of outliers with a profile of their own, and optionally missing cells.
 * Seeded: a size always gives the same hub, and the first k models of a bigger hub are the
 * hub of size k.
 */
import { mulberry32 } from '../algorithms/random';
import type { Clustering, PerformanceMatrix } from '../algorithms/types';

export interface ScaleHubOptions {
  models: number;
  datasets: number;
  /** @default 200 */
  families?: number;
  /** Share of models with a profile of their own. @default 0.03 */
  outliers?: number;
  /** Share of missing cells (NaN). @default 0 */
  missing?: number;
  /** @default 1 */
  seed?: number;
}

export interface ScaleHub {
  readonly matrix: PerformanceMatrix;
  /** Family of each model; -1 for an outlier. */
  readonly family: Int32Array;
  /** One more model drawn the same way, for placement (`newModel(i)`, i >= 0: never one of the hub). */
  readonly newModel: (i: number) => number[];
}

function profile(r: () => number, datasets: number): Float64Array {
  return Float64Array.from({ length: datasets }, () => 0.3 + 0.6 * r());
}

/** The hub described in the module comment. */
export function scaleHub(o: ScaleHubOptions): ScaleHub {
  const { models: n, datasets: dims, families = 200, outliers = 0.03, missing = 0, seed = 1 } = o;
  const base = mulberry32(seed);
  const profiles = Array.from({ length: families }, () => profile(base, dims));
  const draw = (m: number): { fam: number; v: Float64Array } => {
    const r = mulberry32(seed * 7919 + m + 1);
    const fam = r() < outliers ? -1 : Math.floor(r() * families);
    const p = fam < 0 ? profile(r, dims) : (profiles[fam] ?? profile(r, dims));
    return { fam, v: p.map((x) => (r() < missing ? Number.NaN : x + (r() - 0.5) * 0.08)) };
  };
  const values = new Float64Array(n * dims);
  const family = new Int32Array(n);
  for (let m = 0; m < n; m += 1) {
    const { fam, v } = draw(m);
    family[m] = fam;
    v.forEach((x, d) => (values[d * n + m] = x));
  }
  const matrix = { models: Array.from({ length: n }, (_, m) => `model-${m}`), datasets: Array.from({ length: dims }, (_, d) => `bench-${d}`), values };
  return { matrix, family, newModel: (i) => [...draw(n + i).v] };
}

/**
 * The hub's families as a clustering, as a full re-clustering would find them: one cluster per
 * family that has members (representative = its first member), each outlier a singleton.
 */
export function familyClustering(hub: ScaleHub): Clustering {
  const labelOf = new Map<number, number>();
  const representatives = new Map<number, string>();
  let next = 0;
  const labels = Array.from(hub.family, (fam, m) => {
    if (fam < 0) return next++;
    let l = labelOf.get(fam);
    if (l === undefined) {
      l = next++;
      labelOf.set(fam, l);
      representatives.set(l, hub.matrix.models[m] ?? '');
    }
    return l;
  });
  return { models: hub.matrix.models, labels, representatives };
}

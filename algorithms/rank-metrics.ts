/**
 * How well a proxy score ranks models, judged against their fine-tuned accuracy: Pearson,
 * Spearman, weighted Kendall τ and top-1 regret. Arguments are aligned arrays (entry i of
 * both belongs to model i); higher is better on both sides.
 *
 * NaN policy: Pearson and Spearman use only the models where both values are finite
 * (pairwise deletion; scipy would return NaN); weighted τ follows scipy.stats.weightedtau
 * and treats NaN as the lowest possible score; regret is described at `topOneRegret`. A statistic that is undefined (fewer than 2 usable models, or
 * one side constant) is NaN.
 */

function checkLengths(x: readonly number[], y: readonly number[]): void {
  if (x.length !== y.length) throw new Error(`the two score arrays have ${x.length} and ${y.length} entries, but must be the same length`);
}

/** The pairs (x_i, y_i) where both values are finite. */
function completePairs(x: readonly number[], y: readonly number[]): { x: number[]; y: number[] } {
  checkLengths(x, y);
  const keep = x.map((_, i) => i).filter((i) => Number.isFinite(x[i] ?? Number.NaN) && Number.isFinite(y[i] ?? Number.NaN));
  return { x: keep.map((i) => x[i] ?? 0), y: keep.map((i) => y[i] ?? 0) };
}

/** Pearson correlation of two complete, equal-length arrays; NaN when < 2 pairs or a side is constant. */
function pearsonComplete(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const mx = x.reduce((a, v) => a + v, 0) / n;
  const my = y.reduce((a, v) => a + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = (x[i] ?? 0) - mx;
    const dy = (y[i] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/**
 * Ranks 1..n in ascending order of value, tied values sharing the average of their ranks
 * ([10, 20, 20, 5] → [2, 3.5, 3.5, 1]). Throws on NaN, which has no place in an order.
 */
export function averageRanks(values: readonly number[]): number[] {
  values.forEach((v, i) => {
    if (Number.isNaN(v)) throw new Error(`values[${i}] is NaN, but ranks need comparable numbers`);
  });
  const order = values.map((_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0) || a - b);
  const ranks = new Array<number>(values.length).fill(0);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end] ?? 0] === values[order[start] ?? 0]) end += 1;
    for (let p = start; p < end; p += 1) ranks[order[p] ?? 0] = (start + end + 1) / 2;
    start = end;
  }
  return ranks;
}

/** Pearson correlation r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²) over the complete pairs. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const p = completePairs(x, y);
  return pearsonComplete(p.x, p.y);
}

/** Spearman ρ: Pearson correlation of the average ranks (ties averaged) of the complete pairs. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const p = completePairs(x, y);
  return pearsonComplete(averageRanks(p.x), averageRanks(p.y));
}

export interface WeightedTauOptions {
  /** Weight of an element from its 0-based importance rank r. @default (r) => 1 / (r + 1) */
  weigher?: (rank: number) => number;
  /** Weight of a pair: w(r_i) + w(r_j) when true, w(r_i) · w(r_j) when false. @default true */
  additive?: boolean;
}

const TAU_DEFAULTS: Required<WeightedTauOptions> = { weigher: (r) => 1 / (r + 1), additive: true };

/** NaN compares below every number (and equal to NaN), as in scipy. */
function compare(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1;
  return Math.sign(a - b);
}

/**
 * Importance rank of each element: 0 for the largest by (primary, secondary) decreasing;
 * exact duplicates get the later index first, as scipy's reversed stable lexsort does.
 */
function importanceRanks(primary: readonly number[], secondary: readonly number[]): number[] {
  const order = primary.map((_, i) => i).sort((a, b) => compare(primary[b] ?? 0, primary[a] ?? 0) || compare(secondary[b] ?? 0, secondary[a] ?? 0) || b - a);
  const rank = new Array<number>(primary.length).fill(0);
  order.forEach((i, r) => (rank[i] = r));
  return rank;
}

/** Vigna's τ_w for one rank array: Σ w_ij s^x_ij s^y_ij / √(Σ_{x_i≠x_j} w_ij · Σ_{y_i≠y_j} w_ij). */
function tauForRanks(x: readonly number[], y: readonly number[], rank: readonly number[], o: Required<WeightedTauOptions>): number {
  const w = rank.map((r) => o.weigher(r));
  let numerator = 0;
  let xWeight = 0;
  let yWeight = 0;
  for (let i = 0; i < x.length; i += 1) {
    for (let j = i + 1; j < x.length; j += 1) {
      const wij = o.additive ? (w[i] ?? 0) + (w[j] ?? 0) : (w[i] ?? 0) * (w[j] ?? 0);
      const sx = compare(x[i] ?? 0, x[j] ?? 0);
      const sy = compare(y[i] ?? 0, y[j] ?? 0);
      numerator += wij * sx * sy;
      if (sx !== 0) xWeight += wij;
      if (sy !== 0) yWeight += wij;
    }
  }
  return xWeight === 0 || yWeight === 0 ? Number.NaN : numerator / Math.sqrt(xWeight * yWeight);
}

/**
 * Weighted Kendall τ as scipy.stats.weightedtau(x, y) with its defaults (rank=True, the
 * hyperbolic weigher, additive weights), after Vigna (WWW 2015):
 *
 *   τ_w(ρ) = Σ_{i<j} w_ij sgn(x_i − x_j) sgn(y_i − y_j) / √( Σ_{i<j, x_i≠x_j} w_ij · Σ_{i<j, y_i≠y_j} w_ij ),
 *   w_ij = w(ρ_i) + w(ρ_j)  (or w(ρ_i) · w(ρ_j) when not additive),  w(r) = 1 / (r + 1),
 *
 * where ρ_i is element i's 0-based position when sorting decreasingly by (x, y)
 * lexicographically; the result is the mean of τ_w with that ρ and with the ρ from
 * sorting by (y, x). Exchanges near the top of either ranking weigh most. In [−1, 1]: 1 for
 * identical orders, −1 when y orders the elements exactly opposite to x (ties included,
 * e.g. y = −x). NaN when a side is constant or there are fewer than 2 elements. O(n²).
 */
export function weightedTau(x: readonly number[], y: readonly number[], options: WeightedTauOptions = {}): number {
  checkLengths(x, y);
  const o = { ...TAU_DEFAULTS, ...options };
  return (tauForRanks(x, y, importanceRanks(x, y), o) + tauForRanks(x, y, importanceRanks(y, x), o)) / 2;
}

/**
 * Top-1 regret: the best finite true value minus the true value of the model the proxy
 * ranks first; ≥ 0, and 0 when the proxy's top pick is a best model. The pick is the
 * proxy's argmax among the models where both values are finite (first listed on a tie),
 * while the best is taken over every finite truth, so a proxy that has no score for the
 * best model pays for missing it. NaN when no model has both values.
 */
export function topOneRegret(proxy: readonly number[], truth: readonly number[]): number {
  const p = completePairs(proxy, truth);
  if (p.x.length === 0) return Number.NaN;
  let pick = 0;
  p.x.forEach((v, i) => {
    if (v > (p.x[pick] ?? 0)) pick = i;
  });
  return Math.max(...truth.filter(Number.isFinite)) - (p.y[pick] ?? 0);
}

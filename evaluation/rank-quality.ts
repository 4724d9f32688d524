/**
 * How well one score ranks a target's models against their true (fine-tuned) values: Pearson,
 * Spearman, weighted Kendall τ (algorithms/rank-metrics.ts), top-1 regret and the top-k hit
 * (the true best among the score's k highest). Pure.
 */
import { pearson, spearman, topOneRegret, weightedTau } from '../algorithms/rank-metrics';

/** Best truth minus the best truth among the score's `k` highest-scored models (NaN scores last); ≥ 0, NaN without truth. */
export function regretAtK(score: readonly number[], truth: readonly number[], k: number): number {
  const isNaN = (i: number): number => (Number.isNaN(score[i] ?? Number.NaN) ? -1 : 0);
  const order = score
    .map((_, i) => i)
    .filter((i) => Number.isFinite(truth[i] ?? Number.NaN))
    .sort((a, b) => isNaN(b) - isNaN(a) || (score[b] ?? 0) - (score[a] ?? 0) || a - b);
  if (order.length === 0) return Number.NaN;
  return Math.max(...order.map((i) => truth[i] ?? 0)) - Math.max(...order.slice(0, k).map((i) => truth[i] ?? 0));
}

export interface RankQuality {
  readonly models: number;
  readonly pearson: number;
  readonly spearman: number;
  readonly tau: number;
  /** Top-1 regret in the truth's units. */
  readonly regret: number;
  /** Best of the top 3 against the best, in the truth's units. */
  readonly regretTop3: number;
  /** 1 when a best model is among the score's k highest, else 0; NaN without truth. */
  readonly hitAtK: number;
}

/** Rank quality of `score` against `truth` (aligned; NaN = missing; higher is better on both). */
export function rankQuality(score: readonly number[], truth: readonly number[], k = 3): RankQuality {
  const atK = regretAtK(score, truth, k);
  return {
    models: truth.filter(Number.isFinite).length,
    pearson: pearson(score, truth),
    spearman: spearman(score, truth),
    tau: weightedTau(score, truth),
    regret: topOneRegret(score, truth),
    regretTop3: regretAtK(score, truth, 3),
    hitAtK: Number.isNaN(atK) ? Number.NaN : atK === 0 ? 1 : 0,
  };
}

/** Mean of the finite entries; NaN when there are none. */
export const meanFinite = (v: readonly number[]): number => {
  const f = v.filter(Number.isFinite);
  return f.length === 0 ? Number.NaN : f.reduce((a, b) => a + b, 0) / f.length;
};

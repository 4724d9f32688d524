/**
 * The convergence-trend filter of Cui et al. (ICDE 2024) fine selection.
 *
 * Prediction: at epoch t, model m's validation scores at epoch t on the other recorded
 * datasets are split by 1-D k-means into K clusters (the paper: K = 3 or 4); m's predicted
 * final score = mean final (test) score of the cluster whose centre is nearest m's current
 * validation score on the target.
 *
 * Filter: visiting models from the lowest current validation score up, m is dropped when
 * some model with a strictly higher current score has a prediction above m's by more than
 * the threshold (absolute: p' - thr > p; relative: p' * (1 - thr) > p). The model(s) with
 * the highest current score are never dropped. A NaN prediction never drops its model and
 * never drops another one. Models are compared on scores where higher is better.
 */
import type { RunRecord, RunSet } from './types';
import { kmeans1d, nearestCenter } from './kmeans';
import { mean } from './stats';
import { dropWorstUntil, keepCount } from './halving';

export interface TrendOptions {
  /** K of the 1-D k-means. @default 4 */
  clusters?: number;
  /** Margin a better model's prediction must exceed. @default 0 */
  threshold?: number;
  /** `absolute`: p' - threshold > p; `relative`: p' * (1 - threshold) > p. @default 'absolute' */
  thresholdMode?: 'absolute' | 'relative';
  /** Seed of the k-means starts. @default 1 */
  seed?: number;
}

export const TREND_DEFAULTS: Required<TrendOptions> = { clusters: 4, threshold: 0, thresholdMode: 'absolute', seed: 1 };

/** One recorded run seen at epoch t: its validation score then and its final score. */
export interface TrendPoint {
  readonly val: number;
  readonly final: number;
}

/** Runs grouped by model, for trendPoints. */
export function runsByModel(runs: RunSet): Map<string, RunRecord[]> {
  const out = new Map<string, RunRecord[]>();
  for (const r of runs.runs) out.set(r.model, [...(out.get(r.model) ?? []), r]);
  return out;
}

/** Model's (validation at `epoch`, test) pairs over its runs that reach that epoch and have a finite test. */
export function trendPoints(runs: readonly RunRecord[], epoch: number): TrendPoint[] {
  return runs.flatMap((r) => {
    const val = r.val[epoch - 1];
    return val !== undefined && Number.isFinite(val) && r.test !== null && Number.isFinite(r.test) ? [{ val, final: r.test }] : [];
  });
}

/**
 * Predicted final score from a model's trend points and its current validation score
 * (module comment). NaN when there are no points. Deterministic for a seed; throws when K < 1.
 */
export function predictFinal(points: readonly TrendPoint[], current: number, options: TrendOptions = {}): number {
  const o = { ...TREND_DEFAULTS, ...options };
  if (!Number.isInteger(o.clusters) || o.clusters < 1) throw new Error(`clusters is ${o.clusters}, but must be an integer >= 1`);
  if (points.length === 0 || !Number.isFinite(current)) return Number.NaN;
  const { labels, centers } = kmeans1d(
    points.map((p) => p.val),
    Math.min(o.clusters, points.length),
    { seed: o.seed },
  );
  const c = nearestCenter(centers, current);
  return mean(points.filter((_, i) => labels[i] === c).map((p) => p.final));
}

function dominated(p: number, better: number, o: Required<TrendOptions>): boolean {
  if (!Number.isFinite(p) || !Number.isFinite(better)) return false;
  return o.thresholdMode === 'absolute' ? better - o.threshold > p : better * (1 - o.threshold) > p;
}

/**
 * The filter step alone: indices (in input order) of the models it keeps, given current
 * validation scores and predictions. Throws when the two lengths differ.
 */
export function trendFilter(current: readonly number[], predicted: readonly number[], options: TrendOptions = {}): number[] {
  const o = { ...TREND_DEFAULTS, ...options };
  if (current.length !== predicted.length) throw new Error(`${current.length} scores but ${predicted.length} predictions`);
  return current
    .map((v, i) => i)
    .filter((i) => {
      const v = current[i] ?? Number.NaN;
      return !current.some((w, j) => (w > v || (Number.isNaN(v) && !Number.isNaN(w))) && dominated(predicted[i] ?? Number.NaN, predicted[j] ?? Number.NaN, o));
    });
}

/**
 * One fine-selection round: the trend filter, then forced halving of what is left down to
 * max(1, floor(n / eta)) of the n models that entered the round (lowest current score first).
 * Returns surviving indices in input order. Throws when eta < 2.
 */
export function fineSelectionRound(current: readonly number[], predicted: readonly number[], eta: number, options: TrendOptions = {}): number[] {
  const keep = keepCount(current.length, eta);
  return dropWorstUntil(current, trendFilter(current, predicted, options), keep, 'maximize');
}

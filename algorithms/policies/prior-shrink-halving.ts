/**
 * prior-shrink-halving: recall by the history prior, then successive halving on
 * validation scores corrected by each model's history and shrunk toward the prior.
 *
 * 1. Recall: the `recallSize` pool models with the best standardized history prior
 *    (../prior.ts); no proxy is computed, so recall is free.
 * 2. Rounds: each epoch, every surviving model trains one more epoch and is scored by
 *    y = validation + its usual gap to the final score on other datasets (`trend`), then
 *    shrunk toward a fit on the prior with an empirical-Bayes weight (`shrink`, see
 *    ../shrinkage.ts); the best max(1, floor(n / eta)) go on, ties to the higher prior.
 *    At the budget epoch the best score is the pick.
 * Every statistic comes from task.history / task.curves (other datasets) or from the
 * models trained so far on the target; nothing is tuned per target.
 */
import type { Rung, SelectionPolicy, SelectionTask } from '../policy';
import type { OptionsOf } from '../../contracts/schemas/policy';
import { keepBest } from '../halving';
import { standardizedPrior } from '../prior';
import { topBy } from '../recall';
import { historyGap, noiseVariance, shrinkTowardPrior } from '../shrinkage';
import { runsByModel } from '../trend-filter';
import { rankDescending } from '../stats';
import { last, memo } from './rounds';

type Options = OptionsOf<'prior-shrink-halving'>;

/** What the rung scores are. */
export const CORRECTED_SCORE = 'score (validation + the model\'s usual gap to its final on other datasets, shrunk toward the history prior; metric scale)';

/** Standardized history prior per model (z-score of its mean standardized final metric over the history datasets). */
function priorOf(task: SelectionTask): ReadonlyMap<string, number> {
  return memo(task, 'prior', () => {
    const z = standardizedPrior(task.history);
    return new Map(task.history.models.map((m, i) => [m, z[i] ?? Number.NaN]));
  });
}

/** The gap and noise statistics of one task, cached per (model, epoch) and epoch. */
function statsOf(task: SelectionTask, trend: Options['trend']) {
  return memo(task, `prior-shrink:${trend}`, () => {
    const byModel = runsByModel(task.curves);
    const gaps = new Map<string, number>();
    const sigma2 = new Map<number, number>();
    const gap = (model: string, epoch: number): number => {
      const key = `${epoch}\u0000${model}`;
      if (!gaps.has(key)) gaps.set(key, trend === 'history-gap' ? historyGap(byModel.get(model) ?? [], epoch) : 0);
      return gaps.get(key) ?? 0;
    };
    const noise = (epoch: number): number => {
      if (!sigma2.has(epoch)) sigma2.set(epoch, noiseVariance(task.curves, epoch, (m) => gap(m, epoch)));
      return sigma2.get(epoch) ?? Number.NaN;
    };
    return { gap, noise };
  });
}

/** Scores of the models of one rung (module comment, step 2), in rung order. */
export function rungScores(task: SelectionTask, rung: Rung, o: Options): number[] {
  const { gap, noise } = statsOf(task, o.trend);
  const prior = priorOf(task);
  const y = rung.curves.map((c, i) => last(c) + gap(rung.models[i] ?? '', rung.epoch));
  const s2 = noise(rung.epoch);
  if (o.shrink !== 'empirical-bayes' || !Number.isFinite(s2)) return y;
  return shrinkTowardPrior(y, rung.models.map((m) => prior.get(m) ?? Number.NaN), s2).posterior;
}

/** The prior-shrink-halving policy with resolved options. */
export function priorShrinkHalving(o: Options, name: string): SelectionPolicy {
  return {
    name,
    proxyRequest: () => null,
    recall(task) {
      const prior = priorOf(task);
      const scores = task.pool.map((m) => prior.get(m) ?? Number.NaN);
      const candidates = topBy(task.pool, scores, Math.min(o.recallSize, task.pool.length));
      return { candidates, scores: Object.fromEntries(task.pool.map((m, i) => [m, scores[i] ?? Number.NaN])), proxyCharges: 0 };
    },
    decide(task, rung) {
      const values = rungScores(task, rung, o);
      return { keep: keepBest(values, o.eta), score: { values, meaning: CORRECTED_SCORE } };
    },
    pick: (task, rung) => rankDescending(rungScores(task, rung, o))[0] ?? 0,
  };
}

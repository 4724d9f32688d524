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
 *    The last survivor is trained to the end.
 * Every statistic comes from task.history / task.curves (other datasets) or from the
 * models trained so far on the target; nothing is tuned per target.
 */
import type { SelectionPolicy, SelectionTask } from '../policy';
import { keepBest } from '../halving';
import { standardizedPrior } from '../prior';
import { topBy } from '../recall';
import { historyGap, noiseVariance, shrinkTowardPrior } from '../shrinkage';
import { runsByModel } from '../trend-filter';
import { eliminationRounds, last, type Rung } from './rounds';
import { check, readParams, specName, type PolicyParams } from './options';
import { rankDescending } from '../stats';

/** recallSize = 14 and eta = 2 were chosen on the tuning half of the loo targets (see bench/selection.ts). */
export const PRIOR_SHRINK_DEFAULTS = { recallSize: 14, eta: 2, trend: 'history-gap', shrink: 'empirical-bayes' };

type Options = typeof PRIOR_SHRINK_DEFAULTS;

/** Scores of the models of one rung (module comment, step 2), in rung order. */
function rungScorer(task: SelectionTask, o: Options, prior: ReadonlyMap<string, number>): (rung: Rung) => number[] {
  const byModel = runsByModel(task.curves);
  const gaps = new Map<string, number>();
  const gap = (model: string, epoch: number): number => {
    const key = `${epoch}\u0000${model}`;
    if (!gaps.has(key)) gaps.set(key, o.trend === 'history-gap' ? historyGap(byModel.get(model) ?? [], epoch) : 0);
    return gaps.get(key) ?? 0;
  };
  const sigma2 = new Map<number, number>();
  const noise = (epoch: number): number => {
    if (!sigma2.has(epoch)) sigma2.set(epoch, noiseVariance(task.curves, epoch, (m) => gap(m, epoch)));
    return sigma2.get(epoch) ?? Number.NaN;
  };
  return (rung) => {
    const y = rung.curves.map((c, i) => last(c) + gap(rung.models[i] ?? '', rung.epoch));
    const s2 = noise(rung.epoch);
    if (o.shrink !== 'empirical-bayes' || !Number.isFinite(s2)) return y;
    return shrinkTowardPrior(y, rung.models.map((m) => prior.get(m) ?? Number.NaN), s2).posterior;
  };
}

/** The pieces of prior-shrink-halving for a step-by-step driver (a workflow): recall, then a rung rule per round. */
export interface PriorShrinkSteps {
  /** The recalled models, best prior first. */
  readonly recalled: readonly string[];
  /** Indices of the rung's models that go on. */
  readonly rule: (rung: Rung) => number[];
  /** Index of the rung's model to pick when the last epoch leaves several. */
  readonly pick: (rung: Rung) => number;
  /** Rung scores (corrected, shrunk validation), in rung order. */
  readonly score: (rung: Rung) => number[];
}

function checkOptions(name: string, o: Options): void {
  check(Number.isInteger(o.recallSize) && o.recallSize >= 1, name, 'recallSize', o.recallSize, 'an integer >= 1');
  check(o.eta >= 2, name, 'eta', o.eta, '>= 2');
  check(o.trend === 'history-gap' || o.trend === 'none', name, 'trend', o.trend, '"history-gap" or "none"');
  check(o.shrink === 'empirical-bayes' || o.shrink === 'none', name, 'shrink', o.shrink, '"empirical-bayes" or "none"');
}

/** Recall and rung rule of prior-shrink-halving for one task (module comment). Throws on a bad parameter. */
export function priorShrinkSteps(task: SelectionTask, params: PolicyParams = {}): PriorShrinkSteps {
  const o = readParams('prior-shrink-halving', PRIOR_SHRINK_DEFAULTS, params);
  checkOptions('prior-shrink-halving', o);
  const z = standardizedPrior(task.history);
  const prior = new Map(task.history.models.map((m, i) => [m, z[i] ?? Number.NaN]));
  const recalled = topBy(task.pool, task.pool.map((m) => prior.get(m) ?? Number.NaN), Math.min(o.recallSize, task.pool.length));
  const score = rungScorer(task, o, prior);
  return { recalled, score, rule: (rung) => keepBest(score(rung), o.eta), pick: (rung) => rankDescending(score(rung))[0] ?? 0 };
}

/** The prior-shrink-halving policy. Throws on a bad parameter. */
export function priorShrinkHalving(params: PolicyParams = {}): SelectionPolicy {
  const name = 'prior-shrink-halving';
  checkOptions(name, readParams(name, PRIOR_SHRINK_DEFAULTS, params));
  return {
    name: specName(name, PRIOR_SHRINK_DEFAULTS, params),
    async select(task, session) {
      const steps = priorShrinkSteps(task, params);
      return eliminationRounds(task, session, steps.recalled, steps.rule, steps.pick);
    },
  };
}

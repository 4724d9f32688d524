/**
 * Fine selection of Cui et al. (ICDE 2024): successive halving whose rounds first apply
 * the convergence-trend filter (see ../trend-filter.ts), then force the count down to
 * max(1, floor(n / eta)). Predictions use each model's recorded runs on other datasets
 * (task.curves), never the target.
 */
import type { SelectionPolicy, SelectionTask } from '../policy';
import { fineSelectionRound, predictFinal, runsByModel, trendPoints, type TrendOptions } from '../trend-filter';
import { eliminationRounds, last, type RungRule } from './rounds';
import { check, readParams, specName, type PolicyParams } from './options';

export const FINE_SELECTION_DEFAULTS = { eta: 2, clusters: 4, threshold: 0, thresholdMode: 'absolute' };

export interface FineSelectionOptions {
  readonly eta: number;
  readonly trend: Required<TrendOptions>;
}

/** Validate the fine-selection parameters of policy `name`; returns them typed. */
export function fineSelectionOptions(name: string, o: typeof FINE_SELECTION_DEFAULTS, seed: number): FineSelectionOptions {
  check(o.eta >= 2, name, 'eta', o.eta, '>= 2');
  check(Number.isInteger(o.clusters) && o.clusters >= 1, name, 'clusters', o.clusters, 'an integer >= 1');
  check(o.threshold >= 0, name, 'threshold', o.threshold, '>= 0');
  check(o.thresholdMode === 'absolute' || o.thresholdMode === 'relative', name, 'thresholdMode', o.thresholdMode, '"absolute" or "relative"');
  const thresholdMode = o.thresholdMode === 'relative' ? 'relative' : 'absolute';
  return { eta: o.eta, trend: { clusters: o.clusters, threshold: o.threshold, thresholdMode, seed } };
}

/** The rung rule of fine selection for one task: predictions from task.curves, then fineSelectionRound. */
export function fineSelectionRule(task: SelectionTask, options: FineSelectionOptions): RungRule {
  const byModel = runsByModel(task.curves);
  return (rung) => {
    const current = rung.curves.map(last);
    const predicted = rung.models.map((m, i) => predictFinal(trendPoints(byModel.get(m) ?? [], rung.epoch), current[i] ?? Number.NaN, options.trend));
    return fineSelectionRound(current, predicted, options.eta, options.trend);
  };
}

/** The fine-selection policy over the whole pool. Throws on a bad parameter. */
export function fineSelection(params: PolicyParams = {}): SelectionPolicy {
  const name = 'fine-selection';
  const o = readParams(name, FINE_SELECTION_DEFAULTS, params);
  fineSelectionOptions(name, o, 0);
  return {
    name: specName(name, FINE_SELECTION_DEFAULTS, params),
    select: (task, session) => eliminationRounds(task, session, task.pool, fineSelectionRule(task, fineSelectionOptions(name, o, task.seed))),
  };
}

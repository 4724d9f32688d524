/**
 * Fine selection of Cui et al. (ICDE 2024): successive halving whose rounds first apply
 * the convergence-trend filter (see ../trend-filter.ts), then force the count down to
 * max(1, floor(n / eta)). Predictions use each model's recorded runs on other datasets
 * measured like the target (task.curves of its metric direction), never the target; with
 * none, every prediction is NaN, the filter drops nobody and rounds are plain halving.
 */
import type { Rung, SelectionPolicy, SelectionTask, Verdict } from '../policy';
import type { OptionsOf } from '../../contracts/schemas/policy';
import { fineSelectionRound, predictFinal, runsByModel, trendFilter, trendPoints, type TrendOptions } from '../trend-filter';
import { bestLast, comparableCurves, last, memo, noComparableCurvesWarning, wholePool } from './rounds';

/** What the rung scores of fine selection are. */
export const PREDICTED_FINAL = 'predicted final (mean final metric of the trend cluster on other datasets, metric scale)';

/** The fine-selection verdict on one rung: trend predictions, the filter, then forced halving. */
export function fineSelectionVerdict(
  task: SelectionTask,
  rung: Rung,
  o: { eta: number; clusters: number; threshold: number; thresholdMode: 'absolute' | 'relative' },
): Verdict {
  const byModel = memo(task, 'runsByModel', () => runsByModel(comparableCurves(task)));
  const trend: Required<TrendOptions> = { clusters: o.clusters, threshold: o.threshold, thresholdMode: o.thresholdMode, seed: task.seed };
  const current = rung.curves.map(last);
  const predicted = rung.models.map((m, i) => predictFinal(trendPoints(byModel.get(m) ?? [], rung.epoch), current[i] ?? Number.NaN, trend));
  const passed = new Set(trendFilter(current, predicted, trend));
  return {
    keep: fineSelectionRound(current, predicted, o.eta, trend),
    filtered: rung.models.map((_, i) => i).filter((i) => !passed.has(i)),
    score: { values: predicted, meaning: PREDICTED_FINAL },
  };
}

/** The fine-selection policy over the whole pool, with resolved options. */
export function fineSelection(o: OptionsOf<'fine-selection'>, name: string): SelectionPolicy {
  return {
    name,
    proxyRequest: () => null,
    recall(task) {
      const warning = noComparableCurvesWarning(task, name);
      return { ...wholePool(task), ...(warning === null ? {} : { warnings: [warning] }) };
    },
    decide: (task, rung) => fineSelectionVerdict(task, rung, o),
    pick: (_task, rung) => bestLast(rung),
  };
}

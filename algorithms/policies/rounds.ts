/**
 * Small pieces every policy shares: the last value of a curve, the default final pick (best
 * last validation, first on a tie), recall of the whole pool, the history datasets measured
 * like the target, and a per-task cache for what a policy derives from the task's history
 * (tasks are immutable, so it is computed once).
 */
import { bestLastIndex, last } from '../final-pick';
import type { Recall, Rung, SelectionTask } from '../policy';
import type { RunSet } from '../types';
import { selectRuns } from '../matrix';

export { last };

/** The default final pick: index of the best last validation score of an (oriented) rung, first on a tie. */
export function bestLast(rung: Rung): number {
  return Math.max(0, bestLastIndex(rung.curves));
}

/** Recall that keeps the whole pool and computes no proxy. */
export function wholePool(task: SelectionTask): Recall {
  return { candidates: [...task.pool], scores: {}, proxyCharges: 0 };
}

/**
 * Whether a history dataset is measured like the target: of the target's metric direction (a
 * dataset not listed is maximized). A gap or a trend in accuracy says nothing about an RMSE,
 * so statistics in metric units (validation-to-final gaps, noise, trend clusters) come only
 * from such datasets; scale-free ones (z-scored priors) may use every dataset.
 */
export function measuredLikeTarget(task: SelectionTask): (dataset: string) => boolean {
  const dirs = task.datasetDirections ?? new Map();
  return (d) => (dirs.get(d) ?? 'maximize') === task.direction;
}

/** The task's recorded runs on datasets measured like the target (cached per task). */
export function comparableCurves(task: SelectionTask): RunSet {
  return memo(task, 'comparable-curves', () => selectRuns(task.curves, (r) => measuredLikeTarget(task)(r.dataset)));
}

/**
 * The warning a policy whose rung scores use curves in metric units gives when no recorded
 * curve is measured like the target (its rungs then rank by the target's validation alone);
 * null when some is, or when there are no curves at all.
 */
export function noComparableCurvesWarning(task: SelectionTask, policy: string): string | null {
  if (task.curves.runs.length === 0 || comparableCurves(task).runs.length > 0) return null;
  return `${policy}: no history dataset is ${task.direction}d like ${task.target}, so no recorded curve says how its metric moves from epoch to final: rounds rank by the target's validation alone`;
}

const caches = new WeakMap<SelectionTask, Map<string, unknown>>();

/** `make()` once per (task object, key). */
export function memo<T>(task: SelectionTask, key: string, make: () => T): T {
  let m = caches.get(task);
  if (!m) caches.set(task, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

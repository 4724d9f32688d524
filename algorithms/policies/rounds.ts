/**
 * Small pieces every policy shares: the last value of a curve, the default final pick (best
 * last validation, first on a tie), recall of the whole pool, and a per-task cache for what
 * a policy derives from the task's history (tasks are immutable, so it is computed once).
 */
import { bestLastIndex, last } from '../final-pick';
import type { Recall, Rung, SelectionTask } from '../policy';

export { last };

/** The default final pick: index of the best last validation score of an (oriented) rung, first on a tie. */
export function bestLast(rung: Rung): number {
  return Math.max(0, bestLastIndex(rung.curves));
}

/** Recall that keeps the whole pool and computes no proxy. */
export function wholePool(task: SelectionTask): Recall {
  return { candidates: [...task.pool], scores: {}, proxyCharges: 0 };
}

const caches = new WeakMap<SelectionTask, Map<string, unknown>>();

/** `make()` once per (task object, key). */
export function memo<T>(task: SelectionTask, key: string, make: () => T): T {
  let m = caches.get(task);
  if (!m) caches.set(task, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

/**
 * Small pieces every policy shares: the last value of a curve, the default final pick (best
 * last validation, first on a tie), recall of the whole pool, and a per-task cache for what
 * a policy derives from the task's history (tasks are immutable, so it is computed once).
 */
import type { Recall, Rung, SelectionTask } from '../policy';
import { rankDescending } from '../stats';

/** Last value of a curve (NaN when empty). */
export function last(curve: readonly number[]): number {
  return curve[curve.length - 1] ?? Number.NaN;
}

/** The default final pick: index of the best last validation score, first on a tie. */
export function bestLast(rung: Rung): number {
  return rankDescending(rung.curves.map(last))[0] ?? 0;
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

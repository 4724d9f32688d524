/**
 * Brute force: fine-tune every model of the pool for every epoch and keep the best by
 * validation, either after the last epoch (`last`) or at its best epoch (`best-epoch`,
 * the early-stopping view). Cost = pool size x budget. Ties: the earlier pool model.
 */
import type { SelectionPolicy } from '../policy';
import { rankDescending } from '../stats';
import { bestLast, wholePool } from './rounds';

export type BruteForcePick = 'last' | 'best-epoch';

/** Best value of a curve, NaN when it has none. */
function best(curve: readonly number[]): number {
  const finite = curve.filter(Number.isFinite);
  return finite.length === 0 ? Number.NaN : Math.max(...finite);
}

/** The brute-force policy; `name` is its registry name. */
export function bruteForce(pickBy: BruteForcePick, name = pickBy === 'last' ? 'brute-force' : 'brute-force-best-epoch'): SelectionPolicy {
  return {
    name,
    proxyRequest: () => null,
    recall: wholePool,
    decide: (_task, rung) => ({ keep: rung.models.map((_, i) => i) }),
    pick: (_task, rung) => (pickBy === 'last' ? bestLast(rung) : (rankDescending(rung.curves.map(best))[0] ?? 0)),
  };
}

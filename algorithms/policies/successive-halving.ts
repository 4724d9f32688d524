/**
 * Successive halving over the whole pool as the paper runs it (see ../halving.ts): one
 * epoch per round, keep max(1, floor(n / eta)) by current validation score.
 */
import type { SelectionPolicy } from '../policy';
import type { OptionsOf } from '../../contracts/schemas/policy';
import { survivors } from '../halving';
import { bestLast, last, wholePool } from './rounds';

/** The successive-halving policy with resolved options. */
export function successiveHalving(o: OptionsOf<'successive-halving'>, name: string): SelectionPolicy {
  return {
    name,
    proxyRequest: () => null,
    recall: wholePool,
    decide: (_task, rung) => ({ keep: survivors(rung.curves.map(last), o.eta, 'maximize') }),
    pick: (_task, rung) => bestLast(rung),
  };
}

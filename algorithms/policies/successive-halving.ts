/**
 * Successive halving over the whole pool as the paper runs it (see ../halving.ts): one
 * epoch per round, keep max(1, floor(n / eta)) by current validation score.
 */
import type { SelectionPolicy } from '../policy';
import { survivors } from '../halving';
import { eliminationRounds, last } from './rounds';
import { check, readParams, specName, type PolicyParams } from './options';

export const SUCCESSIVE_HALVING_DEFAULTS = { eta: 2 };

/** The successive-halving policy. Throws when eta < 2. */
export function successiveHalving(params: PolicyParams = {}): SelectionPolicy {
  const name = 'successive-halving';
  const o = readParams(name, SUCCESSIVE_HALVING_DEFAULTS, params);
  check(o.eta >= 2, name, 'eta', o.eta, '>= 2');
  return {
    name: specName(name, SUCCESSIVE_HALVING_DEFAULTS, params),
    select: (task, session) => eliminationRounds(task, session, task.pool, (rung) => survivors(rung.curves.map(last), o.eta, 'maximize')),
  };
}

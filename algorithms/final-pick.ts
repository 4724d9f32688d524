/**
 * The engine's default final pick, the one rule every caller shares: the model with the best
 * last validation score, first on a tie, a missing (NaN) score worst. Pure and tiny, so the
 * workflow may use it where it must choose without an activity (a `finishNow` update, the
 * survivors after a deadline).
 */
import { rankDescending } from './stats';
import type { Direction } from './types';

/** Last value of a curve (NaN when empty). */
export function last(curve: readonly number[]): number {
  return curve[curve.length - 1] ?? Number.NaN;
}

/** Index of the best last value of `curves` for `direction` (first on a tie; NaN is worst); -1 when there are none. */
export function bestLastIndex(curves: readonly (readonly number[])[], direction: Direction = 'maximize'): number {
  const sign = direction === 'maximize' ? 1 : -1;
  return rankDescending(curves.map((c) => sign * last(c)))[0] ?? -1;
}

/**
 * Successive halving as Cui et al. (ICDE 2024) run and cost it: every round trains each
 * surviving model one more epoch (minimum resource r = 1 epoch), then drops the worst
 * current validation score, one at a time, until max(1, floor(n / eta)) remain
 * (eta = reduction factor; the paper uses 2). It stops with one model, which is then
 * trained to the last epoch. Cost = sum over epochs of the models alive at that epoch:
 * 10 models, eta 2, 5 epochs -> 10+5+2+1+1 = 19; 40 models -> 40+20+10+5+2 = 77.
 *
 * Ties and NaN: a NaN score is worse than any number; among equally bad scores the one
 * listed first is dropped first (the authors' `min` over a list).
 */
import type { Direction } from './types';
import { rankDescending } from './stats';

/** max(1, floor(n / eta)): how many of n models survive a rung. Throws when eta < 2 or n < 0. */
export function keepCount(n: number, eta: number): number {
  if (!(eta >= 2)) throw new Error(`eta is ${eta}, but must be >= 2`);
  if (!Number.isInteger(n) || n < 0) throw new Error(`n is ${n}, but must be an integer >= 0`);
  return Math.max(Math.min(n, 1), Math.floor(n / eta));
}

/** True when score a is strictly worse than b for the direction (NaN is worst). */
function worse(a: number, b: number, direction: Direction): boolean {
  if (Number.isNaN(a)) return !Number.isNaN(b);
  if (Number.isNaN(b)) return false;
  return direction === 'maximize' ? a < b : a > b;
}

/** Index of the worst of the listed candidates (first on a tie). */
export function worstIndex(scores: readonly number[], candidates: readonly number[], direction: Direction): number {
  let worst = candidates[0] ?? -1;
  for (const i of candidates) if (worse(scores[i] ?? Number.NaN, scores[worst] ?? Number.NaN, direction)) worst = i;
  return worst;
}

/**
 * Drop the worst of `alive` (indices into scores), one at a time, until `keep` remain.
 * Returns the survivors in their input order.
 */
export function dropWorstUntil(scores: readonly number[], alive: readonly number[], keep: number, direction: Direction): number[] {
  const left = [...alive];
  while (left.length > keep) left.splice(left.indexOf(worstIndex(scores, left, direction)), 1);
  return left;
}

/**
 * One halving rung: indices of the max(1, floor(n / eta)) surviving scores, in input order.
 * Throws when eta < 2.
 */
export function survivors(scores: readonly number[], eta: number, direction: Direction): number[] {
  const all = scores.map((_, i) => i);
  return dropWorstUntil(scores, all, keepCount(scores.length, eta), direction);
}

/**
 * Models alive at each epoch 1..maxEpochs when halving n models by eta, the last survivor
 * trained to maxEpochs. Throws when eta < 2 or maxEpochs < 1.
 */
export function halvingSchedule(n: number, eta: number, maxEpochs: number): number[] {
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1) throw new Error(`maxEpochs is ${maxEpochs}, but must be an integer >= 1`);
  const alive: number[] = [];
  let left = n;
  for (let e = 1; e <= maxEpochs; e += 1) {
    alive.push(left);
    if (left > 1) left = keepCount(left, eta);
  }
  return alive;
}

/** Epochs successive halving spends on n models: the sum of halvingSchedule. */
export function halvingCost(n: number, eta: number, maxEpochs: number): number {
  return halvingSchedule(n, eta, maxEpochs).reduce((s, a) => s + a, 0);
}

/**
 * A rung that keeps the max(1, floor(n / eta)) best scores (`rounding` 'ceil': ceil(n / eta)), ties going to the candidate
 * listed first and NaN ranking last (so a caller that lists candidates by a prior breaks
 * ties by that prior). Returns indices in input order. Throws when eta < 2.
 */
export function keepBest(scores: readonly number[], eta: number, rounding: 'floor' | 'ceil' = 'floor'): number[] {
  const keep = rounding === 'ceil' ? Math.min(scores.length, Math.ceil(scores.length / eta)) : keepCount(scores.length, eta);
  return keepTop(scores, keep);
}

/** The `keep` best scores (ties to the one listed first, NaN last), as indices in input order. */
export function keepTop(scores: readonly number[], keep: number): number[] {
  return rankDescending(scores)
    .slice(0, keep)
    .sort((a, b) => a - b);
}

/**
 * The taper rung: n models scored after `epoch` of `budgetEpochs` keep
 * round(n · (f / n)^(1 / (budgetEpochs − epoch))), between f = `finalists` and n, so the
 * count falls by one constant ratio over the epochs left and f models train to the budget,
 * where the pick is made on the last epoch among several instead of on one model left. It
 * depends on the rung alone, so a run resumed or replayed from any rung keeps the same
 * schedule. 8 models, 5 epochs, 2 finalists: 8, 6, 4, 3, 2 train in epochs 1..5 (23 epochs;
 * floor halving: 8, 4, 2, 1, 1 = 16, or after a 2-epoch grace 8, 8, 4, 2, 1 = 23). No cut at
 * or after the budget epoch. Throws on counts that are not positive integers.
 */
export function taperCount(n: number, epoch: number, budgetEpochs: number, finalists: number): number {
  for (const [name, v] of [
    ['n', n],
    ['epoch', epoch],
    ['budgetEpochs', budgetEpochs],
    ['finalists', finalists],
  ] as const)
    if (!Number.isInteger(v) || v < (name === 'n' ? 0 : 1)) throw new Error(`${name} is ${v}, but must be an integer >= ${name === 'n' ? 0 : 1}`);
  if (epoch >= budgetEpochs || n <= finalists) return n;
  const next = Math.round(n * Math.pow(finalists / n, 1 / (budgetEpochs - epoch)));
  return Math.min(n, Math.max(finalists, next));
}

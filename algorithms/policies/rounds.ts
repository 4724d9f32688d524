/**
 * The one loop behind every epoch-by-epoch elimination policy: each round trains the
 * surviving models one more epoch, then a rung rule keeps some of them; the loop stops
 * with one model or at the last epoch, where the best last score wins (first on a tie).
 */
import type { SelectionTask, TrainSession } from '../policy';
import { rankDescending } from '../stats';

/** What a rung rule sees: the round's epoch, the alive models and their curves so far (higher is better). */
export interface Rung {
  readonly epoch: number;
  readonly models: readonly string[];
  readonly curves: readonly (readonly number[])[];
}

/** Indices (into rung.models) of the models that go on; must keep at least one. */
export type RungRule = (rung: Rung) => number[];

/** Train every model of `models` to `epoch`, in order; returns their curves. */
export async function trainAll(session: TrainSession, models: readonly string[], epoch: number): Promise<(readonly number[])[]> {
  const curves: (readonly number[])[] = [];
  for (const m of models) curves.push(await session.curve(m, epoch));
  return curves;
}

/** Last value of a curve (NaN when empty). */
export function last(curve: readonly number[]): number {
  return curve[curve.length - 1] ?? Number.NaN;
}

/** Index (into rung.models) of the model to pick among several alive after the last epoch. */
export type FinalPick = (rung: Rung) => number;

/** The default final pick: best last validation score, first on a tie. */
export const bestLast: FinalPick = (rung) => rankDescending(rung.curves.map(last))[0] ?? 0;

/**
 * Run rounds over `start` (a subset of the pool), one epoch per round up to
 * task.maxEpochs. Returns the picked model (`finalPick` chooses when several survive the
 * last epoch). Throws when a rule keeps nobody.
 */
export async function eliminationRounds(task: SelectionTask, session: TrainSession, start: readonly string[], rule: RungRule, finalPick: FinalPick = bestLast): Promise<string> {
  let alive = [...start];
  for (let epoch = 1; epoch <= task.maxEpochs && alive.length > 1; epoch += 1) {
    const curves = await trainAll(session, alive, epoch);
    const kept = rule({ epoch, models: alive, curves });
    if (kept.length === 0) throw new Error(`rung at epoch ${epoch} kept no model`);
    alive = kept.map((i) => alive[i] ?? '');
  }
  if (alive.length === 1) return alive[0] ?? '';
  const curves = await trainAll(session, alive, task.maxEpochs);
  return alive[finalPick({ epoch: task.maxEpochs, models: alive, curves })] ?? '';
}

/**
 * What a round's record needs beyond the decision itself: the value halving ranked by and its
 * cutoff, so that a reader can re-derive every elimination from the numbers.
 * Pure; metric scale in and out. `decideStep` gives the cutoff with every decision.
 */
import type { Direction } from './types';
import { roundFates, type FateDecision } from '../contracts/rounds';

export interface RoundDecision extends FateDecision {
  /** The policy's score per model (metric scale); empty when it ranks by validation only. */
  readonly predictions: Readonly<Record<string, number>>;
}

export interface HalvingCutoff {
  /** The value halving ranked by: the policy's score or the validation score. */
  readonly rankedBy: 'validation' | 'score';
  /** The worst value the rung kept on it (metric scale); null when halving dropped nobody. */
  readonly cutoff: number | null;
}

/** The worst of `kept` when it is no worse than the best of `halved` (oriented: higher is better); null otherwise. */
function separating(kept: readonly number[], halved: readonly number[]): number | null {
  const k = kept.filter(Number.isFinite);
  if (k.length === 0) return null;
  const worstKept = Math.min(...k);
  const h = halved.filter(Number.isFinite);
  return h.length === 0 || worstKept >= Math.max(...h) ? worstKept : null;
}

/**
 * The value halving ranked by and its cutoff: the worst value among the models the
 * verdict kept on the key (the policy's score, else validation) that separates them from the
 * halved ones. Null cutoff when halving dropped nobody (or when no key separates them).
 */
export function halvingCutoff(models: readonly string[], validation: readonly number[], d: RoundDecision, direction: Direction): HalvingCutoff {
  const fates = roundFates(models, d);
  const sign = direction === 'maximize' ? 1 : -1;
  const hasScore = models.some((m) => d.predictions[m] !== undefined);
  const keys: { key: 'score' | 'validation'; values: number[] }[] = [
    ...(hasScore ? [{ key: 'score' as const, values: models.map((m) => d.predictions[m] ?? Number.NaN) }] : []),
    { key: 'validation', values: [...validation] },
  ];
  const passedIdx = fates.map((f, i) => (f === 'halving' || f === 'trend-filter' ? -1 : i)).filter((i) => i >= 0);
  const halvedIdx = fates.map((f, i) => (f === 'halving' ? i : -1)).filter((i) => i >= 0);
  const first = keys[0] as (typeof keys)[number];
  if (halvedIdx.length === 0) return { rankedBy: first.key, cutoff: null };
  for (const { key, values } of keys) {
    const o = values.map((v) => sign * v);
    const cut = separating(
      passedIdx.map((i) => o[i] ?? Number.NaN),
      halvedIdx.map((i) => o[i] ?? Number.NaN),
    );
    if (cut !== null) return { rankedBy: key, cutoff: sign * cut };
  }
  return { rankedBy: first.key, cutoff: null };
}

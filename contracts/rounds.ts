import type { RoundFate } from './schemas/selection';

/** A round's decision as far as fates go: who goes on, who the verdict kept before the final pick, who was dropped and why. */
export interface FateDecision {
  readonly keep: readonly string[];
  /** Models the verdict kept before the final pick at the budget epoch (absent: `keep`). */
  readonly passed?: readonly string[];
  readonly eliminated: readonly { readonly model: string; readonly reason: string }[];
}

/**
 * What a round's decision did to each model of its rung (rung order): kept, picked at the
 * budget epoch, halved, dropped by the trend filter, or kept by the verdict but not picked.
 * Shared by the engine (the cutoff) and the workflow (its round records).
 */
export function roundFates(models: readonly string[], d: FateDecision): RoundFate[] {
  const passed = new Set(d.passed ?? d.keep);
  const kept = new Set(d.keep);
  const reasons = new Map(d.eliminated.map((e) => [e.model, e.reason]));
  const finalPick = passed.size > kept.size;
  return models.map((m): RoundFate => {
    if (kept.has(m)) return finalPick ? 'picked' : 'kept';
    if (reasons.get(m) === 'trend-filter') return 'trend-filter';
    return passed.has(m) ? 'not-picked' : 'halving';
  });
}

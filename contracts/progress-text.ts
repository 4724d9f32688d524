/**
 * The words a run is told in, shared by the workflows (the web UI's summaries and current
 * details) and the CLI (progress line, tables): one function per text, no Node imports, so it
 * is safe inside the workflow sandbox.
 */
import type { MatrixProgress } from './schemas/offline';
import type { Elimination, SelectModelInput, SelectionProgress } from './schemas/selection';

/** Seconds as `42 s`, `3.2 min` or `1.5 h`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'n/a';
  if (s < 100) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 6000) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * The one-line progress of a selection: the CLI's progress bar label and the workflow's
 * current details in the web UI (which renders markdown, so no `a/b`: it would show a fraction).
 */
export function selectionProgressLine(p: SelectionProgress): string {
  const gpu = !p.gpuSecondsSpent
    ? ''
    : `, GPU time ${formatSeconds(p.gpuSecondsSpent)}${p.bruteForceGpuSeconds ? ` of ~${formatSeconds(p.bruteForceGpuSeconds)}` : ''}`;
  return `${p.phase}: round ${p.round}, ${p.survivors.length} of ${p.candidates.length} candidates left (pool ${p.poolSize}), ${p.eliminations.length} eliminated, ${p.epochsSpent} of ${p.bruteForceEpochs} brute-force epochs spent${gpu}`;
}

/** The one-line progress of the offline phase (CLI label and current details). */
export function matrixProgressLine(p: MatrixProgress): string {
  return `${p.phase}: ${p.done} of ${p.total} cells, ${p.running} running, ${p.failed} failed (run ${p.run})`;
}

/** What happened to an eliminated model, in words; `notPicked`: it was kept by the last round and lost the final pick. */
export function eliminationOutcome(e: Pick<Elimination, 'reason' | 'round' | 'epoch' | 'detail'>, notPicked = false): string {
  switch (e.reason) {
    case 'halving':
      return notPicked ? `not picked at the budget epoch ${e.epoch}` : `eliminated by halving in round ${e.round} (epoch ${e.epoch})`;
    case 'trend-filter':
      return `eliminated by the trend filter in round ${e.round} (epoch ${e.epoch})`;
    case 'deadline':
      return `stopped at the round ${e.round} deadline (after epoch ${e.epoch})`;
    case 'failed':
      return `failed: ${e.detail.length > 160 ? `${e.detail.slice(0, 159)}…` : e.detail}`;
    case 'finished-early':
      return `stopped by finishNow after epoch ${e.epoch}`;
  }
}

/** The pool a selection input names, in words. */
function poolText(input: Pick<SelectModelInput, 'models'>): string {
  return input.models ? `${input.models.length} named models` : 'every live model of the store';
}

/** Static summary of a selection run (one line, shown in the web UI's workflow list). */
export function selectionSummary(input: SelectModelInput): string {
  return `select a model for ${input.target}: ${input.policy}, ${input.trainer} trainer, budget ${input.budgetEpochs} epochs`;
}

/** Static details of a selection run (Temporal markdown): target, policy and its options, budget, pool, trainer, seed. */
export function selectionDetails(input: SelectModelInput, options: Readonly<Record<string, unknown>>): string {
  const opts =
    Object.entries(options)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ') || 'none';
  return [
    `- **target** ${input.target}`,
    `- **policy** ${input.policy} (${opts})`,
    `- **budget** ${input.budgetEpochs} epochs per model, round deadline ${String(input.roundDeadline)}`,
    `- **pool** ${poolText(input)}`,
    `- **trainer** ${input.trainer}, at most ${input.maxParallel} fine-tunes at once, seed ${input.seed}`,
  ].join('\n');
}

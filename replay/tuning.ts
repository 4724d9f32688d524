/**
 * Honest hyperparameter choice on replay cases: targets are split into two fixed halves
 * (names sorted, alternating: positions 0, 2, 4, ... tune; 1, 3, 5, ... report), a policy's
 * parameters are chosen on the tuning half only, then reported on both halves and on all.
 */
import { policyFromSpec } from '../algorithms/policies';
import type { ReplayCase } from './protocols';
import { evaluatePolicy, summarize, type PolicySummary } from './evaluate';

export interface Halves {
  /** Tuning half: sorted target names at even positions. */
  readonly tune: ReplayCase[];
  /** Reporting half: sorted target names at odd positions. */
  readonly report: ReplayCase[];
}

/** Split cases by sorted target name, alternating (module comment). */
export function splitHalves(cases: readonly ReplayCase[]): Halves {
  const order = cases.map((c) => c.task.target).sort();
  const tuneSet = new Set(order.filter((_, i) => i % 2 === 0));
  return { tune: cases.filter((c) => tuneSet.has(c.task.target)), report: cases.filter((c) => !tuneSet.has(c.task.target)) };
}

export interface TuningResult {
  /** Every candidate's summary on the tuning cases, in candidate order. */
  readonly grid: readonly PolicySummary[];
  /** The spec with the lowest mean regret among those within the cost cap (lower cost, then earlier, on a tie). */
  readonly chosen: string;
}

/**
 * Evaluate candidate specs on the tuning cases and choose one (see TuningResult).
 * Rejects when no candidate stays within `maxCostFraction`.
 */
export async function tune(specs: readonly string[], cases: readonly ReplayCase[], maxCostFraction: number): Promise<TuningResult> {
  const grid: PolicySummary[] = [];
  for (const spec of specs) grid.push(summarize(await evaluatePolicy(policyFromSpec(spec), cases)));
  const within = grid.map((s, i) => ({ s, spec: specs[i] ?? '' })).filter(({ s }) => s.costFraction <= maxCostFraction);
  within.sort((a, b) => a.s.meanRegret - b.s.meanRegret || a.s.costFraction - b.s.costFraction);
  const best = within[0];
  if (best === undefined) throw new Error(`no candidate stays within ${maxCostFraction * 100}% of brute-force cost`);
  return { grid, chosen: best.spec };
}

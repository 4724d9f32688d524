/**
 * Scores selection policies on replay cases: regret (best test score in the pool minus the
 * pick's, in points = x100), whether the pick is a best model, and cost against brute force.
 */
import { runSelection, type SelectionPolicy } from '../algorithms/policy';
import { bruteForceEpochs } from '../algorithms/cost';
import { mean, median } from '../algorithms/stats';
import type { ReplayCase } from './protocols';
import { ReplayTrainer } from './replay-trainer';
import { trainerBackend } from './trainer-backend';

export interface CaseResult {
  readonly policy: string;
  readonly target: string;
  readonly poolSize: number;
  readonly pick: string;
  readonly pickTest: number;
  /** Best test score in the pool (highest, or lowest for a minimized metric). */
  readonly bestTest: number;
  /** How much worse the pick is than the best, in points: (bestTest - pickTest) x 100, sign-flipped for a minimized metric. */
  readonly regret: number;
  /** True when the pick's test score equals the best in the pool. */
  readonly isBest: boolean;
  /** Training epochs plus proxy charges. */
  readonly epochs: number;
  /** Epochs of fine-tuning on the target alone. */
  readonly trainEpochs: number;
  readonly proxyComputations: number;
  readonly bruteForceEpochs: number;
  /** epochs / bruteForceEpochs. */
  readonly costFraction: number;
}

export interface PolicySummary {
  readonly policy: string;
  readonly cases: number;
  readonly meanRegret: number;
  readonly medianRegret: number;
  /** The largest regret of any case (the worst target). */
  readonly maxRegret: number;
  /** Share of cases whose pick is a best model. */
  readonly pBest: number;
  /** Mean over cases of the per-case cost fraction. */
  readonly costFraction: number;
  readonly meanEpochs: number;
}

/** Run one policy on one case through the replay trainer. Rejects as runSelection does. */
export async function evaluateCase(policy: SelectionPolicy, c: ReplayCase): Promise<CaseResult> {
  const trainer = new ReplayTrainer(c.targetRuns);
  const run = await runSelection(policy, c.task, trainerBackend(trainer, c.task.target, c.task.seed));
  const tests = [...c.test.values()].filter(Number.isFinite);
  const s = c.task.direction === 'maximize' ? 1 : -1;
  const bestTest = s * Math.max(...tests.map((t) => s * t));
  const pickTest = c.test.get(run.pick) ?? Number.NaN;
  const brute = bruteForceEpochs(c.task.pool.length, c.task.maxEpochs);
  return {
    policy: run.policy,
    target: c.task.target,
    poolSize: c.task.pool.length,
    pick: run.pick,
    pickTest,
    bestTest,
    regret: s * (bestTest - pickTest) * 100,
    isBest: pickTest === bestTest,
    epochs: run.cost.epochs,
    trainEpochs: run.cost.trainEpochs,
    proxyComputations: run.cost.proxyComputations,
    bruteForceEpochs: brute,
    costFraction: run.cost.epochs / brute,
  };
}

/** Run a policy on every case, in order. */
export async function evaluatePolicy(policy: SelectionPolicy, cases: readonly ReplayCase[]): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) out.push(await evaluateCase(policy, c));
  return out;
}

/** Summary of one policy's case results. Throws when results mix policies or are empty. */
export function summarize(results: readonly CaseResult[]): PolicySummary {
  const policy = results[0]?.policy;
  if (policy === undefined) throw new Error('no results to summarize');
  if (results.some((r) => r.policy !== policy)) throw new Error('results of several policies cannot be summarized together');
  return {
    policy,
    cases: results.length,
    meanRegret: mean(results.map((r) => r.regret)),
    medianRegret: median(results.map((r) => r.regret)),
    maxRegret: Math.max(...results.map((r) => r.regret)),
    pBest: results.filter((r) => r.isBest).length / results.length,
    costFraction: mean(results.map((r) => r.costFraction)),
    meanEpochs: mean(results.map((r) => r.epochs)),
  };
}

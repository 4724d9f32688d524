/**
 * A policy replayed on the task's own history: every history dataset with recorded curves
 * becomes a past target in turn (leave-one-dataset-out), with the other history datasets as
 * its history, its recorded curves as the training backend and its proxy scores as the
 * target's. What a setting of a policy would have cost and lost on past targets is then known
 * before anything is trained on the real target, which is how a policy can choose its own
 * settings without looking at the target.
 *
 * Only datasets of the target's metric direction are replayed (a regret in RMSE and one in
 * accuracy do not average), and only pool models with a curve reaching the replayed budget.
 * Synchronous and pure: policies see the task oriented (higher is better), as the engine
 * gives it to them.
 */
import { verdictStep, type Recall, type Rung, type SelectionPolicy, type SelectionTask } from './policy';
import type { RunRecord } from './types';
import { selectDatasets, selectRuns } from './matrix';
import { PROXY_EPOCH_COST } from './cost';

/** One past target replayed. */
export interface HistoryReplayCase {
  readonly dataset: string;
  /** Best final score of the pool on it minus the pick's (metric units, >= 0). */
  readonly regret: number;
  /** Epochs trained plus proxy charges. */
  readonly cost: number;
}

/** Fewest pool models with curves a past target needs to be replayed. */
export const MIN_REPLAY_MODELS = 4;

/** The past targets of an oriented task: datasets of its direction with enough complete curves, and their runs. */
function pastTargets(task: SelectionTask, budget: number): { dataset: string; runs: RunRecord[] }[] {
  const dirs = task.datasetDirections ?? new Map();
  const pool = new Set(task.pool);
  const byDataset = new Map<string, RunRecord[]>();
  for (const r of task.curves.runs) {
    if (!pool.has(r.model) || r.test === null || !Number.isFinite(r.test) || r.val.length < budget) continue;
    if ((dirs.get(r.dataset) ?? 'maximize') !== task.direction) continue;
    byDataset.set(r.dataset, [...(byDataset.get(r.dataset) ?? []), r]);
  }
  return [...byDataset]
    .filter(([, runs]) => runs.length >= MIN_REPLAY_MODELS)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([dataset, runs]) => ({ dataset, runs }));
}

/** The task as it would have been with `dataset` as the target (oriented like its parent). */
function pastTask(task: SelectionTask, dataset: string, runs: readonly RunRecord[], budget: number): SelectionTask {
  const proxies = new Map<string, ReadonlyMap<string, number>>();
  const proxyHistory = new Map<string, ReadonlyMap<string, ReadonlyMap<string, number>>>();
  for (const [proxy, byDataset] of task.proxyHistory ?? new Map()) {
    const onD = byDataset.get(dataset);
    if (onD !== undefined) proxies.set(proxy, onD);
    proxyHistory.set(proxy, new Map([...byDataset].filter(([d]) => d !== dataset)));
  }
  return {
    ...task,
    target: dataset,
    pool: task.pool.filter((m) => runs.some((r) => r.model === m)),
    maxEpochs: budget,
    history: selectDatasets(task.history, (d) => d !== dataset),
    curves: selectRuns(task.curves, (r) => r.dataset !== dataset),
    proxies,
    proxyHistory,
    clustering: null,
  };
}

/** Run `policy` on one past target; the pick and the cost (epochs + proxy charges). Throws when the policy keeps nobody. */
function runPast(policy: SelectionPolicy, task: SelectionTask, runs: readonly RunRecord[]): { pick: string; cost: number } {
  const curveOf = new Map(runs.map((r) => [r.model, r.val]));
  const recall: Recall = policy.recall(task);
  const trained = new Map<string, number>();
  let alive = recall.candidates.filter((m) => curveOf.has(m));
  for (let epoch = 1; epoch <= task.maxEpochs && alive.length > 1; epoch += 1) {
    for (const m of alive) trained.set(m, epoch);
    const rung: Rung = { epoch, budgetEpochs: task.maxEpochs, models: alive, curves: alive.map((m) => (curveOf.get(m) ?? []).slice(0, epoch)) };
    alive = verdictStep(policy, task, rung).keep.map((i) => alive[i] ?? '');
  }
  const pick = alive[0] ?? '';
  trained.set(pick, task.maxEpochs);
  const epochs = [...trained.values()].reduce((s, e) => s + e, 0);
  return { pick, cost: epochs + recall.proxyCharges * PROXY_EPOCH_COST };
}

/**
 * Replay `policy` on every past target of the oriented `task` (module comment) with a budget
 * of min(task.maxEpochs, the epochs the history recorded). Pure.
 */
export function replayOnHistory(policy: SelectionPolicy, task: SelectionTask): HistoryReplayCase[] {
  const recorded = Math.max(0, ...task.curves.runs.map((r) => r.val.length));
  const budget = Math.min(task.maxEpochs, recorded);
  if (budget < 1) return [];
  return pastTargets(task, budget).map(({ dataset, runs }) => {
    const past = pastTask(task, dataset, runs, budget);
    const { pick, cost } = runPast(policy, past, runs);
    const best = Math.max(...runs.map((r) => r.test ?? Number.NEGATIVE_INFINITY));
    const picked = runs.find((r) => r.model === pick)?.test ?? Number.NaN;
    return { dataset, regret: best - picked, cost };
  });
}

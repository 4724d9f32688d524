/**
 * The online phase's decisions, for every policy alike: plan the pool, recall, decide each
 * round. Each activity rebuilds the selection task from one store version (cached per
 * version, since snapshots are immutable) and calls the policy engine (algorithms/policy.ts),
 * the same code replay evaluates. No policy is named here.
 */
import type { Clustering, Direction, PerformanceMatrix, RunSet } from '../algorithms/types';
import { selectDatasets, selectRuns } from '../algorithms/matrix';
import { createPolicy } from '../algorithms/policies';
import { clusteringForMatrix as clusteringOver } from '../algorithms/policies/cluster-recall';
import { decideStep, proxyStep, recallStep, type SelectionPolicy, type SelectionTask } from '../algorithms/policy';
import { ErrorType, nonRetryable } from '../contracts/errors';
import type { PolicyName, PolicyOptions } from '../contracts/schemas/policy';
import { ForwardProxySchema } from '../contracts/schemas/training';
import type { DecideRoundInput, DecideRoundOutput, PlanSelectionInput, PlanSelectionOutput, RecallInput, RecallOutput } from '../contracts/schemas/selection';
import { toFailure, type MatrixStore } from '../matrix-store';
import type { Catalog } from './catalog';

export interface SelectionDeps {
  readonly store: MatrixStore;
  readonly catalogs: Readonly<Record<string, Catalog>>;
}

/** What selection knows from one store version, with the target left out. */
interface History {
  readonly version: number;
  readonly matrix: PerformanceMatrix;
  readonly runs: RunSet;
  readonly stored: Clustering | null;
  readonly targetInStore: boolean;
  readonly removed: ReadonlySet<string>;
  readonly directions: ReadonlyMap<string, Direction>;
}

/** Snapshots are immutable, so what is read from a version is cached per (version, target). */
function historyLoader(store: MatrixStore) {
  const cache = new Map<string, Promise<History>>();
  const load = async (version: number | undefined, target: string): Promise<History> => {
    const snap = await store.snapshot(version);
    const full = await snap.performanceMatrix();
    const runs = await snap.runSet();
    const clusterings = await snap.clusterings();
    const removed = new Set((await snap.models()).filter((m) => m.removedAt !== null).map((m) => m.id));
    const directions = new Map((await snap.datasets()).map((d) => [d.id, d.direction] as const));
    return {
      version: snap.version,
      matrix: selectDatasets(full, (d) => d !== target),
      runs: selectRuns(runs, (r) => r.dataset !== target),
      stored: clusterings.at(-1)?.clustering ?? null,
      targetInStore: full.datasets.includes(target),
      removed,
      directions,
    };
  };
  return (version: number | undefined, target: string): Promise<History> => {
    const key = `${version ?? 'head'}\u0000${target}`;
    if (version === undefined) return load(undefined, target).catch((e: unknown) => { throw toFailure(e); });
    if (!cache.has(key)) {
      if (cache.size >= 8) cache.delete(cache.keys().next().value as string);
      cache.set(key, load(version, target).catch((e: unknown) => { cache.delete(key); throw toFailure(e); }));
    }
    return cache.get(key) as Promise<History>;
  };
}

/**
 * The selection task a policy sees for a store version: the target left out of every
 * history, each dataset's direction, the stored clustering unless it saw the target.
 */
export function selectionTask(h: Omit<History, 'version' | 'removed'>, t: { target: string; pool: readonly string[]; direction: Direction; seed: number; maxEpochs: number; proxies?: SelectionTask['proxies'] }): SelectionTask {
  return {
    target: t.target, pool: t.pool, maxEpochs: t.maxEpochs, direction: t.direction, datasetDirections: h.directions,
    history: h.matrix, curves: h.runs, proxies: t.proxies ?? new Map(), clustering: h.targetInStore ? null : h.stored, seed: t.seed,
  };
}

/**
 * The clustering a report shows over exactly `matrix.models`: the stored one when it covers
 * them and never saw the target, otherwise the paper's clustering of `matrix`.
 */
export function clusteringForMatrix(stored: Clustering | null, sawTarget: boolean, matrix: PerformanceMatrix): Clustering {
  return clusteringOver(sawTarget ? null : stored, matrix);
}

function poolOf(h: History, requested: readonly string[] | undefined): string[] {
  const known = new Set(h.matrix.models);
  if (!requested) return h.matrix.models.filter((m) => !h.removed.has(m));
  const bad = requested.filter((m) => !known.has(m) || h.removed.has(m));
  if (bad.length) throw nonRetryable(ErrorType.ModelNotFound, `models not in store version ${h.version} (or withdrawn): ${bad.slice(0, 10).join(', ')}`);
  return [...new Set(requested)];
}

/** The policy, or a non-retryable InvalidInput naming what is wrong with its options. */
function policyOf(name: PolicyName, options: PolicyOptions): SelectionPolicy {
  try {
    return createPolicy(name, options);
  } catch (e) {
    throw nonRetryable(ErrorType.InvalidInput, (e as Error).message);
  }
}

/** Run an engine step; an engine error (bad task for the policy) is a non-retryable InvalidInput. */
function step<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw nonRetryable(ErrorType.InvalidInput, `${what}: ${(e as Error).message}`);
  }
}

/** Online-phase decisions (orchestrator queue): plan the pool, recall, decide each round. */
export function createSelectionActivities(deps: SelectionDeps) {
  const history = historyLoader(deps.store);
  const tasks = new Map<string, SelectionTask>();
  /** The task of decideRound, cached per (version, target, direction, seed): policies cache what they derive from it. */
  const roundTask = (h: History, input: DecideRoundInput): SelectionTask => {
    const key = `${h.version}\u0000${input.target}\u0000${input.direction}\u0000${input.seed}`;
    if (!tasks.has(key)) {
      if (tasks.size >= 8) tasks.delete(tasks.keys().next().value as string);
      tasks.set(key, selectionTask(h, { target: input.target, pool: h.matrix.models, direction: input.direction, seed: input.seed, maxEpochs: input.budgetEpochs }));
    }
    return tasks.get(key) as SelectionTask;
  };
  return {
    /**
     * The candidate pool (store models with history, minus withdrawn ones), the target's
     * metric direction, and the proxy scores recall needs first. Read-only. Fails with
     * DatasetNotFound (unknown target), ModelNotFound, InvalidInput (empty store, bad options).
     */
    async planSelection(input: PlanSelectionInput): Promise<PlanSelectionOutput> {
      const catalog = deps.catalogs[input.trainer];
      if (!catalog) throw nonRetryable(ErrorType.InvalidInput, `trainer "${input.trainer}" is not configured (configured: ${Object.keys(deps.catalogs).join(', ')})`);
      const datasets = await catalog.datasets();
      const target = datasets.find((d) => d.id === input.target);
      if (!target) throw nonRetryable(ErrorType.DatasetNotFound, `target dataset "${input.target}" is not known to the ${input.trainer} trainer (known: ${datasets.slice(0, 20).map((d) => d.id).join(', ')})`);
      const policy = policyOf(input.policy, input.options);
      const h = await history(input.storeVersion, input.target);
      const pool = poolOf(h, input.models);
      if (pool.length === 0) throw nonRetryable(ErrorType.InvalidInput, `store version ${h.version} has no model with history: run the offline phase first`);
      const task = selectionTask(h, { target: input.target, pool, direction: target.direction, seed: input.seed, maxEpochs: 1 });
      const request = step(`planning ${input.policy} for ${input.target}`, () => proxyStep(policy, task));
      if (request === null) return { storeVersion: h.version, pool, direction: target.direction, metric: target.metric, proxyRequest: null };
      const proxy = ForwardProxySchema.safeParse(request.proxy);
      if (!proxy.success) throw nonRetryable(ErrorType.InvalidInput, `${input.policy} asks for proxy "${request.proxy}", which proxyScore cannot compute`);
      return { storeVersion: h.version, pool, direction: target.direction, metric: target.metric, proxyRequest: { proxy: proxy.data, models: [...request.models] } };
    },

    /** Coarse recall of the policy: candidates, their scores, proxy charges. Pure over the store version. Fails with InvalidInput. */
    async recall(input: RecallInput): Promise<RecallOutput> {
      const h = await history(input.storeVersion, input.target);
      const policy = policyOf(input.policy, input.options);
      const proxies = new Map(input.proxy === null ? [] : [[input.proxy, new Map(Object.entries(input.proxyScores))]]);
      const task = selectionTask(h, { target: input.target, pool: input.pool, direction: input.direction, seed: input.seed, maxEpochs: 1, proxies });
      const r = step(`recall for ${input.target}`, () => recallStep(policy, task));
      return { candidates: [...r.candidates], scores: { ...r.scores }, proxyCharges: r.proxyCharges };
    },

    /**
     * One round's decision of the policy: which models go on, which are eliminated and why,
     * and the scores they were ranked by; at the budget epoch, the policy's final pick.
     * Deterministic for a seed. Fails with InvalidInput.
     */
    async decideRound(input: DecideRoundInput): Promise<DecideRoundOutput> {
      const h = await history(input.storeVersion, input.target);
      const policy = policyOf(input.policy, input.options);
      const rung = { epoch: input.epoch, budgetEpochs: input.budgetEpochs, models: input.models, curves: input.curves };
      const d = step(`round at epoch ${input.epoch} for ${input.target}`, () => decideStep(policy, roundTask(h, input), rung));
      return { keep: [...d.keep], eliminated: d.eliminated.map((e) => ({ ...e })), predictions: { ...d.predictions }, passed: [...(d.passed ?? d.keep)], scoreName: d.scoreName ?? null, halving: d.halving ?? null };
    },
  };
}

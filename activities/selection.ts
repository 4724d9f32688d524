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
    if (version === undefined)
      return load(undefined, target).catch((e: unknown) => {
        throw toFailure(e);
      });
    if (!cache.has(key)) {
      if (cache.size >= 8) cache.delete(cache.keys().next().value as string);
      cache.set(
        key,
        load(version, target).catch((e: unknown) => {
          cache.delete(key);
          throw toFailure(e);
        }),
      );
    }
    return cache.get(key) as Promise<History>;
  };
}

/** Proxy scores by proxy name, then dataset, then model. */
type StoredProxies = ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;

/**
 * Every proxy score the store keeps (imported with a hub, or cached by proxyScore under
 * `<proxy>@probe<n>#seed<s>`), by proxy name, dataset and model; the first row of a
 * (proxy, dataset, model) wins. Read from the newest version, since a score of a given model,
 * dataset and probe never changes; cached per version.
 */
function proxyLoader(store: MatrixStore): () => Promise<StoredProxies> {
  let cached: { version: number; proxies: StoredProxies } | null = null;
  return async () => {
    const snap = await store.snapshot();
    if (cached?.version === snap.version) return cached.proxies;
    const out = new Map<string, Map<string, Map<string, number>>>();
    for (const row of await snap.rows('proxyScores')) {
      const proxy = String(row.proxy).split('@')[0] ?? '';
      const value = Number(row.value);
      if (proxy === '' || !Number.isFinite(value)) continue;
      const byDataset = out.get(proxy) ?? new Map<string, Map<string, number>>();
      out.set(proxy, byDataset);
      const byModel = byDataset.get(String(row.target)) ?? new Map<string, number>();
      byDataset.set(String(row.target), byModel);
      if (!byModel.has(String(row.model))) byModel.set(String(row.model), value);
    }
    cached = { version: snap.version, proxies: out };
    return out;
  };
}

/** The stored scores on `target` (by proxy) and on every other dataset (the proxy history). */
function splitProxies(
  stored: StoredProxies,
  target: string,
): { onTarget: Map<string, ReadonlyMap<string, number>>; history: Map<string, ReadonlyMap<string, ReadonlyMap<string, number>>> } {
  const onTarget = new Map<string, ReadonlyMap<string, number>>();
  const history = new Map<string, ReadonlyMap<string, ReadonlyMap<string, number>>>();
  for (const [proxy, byDataset] of stored) {
    const t = byDataset.get(target);
    if (t !== undefined) onTarget.set(proxy, t);
    history.set(proxy, new Map([...byDataset].filter(([d]) => d !== target)));
  }
  return { onTarget, history };
}

/**
 * The selection task a policy sees for a store version: the target left out of every
 * history, each dataset's direction, the stored clustering unless it saw the target.
 */
export function selectionTask(
  h: Omit<History, 'version' | 'removed'>,
  t: {
    target: string;
    pool: readonly string[];
    direction: Direction;
    seed: number;
    maxEpochs: number;
    proxies?: SelectionTask['proxies'];
    proxyHistory?: SelectionTask['proxyHistory'];
  },
): SelectionTask {
  return {
    target: t.target,
    pool: t.pool,
    maxEpochs: t.maxEpochs,
    direction: t.direction,
    datasetDirections: h.directions,
    history: h.matrix,
    curves: h.runs,
    proxies: t.proxies ?? new Map(),
    clustering: h.targetInStore ? null : h.stored,
    seed: t.seed,
    ...(t.proxyHistory === undefined ? {} : { proxyHistory: t.proxyHistory }),
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

/** Mean recorded epoch seconds of each pool model on the history's (benchmark) datasets, the target left out; models without timings are absent. */
async function epochSeconds(store: MatrixStore, h: History, pool: readonly string[]): Promise<Record<string, number>> {
  const costs = await (await store.snapshot(h.version)).epochCosts({ models: pool, datasets: h.matrix.datasets, includeRemoved: true }).catch((e: unknown) => {
    throw toFailure(e);
  });
  return Object.fromEntries([...costs].map(([model, c]) => [model, c.meanSeconds]));
}

/**
 * Policies by (name, options), each checked and resolved once: planSelection, recall and every
 * decideRound of a run ask for the same spec, and a policy is a pure function of it. A bad
 * spec is not cached, so it fails alike every time.
 */
function policyCache(): (name: PolicyName, options: PolicyOptions) => SelectionPolicy {
  const cache = new Map<string, SelectionPolicy>();
  return (name, options) => {
    const key = `${name}\u0000${JSON.stringify(
      Object.entries(options)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b)),
    )}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let policy: SelectionPolicy;
    try {
      policy = createPolicy(name, options);
    } catch (e) {
      throw nonRetryable(ErrorType.InvalidInput, (e as Error).message);
    }
    if (cache.size >= 64) cache.delete(cache.keys().next().value as string);
    cache.set(key, policy);
    return policy;
  };
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
  const storedProxies = proxyLoader(deps.store);
  const policyOf = policyCache();
  const tasks = new Map<string, { stored: StoredProxies; task: SelectionTask }>();
  /**
   * The task of decideRound, cached per (version, target, direction, seed, stored proxy scores): policies
   * cache what they derive from it. The target's proxy scores are those proxyScore kept in the store.
   */
  const roundTask = async (h: History, input: DecideRoundInput): Promise<SelectionTask> => {
    const stored = await storedProxies();
    const pool = input.pool ?? h.matrix.models;
    const key = `${h.version}\u0000${input.target}\u0000${input.direction}\u0000${input.seed}\u0000${input.budgetEpochs}\u0000${pool.join('\u0001')}`;
    const hit = tasks.get(key);
    if (hit?.stored !== stored) {
      if (tasks.size >= 8) tasks.delete(tasks.keys().next().value as string);
      const { onTarget, history: proxyHistory } = splitProxies(stored, input.target);
      tasks.set(key, {
        stored,
        task: selectionTask(h, {
          target: input.target,
          pool,
          direction: input.direction,
          seed: input.seed,
          maxEpochs: input.budgetEpochs,
          proxies: onTarget,
          proxyHistory,
        }),
      });
    }
    return (tasks.get(key) as { task: SelectionTask }).task;
  };
  return {
    /**
     * The candidate pool (store models with history, minus withdrawn ones), the target's
     * metric direction, and the proxy scores recall needs first. Read-only. Fails with
     * DatasetNotFound (unknown target), ModelNotFound, InvalidInput (empty store, bad options).
     */
    async planSelection(input: PlanSelectionInput): Promise<PlanSelectionOutput> {
      const catalog = deps.catalogs[input.trainer];
      if (!catalog)
        throw nonRetryable(ErrorType.InvalidInput, `trainer "${input.trainer}" is not configured (configured: ${Object.keys(deps.catalogs).join(', ')})`);
      const datasets = await catalog.datasets();
      const target = datasets.find((d) => d.id === input.target);
      if (!target)
        throw nonRetryable(
          ErrorType.DatasetNotFound,
          `target dataset "${input.target}" is not known to the ${input.trainer} trainer (known: ${datasets
            .slice(0, 20)
            .map((d) => d.id)
            .join(', ')})`,
        );
      const policy = policyOf(input.policy, input.options);
      const h = await history(input.storeVersion, input.target);
      const pool = poolOf(h, input.models);
      if (pool.length === 0) throw nonRetryable(ErrorType.InvalidInput, `store version ${h.version} has no model with history: run the offline phase first`);
      const { onTarget, history: proxyHistory } = splitProxies(await storedProxies(), input.target);
      const task = selectionTask(h, {
        target: input.target,
        pool,
        direction: target.direction,
        seed: input.seed,
        maxEpochs: 1,
        proxies: onTarget,
        proxyHistory,
      });
      const request = step(`planning ${input.policy} for ${input.target}`, () => proxyStep(policy, task));
      const meanEpochSeconds = await epochSeconds(deps.store, h, pool);
      // Every forward proxy scores class labels: on a regression target recall falls back to the prior (with a warning).
      if (request === null || target.taskType === 'regression')
        return { storeVersion: h.version, pool, direction: target.direction, metric: target.metric, proxyRequest: null, meanEpochSeconds };
      const proxy = ForwardProxySchema.safeParse(request.proxy);
      if (!proxy.success) throw nonRetryable(ErrorType.InvalidInput, `${input.policy} asks for proxy "${request.proxy}", which proxyScore cannot compute`);
      const scorable = new Set(datasets.filter((d) => d.taskType !== 'regression').map((d) => d.id));
      const others = (request.datasets ?? []).filter((d) => scorable.has(d));
      return {
        storeVersion: h.version,
        pool,
        direction: target.direction,
        metric: target.metric,
        proxyRequest: { proxy: proxy.data, models: [...request.models], ...(others.length > 0 ? { datasets: others } : {}) },
        meanEpochSeconds,
      };
    },

    /** Coarse recall of the policy: candidates, their scores, proxy charges. Pure over the store version. Fails with InvalidInput. */
    async recall(input: RecallInput): Promise<RecallOutput> {
      const h = await history(input.storeVersion, input.target);
      const policy = policyOf(input.policy, input.options);
      const { onTarget, history: proxyHistory } = splitProxies(await storedProxies(), input.target);
      const proxies = new Map(onTarget);
      if (input.proxy !== null) proxies.set(input.proxy, new Map(Object.entries(input.proxyScores)));
      const task = selectionTask(h, {
        target: input.target,
        pool: input.pool,
        direction: input.direction,
        seed: input.seed,
        maxEpochs: input.budgetEpochs ?? 1,
        proxies,
        proxyHistory,
      });
      const r = step(`recall for ${input.target}`, () => recallStep(policy, task));
      return {
        candidates: [...r.candidates],
        scores: { ...r.scores },
        proxyCharges: r.proxyCharges,
        ...(r.warnings && r.warnings.length > 0 ? { warnings: [...r.warnings] } : {}),
      };
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
      const task = await roundTask(h, input);
      const d = step(`round at epoch ${input.epoch} for ${input.target}`, () => decideStep(policy, task, rung));
      return {
        keep: [...d.keep],
        eliminated: d.eliminated.map((e) => ({ ...e })),
        predictions: { ...d.predictions },
        passed: [...(d.passed ?? d.keep)],
        scoreName: d.scoreName ?? null,
        halving: d.halving ?? null,
      };
    },
  };
}

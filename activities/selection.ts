import type { Clustering, PerformanceMatrix, RunSet } from '../algorithms/types';
import { clusterPaper } from '../algorithms/cluster-paper';
import { selectDatasets, selectModels, selectRuns } from '../algorithms/matrix';
import { recall, type RecallProxy } from '../algorithms/recall';
import { survivors } from '../algorithms/halving';
import { fineSelectionRound, predictFinal, runsByModel, trendFilter, trendPoints } from '../algorithms/trend-filter';
import { FINE_SELECTION_DEFAULTS } from '../algorithms/policies/fine-selection';
import { TWO_PHASE_DEFAULTS } from '../algorithms/policies/two-phase-paper';
import { priorShrinkSteps } from '../algorithms/policies/prior-shrink-halving';
import type { SelectionTask } from '../algorithms/policy';
import { standardizedPrior } from '../algorithms/prior';
import { rankDescending } from '../algorithms/stats';
import { ErrorType, nonRetryable } from '../contracts/errors';
import type {
  DecideRoundInput, DecideRoundOutput, PlanSelectionInput, PlanSelectionOutput, RecallInput, RecallOutput,
} from '../contracts/schemas';
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
}

const last = (c: readonly number[]): number => c[c.length - 1] ?? Number.NaN;

/** Snapshots are immutable, so what is read from a version is cached per (version, target). */
function historyLoader(store: MatrixStore) {
  const cache = new Map<string, Promise<History>>();
  const load = async (version: number | undefined, target: string): Promise<History> => {
    const snap = await store.snapshot(version);
    const full = await snap.performanceMatrix();
    const runs = await snap.runSet();
    const clusterings = await snap.clusterings();
    const removed = new Set((await snap.models()).filter((m) => m.removedAt !== null).map((m) => m.id));
    return {
      version: snap.version,
      matrix: selectDatasets(full, (d) => d !== target),
      runs: selectRuns(runs, (r) => r.dataset !== target),
      stored: clusterings.at(-1)?.clustering ?? null,
      targetInStore: full.datasets.includes(target),
      removed,
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
 * The clustering recall uses, over exactly `matrix.models`: the stored one (so a model placed
 * in its nearest cluster counts at once) when it covers them and never saw the target;
 * otherwise the paper's clustering of this history.
 */
export function clusteringForMatrix(stored: Clustering | null, sawTarget: boolean, matrix: PerformanceMatrix): Clustering {
  const index = new Map(stored?.models.map((m, i) => [m, i]) ?? []);
  if (!stored || sawTarget || matrix.models.some((m) => !index.has(m))) return clusterPaper(matrix);
  const labels = matrix.models.map((m) => stored.labels[index.get(m) ?? -1] ?? -1);
  const keep = new Set(matrix.models);
  return { models: matrix.models, labels, representatives: new Map([...stored.representatives].filter(([, m]) => keep.has(m))) };
}

function clusteringFor(h: History, matrix: PerformanceMatrix): Clustering {
  return clusteringForMatrix(h.stored, h.targetInStore, matrix);
}

/** Models whose own proxy score recall needs: members of multi-model clusters and representatives. */
export function modelsNeedingProxy(c: Clustering): string[] {
  const size = new Map<number, number>();
  c.labels.forEach((l) => size.set(l, (size.get(l) ?? 0) + 1));
  const reps = new Set(c.representatives.values());
  return c.models.filter((m, i) => (size.get(c.labels[i] ?? -1) ?? 0) > 1 || reps.has(m));
}

function poolOf(h: History, requested: readonly string[] | undefined): string[] {
  const known = new Set(h.matrix.models);
  if (!requested) return h.matrix.models.filter((m) => !h.removed.has(m));
  const bad = requested.filter((m) => !known.has(m) || h.removed.has(m));
  if (bad.length) throw nonRetryable(ErrorType.ModelNotFound, `models not in store version ${h.version} (or withdrawn): ${bad.slice(0, 10).join(', ')}`);
  return [...new Set(requested)];
}

/** Online-phase decisions (orchestrator queue): plan the pool, recall, decide each round. */
export function createSelectionActivities(deps: SelectionDeps) {
  const history = historyLoader(deps.store);
  return {
    /**
     * The candidate pool (store models with history, minus withdrawn ones) and the models
     * recall needs a proxy score for. Read-only. Fails with DatasetNotFound (unknown target),
     * ModelNotFound, InvalidInput (empty store).
     */
    async planSelection(input: PlanSelectionInput): Promise<PlanSelectionOutput> {
      const catalog = deps.catalogs[input.trainer];
      if (!catalog) throw nonRetryable(ErrorType.InvalidInput, `trainer "${input.trainer}" is not configured (configured: ${Object.keys(deps.catalogs).join(', ')})`);
      const datasets = (await catalog.datasets()).map((d) => d.id);
      if (!datasets.includes(input.target)) throw nonRetryable(ErrorType.DatasetNotFound, `target dataset "${input.target}" is not known to the ${input.trainer} trainer (known: ${datasets.slice(0, 20).join(', ')})`);
      const h = await history(input.storeVersion, input.target);
      const pool = poolOf(h, input.models);
      if (pool.length === 0) throw nonRetryable(ErrorType.InvalidInput, `store version ${h.version} has no model with history: run the offline phase first`);
      const needsProxy = input.policy === 'two-phase-paper' && input.proxy !== 'history-prior';
      const matrix = selectModels(h.matrix, (m) => pool.includes(m));
      return { storeVersion: h.version, pool, proxyModels: needsProxy ? modelsNeedingProxy(clusteringFor(h, matrix)) : [] };
    },

    /**
     * Coarse recall: for `prior-shrink-halving` the best models by standardized history prior
     * (no proxy); for `two-phase-paper` the paper's score with the proxy (or the prior alone).
     * Pure over the store version. Fails with InvalidInput when scores are missing.
     */
    async recall(input: RecallInput): Promise<RecallOutput> {
      const h = await history(input.storeVersion, input.target);
      const pool = new Set(input.pool);
      const matrix = selectModels(h.matrix, (m) => pool.has(m));
      try {
        if (input.policy === 'prior-shrink-halving') {
          const steps = priorShrinkSteps(taskOf(h, input.target, input.pool, 1, 0), input.recallSize === undefined ? {} : { recallSize: input.recallSize });
          const z = standardizedPrior(matrix);
          return { candidates: [...steps.recalled], scores: Object.fromEntries(matrix.models.map((m, i) => [m, z[i] ?? Number.NaN])) };
        }
        const proxy: RecallProxy = input.proxy === 'history-prior' ? { kind: 'prior' } : { kind: 'scores', scores: new Map(Object.entries(input.proxyScores)) };
        const size = Math.min(input.recallSize ?? TWO_PHASE_DEFAULTS.fineSize, matrix.models.length);
        const candidates = recall(matrix, clusteringFor(h, matrix), proxy, size);
        return { candidates, scores: proxy.kind === 'prior' ? {} : { ...input.proxyScores } };
      } catch (e) {
        throw nonRetryable(ErrorType.InvalidInput, `recall for ${input.target}: ${(e as Error).message}`);
      }
    },

    /**
     * One round's decision for `policy`: which models go on, which are eliminated and why
     * (trend filter or halving), and the predicted finals. Deterministic for a seed.
     */
    async decideRound(input: DecideRoundInput): Promise<DecideRoundOutput> {
      const current = input.curves.map(last);
      const rung = { epoch: input.epoch, models: input.models, curves: input.curves };
      const atBudget = input.epoch >= input.budgetEpochs;
      const finalPick = (order: number[]): number[] => (atBudget && order.length > 1 ? order.slice(0, 1) : order);
      if (input.policy === 'brute-force') return explain(input, finalPick(atBudget ? rankDescending(current) : input.models.map((_, i) => i)), null, {});
      if (input.policy === 'successive-halving') return explain(input, finalPick(atBudget ? rankDescending(current) : survivors(current, input.eta, 'maximize')), null, {});
      const h = await history(input.storeVersion, input.target);
      if (input.policy === 'prior-shrink-halving') {
        const steps = priorShrinkSteps(taskOf(h, input.target, input.models, input.budgetEpochs, input.seed), { eta: input.eta });
        const score = steps.score(rung);
        const predictions = Object.fromEntries(input.models.map((m, i) => [m, score[i] ?? Number.NaN]));
        return explain(input, atBudget ? [steps.pick(rung)] : steps.rule(rung), null, predictions);
      }
      const clusters = input.policy === 'two-phase-paper' ? TWO_PHASE_DEFAULTS.clusters : FINE_SELECTION_DEFAULTS.clusters;
      const trend = { clusters, threshold: 0, thresholdMode: 'absolute' as const, seed: input.seed };
      const byModel = runsByModel(h.runs);
      const predicted = input.models.map((m, i) => predictFinal(trendPoints(byModel.get(m) ?? [], input.epoch), current[i] ?? Number.NaN, trend));
      const predictions = Object.fromEntries(input.models.map((m, i) => [m, predicted[i] ?? Number.NaN]));
      const kept = fineSelectionRound(current, predicted, input.eta, trend);
      return explain(input, finalPick(atBudget ? kept.sort((a, b) => (current[b] ?? -Infinity) - (current[a] ?? -Infinity) || a - b) : kept), trendFilter(current, predicted, trend), predictions);
    },
  };
}

/** The selection task a policy sees: the target left out of every history. */
function taskOf(h: History, target: string, pool: readonly string[], maxEpochs: number, seed: number): SelectionTask {
  return { target, pool, maxEpochs, direction: 'maximize', history: h.matrix, curves: h.runs, proxy: null, seed };
}

function explain(input: DecideRoundInput, kept: number[], afterFilter: number[] | null, predictions: Record<string, number>): DecideRoundOutput {
  const keep = new Set(kept);
  const passed = new Set(afterFilter ?? input.models.map((_, i) => i));
  const best = Math.max(...input.curves.map(last).filter(Number.isFinite));
  const eliminated = input.models.flatMap((model, i): DecideRoundOutput['eliminated'] => {
    if (keep.has(i)) return [];
    const v = last(input.curves[i] ?? []);
    if (!passed.has(i)) {
      return [{ model, reason: 'trend-filter', detail: `predicted final ${fmt(predictions[model])} is below that of a model with higher validation (its validation ${fmt(v)} at epoch ${input.epoch})` }];
    }
    const score = predictions[model] === undefined ? `validation ${fmt(v)}` : `score ${fmt(predictions[model])} (validation ${fmt(v)})`;
    return [{ model, reason: 'halving', detail: `${score} at epoch ${input.epoch} not in the top ${kept.length} of ${input.models.length} (best validation ${fmt(best)})` }];
  });
  return { keep: kept.map((i) => input.models[i] ?? ''), eliminated, predictions };
}

function fmt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4);
}

/**
 * The one selection engine, run alike by the live workflow (one step per activity) and by
 * replay (`runSelection`). A policy is narrow, like Optuna's one-method pruner:
 *
 * - `proxyRequest(task)`: the proxy scores recall needs computed on the target first (or null);
 * - `recall(task)`: the candidates, their recall scores and the proxy computations to charge;
 * - `decide(task, rung)`: after every epoch, which rung models go on (and why the others stop);
 * - `pick(task, rung)`: the one model to keep among several alive at the budget epoch.
 *
 * Policies see the task and rungs oriented so that higher is better (`orientTask`); the engine
 * functions below (`recallStep`, `decideStep`) orient what they are given by the target's
 * direction, turn the verdict into named eliminations and report scores on the metric's own
 * scale. The decision at the budget epoch is always the policy's final pick.
 */
import type { Clustering, Direction, PerformanceMatrix, RunSet } from './types';
import { EpochLedger, type SelectionCost } from './cost';
import type { ProxyHistory } from './evidence';
import { halvingCutoff, type HalvingCutoff } from './round-record';

export interface SelectionTask {
  /** Target dataset id. */
  readonly target: string;
  /** Candidate models, in a fixed order (ties fall to the earlier one where a policy says so). */
  readonly pool: readonly string[];
  /** Full training length in epochs (replay); the pick is trained this far. */
  readonly maxEpochs: number;
  /** The target's metric direction. */
  readonly direction: Direction;
  /** Metric direction of the history datasets (of task.history and task.curves); a dataset not listed is maximized. */
  readonly datasetDirections?: ReadonlyMap<string, Direction>;
  /**
   * Offline performance matrix over other datasets. An honest task leaves the target out;
   * the paper's published setting did not (its matrix has a boolq row), so this is not enforced.
   */
  readonly history: PerformanceMatrix;
  /** Recorded fine-tune runs on other datasets; never contains the target. */
  readonly curves: RunSet;
  /** Proxy scores on the target by proxy name (`leep`), then by model; empty when none are available. */
  readonly proxies: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /**
   * Proxy scores on history datasets (proxy, then dataset, then model): what a proxy told on
   * past targets, from which a policy learns how much to trust it. Never holds the target.
   */
  readonly proxyHistory?: ProxyHistory;
  /** The offline phase's clustering (the stored one, which counts placed models), when it never saw the target; null = cluster the history. */
  readonly clustering?: Clustering | null;
  readonly seed: number;
}

/** Proxy scores recall needs computed on the target before it runs. */
export interface ProxyRequest {
  readonly proxy: string;
  readonly models: readonly string[];
  /**
   * History datasets to score `models` on as well, so that the policy can learn how much the
   * proxy tells (offline evidence: computed once, kept in the store, not charged to a run).
   * Absent = none.
   */
  readonly datasets?: readonly string[];
}

export interface Recall {
  /** Models that enter the first round, in order. */
  readonly candidates: readonly string[];
  /** The score each recall ranked by, per model (metric scale for the prior, the proxy's own otherwise). */
  readonly scores: Readonly<Record<string, number>>;
  /** Proxy computations charged, PROXY_EPOCH_COST epoch each. */
  readonly proxyCharges: number;
  /** What the recall could not use and fell back from (e.g. a proxy without scores on the target); absent = none. */
  readonly warnings?: readonly string[];
}

/** One rung: after `epoch` of `budgetEpochs`, the alive models and their validation curves so far. */
export interface Rung {
  readonly epoch: number;
  readonly budgetEpochs: number;
  readonly models: readonly string[];
  readonly curves: readonly (readonly number[])[];
}

/** A policy's verdict on an (oriented) rung; indices into rung.models. */
export interface Verdict {
  /** Indices that go on, in rung order; at least one. */
  readonly keep: readonly number[];
  /** Indices dropped by a convergence-trend filter (the rest of the dropped ones lost a halving rung). */
  readonly filtered?: readonly number[];
  /** The score the policy ranked by (oriented, higher is better) and what it is; absent = the validation score. */
  readonly score?: { readonly values: readonly number[]; readonly meaning: string };
}

export type EngineReason = 'halving' | 'trend-filter';

/** The engine's decision on a rung, on the metric's own scale. */
export interface Decision {
  readonly keep: readonly string[];
  readonly eliminated: readonly { model: string; reason: EngineReason; detail: string }[];
  /** The score each rung model was ranked by (a predicted or corrected final metric), where the policy has one. */
  readonly predictions: Readonly<Record<string, number>>;
  /** The models the verdict kept, before the final pick at the budget epoch (rung order). */
  readonly passed?: readonly string[];
  /** What `predictions` are (the verdict's score meaning); null when the policy ranks by validation only. */
  readonly scoreName?: string | null;
  /** The value halving ranked by and its cutoff, the worst value kept (metric scale; null: halving dropped nobody). */
  readonly halving?: HalvingCutoff;
}

export interface SelectionPolicy {
  /** Registry name with the non-default options, e.g. `successive-halving:eta=3`. */
  readonly name: string;
  proxyRequest(task: SelectionTask): ProxyRequest | null;
  recall(task: SelectionTask): Recall;
  decide(task: SelectionTask, rung: Rung): Verdict;
  /** Index (into rung.models) of the final pick among several alive at the budget epoch. */
  pick(task: SelectionTask, rung: Rung): number;
}

/** A training backend: validation scores after epochs fromEpoch+1 .. toEpoch of `model` on the target. */
export type TrainEpochs = (model: string, fromEpoch: number, toEpoch: number) => Promise<readonly number[]>;

export interface SelectionRun {
  readonly policy: string;
  readonly pick: string;
  readonly cost: SelectionCost;
  /** Epochs trained on the target per pool model, in pool order. */
  readonly epochs: readonly number[];
  /** Every model dropped, in order: the round (= epoch) whose decision dropped it, and why. */
  readonly eliminations: readonly { model: string; round: number; reason: EngineReason }[];
}

function validateTask(task: SelectionTask): void {
  if (task.pool.length === 0) throw new Error(`pool for ${task.target} is empty, but must hold at least one model`);
  if (new Set(task.pool).size !== task.pool.length) throw new Error(`pool for ${task.target} lists a model twice`);
  if (!Number.isInteger(task.maxEpochs) || task.maxEpochs < 1) throw new Error(`maxEpochs is ${task.maxEpochs}, but must be an integer >= 1`);
  if (task.curves.runs.some((r) => r.dataset === task.target)) throw new Error(`curves must not contain the target ${task.target}`);
  if ([...(task.proxyHistory?.values() ?? [])].some((byDataset) => byDataset.has(task.target)))
    throw new Error(`proxyHistory must not contain the target ${task.target}`);
}

const oriented = new WeakMap<SelectionTask, SelectionTask>();

/**
 * The same task with every history metric of a minimized dataset negated (each dataset by its
 * own direction), so policies always maximise; the target's curves are oriented by
 * task.direction in decideStep. Cached per task object.
 */
export function orientTask(task: SelectionTask): SelectionTask {
  const dirs = task.datasetDirections;
  const minimized = new Set([...(dirs ?? new Map<string, Direction>())].filter(([, d]) => d === 'minimize').map(([k]) => k));
  if (minimized.size === 0) return task;
  const hit = oriented.get(task);
  if (hit) return hit;
  const h = task.history;
  const rowSign = h.datasets.map((d) => (minimized.has(d) ? -1 : 1));
  const values = h.values.map((v, i) => v * (rowSign[Math.floor(i / Math.max(1, h.models.length))] ?? 1));
  const runs = task.curves.runs.map((r) => (minimized.has(r.dataset) ? { ...r, val: r.val.map((v) => -v), test: r.test === null ? null : -r.test } : r));
  const out: SelectionTask = { ...task, history: { ...h, values }, curves: { ...task.curves, runs } };
  oriented.set(task, out);
  return out;
}

const sign = (d: Direction): number => (d === 'maximize' ? 1 : -1);
const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4));

/** Proxy scores the policy's recall needs on the target (null: none). */
export function proxyStep(policy: SelectionPolicy, task: SelectionTask): ProxyRequest | null {
  return policy.proxyRequest(orientTask(task));
}

/** Coarse recall of the policy on the task. Throws when the policy cannot recall (e.g. no pool model has history). */
export function recallStep(policy: SelectionPolicy, task: SelectionTask): Recall {
  const r = policy.recall(orientTask(task));
  if (r.candidates.length === 0) throw new Error(`${policy.name} recalled no model for ${task.target}`);
  return r;
}

/** Explain one dropped model (metric-scale values). */
function detailOf(
  reason: EngineReason,
  r: {
    epoch: number;
    validation: number;
    score: number | undefined;
    meaning: string | undefined;
    kept: number;
    of: number;
    best: number;
    atBudget: string | null;
  },
): string {
  const scoreText = r.score === undefined ? `validation ${fmt(r.validation)}` : `${r.meaning ?? 'score'} ${fmt(r.score)} (validation ${fmt(r.validation)})`;
  if (reason === 'trend-filter') return `${scoreText} at epoch ${r.epoch}: predicted final below that of a model with better validation`;
  if (r.atBudget !== null) return `${scoreText} at the budget epoch ${r.epoch}: the policy picked ${r.atBudget}`;
  return `${scoreText} at epoch ${r.epoch} not in the top ${r.kept} of ${r.of} (best validation ${fmt(r.best)})`;
}

/**
 * The policy's verdict on an oriented rung of an oriented task and the rung indices that go on:
 * the verdict's, or at the budget epoch only the policy's final pick among them. Throws when a
 * verdict keeps nobody.
 */
export function verdictStep(policy: SelectionPolicy, t: SelectionTask, up: Rung): { verdict: Verdict; keep: number[] } {
  const v = policy.decide(t, up);
  if (v.keep.length === 0) throw new Error(`${policy.name}: rung at epoch ${up.epoch} kept no model`);
  if (up.epoch < up.budgetEpochs || v.keep.length === 1) return { verdict: v, keep: [...v.keep] };
  const sub: Rung = { ...up, models: v.keep.map((i) => up.models[i] ?? ''), curves: v.keep.map((i) => up.curves[i] ?? []) };
  return { verdict: v, keep: [v.keep[policy.pick(t, sub)] ?? v.keep[0] ?? 0] };
}

/**
 * One round's decision: the policy's verdict on the rung and, at the budget epoch, its final
 * pick among the models kept. Returns kept models (rung order), every dropped one with its
 * reason and detail, and the policy's scores on the metric's own scale. Throws when a
 * verdict keeps nobody.
 */
export function decideStep(policy: SelectionPolicy, task: SelectionTask, rung: Rung): Decision {
  const t = orientTask(task);
  const s = sign(task.direction);
  const up: Rung = { ...rung, curves: rung.curves.map((c) => c.map((v) => s * v)) };
  const { verdict: v, keep } = verdictStep(policy, t, up);
  const picked = rung.epoch >= rung.budgetEpochs && v.keep.length > 1 ? (rung.models[keep[0] ?? 0] ?? '') : null;
  const validation = rung.curves.map((c) => c[c.length - 1] ?? Number.NaN);
  const best = s * Math.max(...validation.map((x) => s * x).filter(Number.isFinite));
  const scores = v.score?.values.map((x) => s * x);
  const filtered = new Set(v.filtered ?? []);
  const kept = new Set(keep);
  const eliminated = rung.models.flatMap((model, i) => {
    if (kept.has(i)) return [];
    const reason: EngineReason = filtered.has(i) ? 'trend-filter' : 'halving';
    const atBudget = v.keep.includes(i) ? picked : null;
    return [
      {
        model,
        reason,
        detail: detailOf(reason, {
          epoch: rung.epoch,
          validation: validation[i] ?? Number.NaN,
          score: scores?.[i],
          meaning: v.score?.meaning,
          kept: v.keep.length,
          of: rung.models.length,
          best,
          atBudget,
        }),
      },
    ];
  });
  const predictions = scores === undefined ? {} : Object.fromEntries(rung.models.map((m, i) => [m, scores[i] ?? Number.NaN]));
  const d = {
    keep: keep.map((i) => rung.models[i] ?? ''),
    eliminated,
    predictions,
    passed: v.keep.map((i) => rung.models[i] ?? ''),
    scoreName: v.score?.meaning ?? null,
  };
  return { ...d, halving: halvingCutoff(rung.models, validation, d, task.direction) };
}

/** Validation scores after epochs 1..toEpoch (metric scale); trains and charges only missing epochs. */
function trainer(task: SelectionTask, train: TrainEpochs, ledger: EpochLedger): (model: string, toEpoch: number) => Promise<readonly number[]> {
  const curves = new Map<string, readonly number[]>();
  return async (model, toEpoch) => {
    if (!task.pool.includes(model)) throw new Error(`model ${model} is not in the pool for ${task.target}`);
    const from = ledger.epochsOf(model);
    if (toEpoch > from) {
      ledger.charge(model, toEpoch);
      const fresh = await train(model, from, toEpoch);
      if (fresh.length !== toEpoch - from) throw new Error(`training ${model} epochs ${from + 1}..${toEpoch} returned ${fresh.length} scores`);
      curves.set(model, [...(curves.get(model) ?? []), ...fresh]);
    }
    return (curves.get(model) ?? []).slice(0, toEpoch);
  };
}

/**
 * Replay loop: recall, then one epoch per round for every alive model and the policy's
 * decision, up to task.maxEpochs (the budget); the pick is trained to the budget. Returns
 * the pick, the cost (epochs plus proxy charges) and the epochs per pool model. Throws when
 * the task is malformed, recall picks outside the pool, or the backend returns the wrong
 * number of scores.
 */
export async function runSelection(policy: SelectionPolicy, task: SelectionTask, train: TrainEpochs): Promise<SelectionRun> {
  validateTask(task);
  const ledger = new EpochLedger();
  const curve = trainer(task, train, ledger);
  const r = recallStep(policy, task);
  ledger.chargeProxies(r.proxyCharges);
  let alive = [...r.candidates];
  const eliminations: { model: string; round: number; reason: EngineReason }[] = [];
  for (let epoch = 1; epoch <= task.maxEpochs && alive.length > 1; epoch += 1) {
    const curves: (readonly number[])[] = [];
    for (const m of alive) curves.push(await curve(m, epoch));
    const d = decideStep(policy, task, { epoch, budgetEpochs: task.maxEpochs, models: alive, curves });
    eliminations.push(...d.eliminated.map((e) => ({ model: e.model, round: epoch, reason: e.reason })));
    alive = [...d.keep];
  }
  const pick = alive[0] ?? '';
  await curve(pick, task.maxEpochs);
  return { policy: policy.name, pick, cost: ledger.cost(), epochs: task.pool.map((m) => ledger.epochsOf(m)), eliminations };
}

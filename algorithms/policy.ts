/**
 * The common shape of every model-selection policy: given a task (target, candidate pool,
 * epoch budget, offline knowledge from other datasets) and a session that fine-tunes on
 * demand, return one model. `runSelection` drives a policy against any training backend
 * (a live trainer or recorded curves) and accounts the cost; policies never see the
 * backend, the clock or a random source other than `task.seed`.
 */
import type { Direction, PerformanceMatrix, RunSet } from './types';
import { EpochLedger, type SelectionCost } from './cost';

export interface SelectionTask {
  /** Target dataset id. */
  readonly target: string;
  /** Candidate models, in a fixed order (ties fall to the earlier one where a policy says so). */
  readonly pool: readonly string[];
  /** Full training length in epochs; the pick is always trained this far. */
  readonly maxEpochs: number;
  readonly direction: Direction;
  /**
   * Offline performance matrix over other datasets. An honest task leaves the target out;
   * the paper's published setting did not (its matrix has a boolq row), so this is not enforced.
   */
  readonly history: PerformanceMatrix;
  /** Recorded fine-tune runs on other datasets; never contains the target. */
  readonly curves: RunSet;
  /** Proxy scores (e.g. LEEP) of models on the target, or null when none are available. */
  readonly proxy: ReadonlyMap<string, number> | null;
  readonly seed: number;
}

/** A training backend: validation scores after epochs fromEpoch+1 .. toEpoch of `model` on the target. */
export type TrainEpochs = (model: string, fromEpoch: number, toEpoch: number) => Promise<readonly number[]>;

export interface TrainSession {
  /** Validation scores after epochs 1..toEpoch, oriented so higher is better; only missing epochs are trained (and charged). */
  curve(model: string, toEpoch: number): Promise<readonly number[]>;
  /** Charge `count` proxy-score computations. */
  chargeProxies(count: number): void;
}

export interface SelectionPolicy {
  /** Registry name, e.g. `successive-halving`. */
  readonly name: string;
  /** The picked model, one of task.pool. May reject when the task is unusable for this policy. */
  select(task: SelectionTask, session: TrainSession): Promise<string>;
}

export interface SelectionRun {
  readonly policy: string;
  readonly pick: string;
  readonly cost: SelectionCost;
  /** Epochs trained on the target per pool model, in pool order. */
  readonly epochs: readonly number[];
}

function validateTask(task: SelectionTask): void {
  if (task.pool.length === 0) throw new Error(`pool for ${task.target} is empty, but must hold at least one model`);
  if (new Set(task.pool).size !== task.pool.length) throw new Error(`pool for ${task.target} lists a model twice`);
  if (!Number.isInteger(task.maxEpochs) || task.maxEpochs < 1) throw new Error(`maxEpochs is ${task.maxEpochs}, but must be an integer >= 1`);
  if (task.curves.runs.some((r) => r.dataset === task.target)) throw new Error(`curves must not contain the target ${task.target}`);
}

/** The same task with every metric negated when it is to be minimised, so policies always maximise. */
export function orientTask(task: SelectionTask): SelectionTask {
  if (task.direction === 'maximize') return task;
  const neg = (v: number): number => -v;
  return {
    ...task,
    history: { ...task.history, values: task.history.values.map(neg) },
    curves: { ...task.curves, runs: task.curves.runs.map((r) => ({ ...r, val: r.val.map(neg), test: r.test === null ? null : -r.test })) },
  };
}

function createSession(task: SelectionTask, train: TrainEpochs, ledger: EpochLedger): TrainSession {
  const curves = new Map<string, readonly number[]>();
  const sign = task.direction === 'maximize' ? 1 : -1;
  return {
    async curve(model, toEpoch) {
      if (!task.pool.includes(model)) throw new Error(`model ${model} is not in the pool for ${task.target}`);
      if (!Number.isInteger(toEpoch) || toEpoch < 1 || toEpoch > task.maxEpochs) throw new Error(`toEpoch is ${toEpoch}, but must be an integer in 1..${task.maxEpochs}`);
      const from = ledger.epochsOf(model);
      if (toEpoch > from) {
        ledger.charge(model, toEpoch);
        const fresh = await train(model, from, toEpoch);
        if (fresh.length !== toEpoch - from) throw new Error(`training ${model} epochs ${from + 1}..${toEpoch} returned ${fresh.length} scores`);
        curves.set(model, [...(curves.get(model) ?? []), ...fresh.map((v) => sign * v)]);
      }
      return (curves.get(model) ?? []).slice(0, toEpoch);
    },
    chargeProxies: (count) => ledger.chargeProxies(count),
  };
}

/**
 * Run `policy` on `task` against the backend `train`, then train its pick to
 * task.maxEpochs. Returns the pick, the cost and the epochs per model. Deterministic when
 * the policy and backend are. Throws when the task is malformed, the policy picks a model
 * outside the pool, or the backend returns the wrong number of scores.
 */
export async function runSelection(policy: SelectionPolicy, task: SelectionTask, train: TrainEpochs): Promise<SelectionRun> {
  validateTask(task);
  const ledger = new EpochLedger();
  const session = createSession(task, train, ledger);
  const pick = await policy.select(orientTask(task), session);
  if (!task.pool.includes(pick)) throw new Error(`policy ${policy.name} picked ${pick}, which is not in the pool`);
  await session.curve(pick, task.maxEpochs);
  return { policy: policy.name, pick, cost: ledger.cost(), epochs: task.pool.map((m) => ledger.epochsOf(m)) };
}

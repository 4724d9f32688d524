/**
 * Replay protocols: how the recorded data becomes selection tasks.
 *
 * `paper` — the setting of Table VI of Cui et al. (ICDE 2024): the 40-model pool
 *   (in_paper_pool = 1), targets tweet_eval, mnli, multirc and boolq, the authors' offline
 *   matrix as history, their LEEP scores as proxy, scores rounded to 2 decimals as the
 *   authors used them, and a pool model never run on the target scoring 0 at every epoch
 *   and on test, as the authors count it. The authors' matrix holds a boolq row, so for the
 *   boolq target their history includes the target itself; the protocol keeps that.
 * `loo` — honest leave-one-dataset-out: every dataset with >= `minModels` recorded runs is
 *   the target in turn; the pool is every model with a run on it; history, clustering,
 *   the prior and curve mining use only the other datasets; the recorded proxy scores on the
 *   target are the target's evidence, those on the other datasets its proxy history.
 * Both take each dataset's metric direction from the anchors' datasets.tsv.
 */
import type { Direction, RunRecord, RunSet } from '../algorithms/types';
import type { SelectionTask } from '../algorithms/policy';
import { matrixFromRuns, selectRuns } from '../algorithms/matrix';
import { roundTo } from '../algorithms/stats';
import type { AnchorData } from './load';

export interface ReplayCase {
  readonly task: SelectionTask;
  /** Recorded runs on the target for every pool model: what the replay trainer answers from. */
  readonly targetRuns: RunSet;
  /** Final test score of every pool model on the target. */
  readonly test: ReadonlyMap<string, number>;
}

export const PAPER_TARGETS = ['tweet_eval', 'mnli', 'multirc', 'boolq'] as const;
export const PAPER_MAX_EPOCHS = 5;

/** Table VI of the paper (NLP, 40-model pool), as published: accuracies and epochs per target. */
export const PUBLISHED_TABLE_VI: Readonly<
  Record<
    (typeof PAPER_TARGETS)[number],
    { bruteForceAcc: number; shAcc: number; twoPhaseAcc: number; twoPhaseEpochs: number; fineEpochs10: number; shEpochs40: number; bruteForceEpochs: number }
  >
> = {
  tweet_eval: { bruteForceAcc: 0.65, shAcc: 0.6, twoPhaseAcc: 0.65, twoPhaseEpochs: 19, fineEpochs10: 14, shEpochs40: 77, bruteForceEpochs: 200 },
  mnli: { bruteForceAcc: 0.85, shAcc: 0.85, twoPhaseAcc: 0.85, twoPhaseEpochs: 19, fineEpochs10: 14, shEpochs40: 77, bruteForceEpochs: 200 },
  multirc: { bruteForceAcc: 0.64, shAcc: 0.63, twoPhaseAcc: 0.63, twoPhaseEpochs: 20, fineEpochs10: 15, shEpochs40: 77, bruteForceEpochs: 200 },
  boolq: { bruteForceAcc: 0.72, shAcc: 0.72, twoPhaseAcc: 0.72, twoPhaseEpochs: 21, fineEpochs10: 16, shEpochs40: 77, bruteForceEpochs: 200 },
};

export interface LooOptions {
  /** A dataset is a target when at least this many models have a run on it. @default 25 */
  minModels?: number;
  /** Seed given to every task. @default 1 */
  seed?: number;
}

/** The target's metric direction from the anchors' datasets.tsv (maximize when it is not listed). */
export function directionOf(data: AnchorData, dataset: string): Direction {
  return data.directions.get(dataset) ?? 'maximize';
}

function roundRun(r: RunRecord): RunRecord {
  return { ...r, val: r.val.map((v) => roundTo(v, 2)), test: r.test === null ? null : roundTo(r.test, 2) };
}

function zeroRun(model: string, dataset: string, epochs: number): RunRecord {
  return { model, dataset, val: Array.from({ length: epochs }, () => 0), test: 0 };
}

function caseOf(task: SelectionTask, runs: readonly RunRecord[]): ReplayCase {
  const byModel = new Map(runs.map((r) => [r.model, r]));
  const ordered = task.pool.map((m) => byModel.get(m) ?? zeroRun(m, task.target, task.maxEpochs));
  return {
    task,
    targetRuns: { models: [...task.pool], datasets: [task.target], runs: ordered },
    test: new Map(ordered.map((r) => [r.model, r.test ?? Number.NaN])),
  };
}

/** The four Table VI tasks (module comment), in PAPER_TARGETS order. Throws when a target has no LEEP file. */
export function paperCases(data: AnchorData, seed = 1): ReplayCase[] {
  const pool = data.runs.models.filter((m) => data.inPaperPool.has(m));
  const inPool = new Set(pool);
  const rounded = data.runs.runs.filter((r) => inPool.has(r.model)).map(roundRun);
  return PAPER_TARGETS.map((target) => {
    if (data.proxies.get('leep')?.get(target) === undefined) throw new Error(`paper protocol: no proxy/leep file for ${target} in ${data.dir}`);
    const proxies = proxiesOn(data, target);
    const curves = selectRuns({ ...data.runs, runs: rounded }, (r) => r.dataset !== target);
    const task: SelectionTask = {
      target,
      pool,
      maxEpochs: PAPER_MAX_EPOCHS,
      direction: directionOf(data, target),
      datasetDirections: data.directions,
      history: data.history,
      curves,
      proxies,
      seed,
    };
    return caseOf(
      task,
      rounded.filter((r) => r.dataset === target),
    );
  });
}

/** The recorded proxy scores on `target`, by proxy. */
export function proxiesOn(data: AnchorData, target: string): Map<string, ReadonlyMap<string, number>> {
  return new Map(
    [...data.proxies].flatMap(([kind, byTarget]) => {
      const s = byTarget.get(target);
      return s ? [[kind, s] as const] : [];
    }),
  );
}

/** The recorded proxy scores on every dataset but `target`: what the proxies told on past targets. */
export function proxiesBesides(data: AnchorData, target: string): Map<string, ReadonlyMap<string, ReadonlyMap<string, number>>> {
  return new Map([...data.proxies].map(([kind, byTarget]) => [kind, new Map([...byTarget].filter(([d]) => d !== target))] as const));
}

/** Datasets with at least `minModels` runs, in data order. */
export function looTargets(runs: RunSet, minModels: number): string[] {
  const count = new Map<string, number>();
  for (const r of runs.runs) count.set(r.dataset, (count.get(r.dataset) ?? 0) + 1);
  return runs.datasets.filter((d) => (count.get(d) ?? 0) >= minModels);
}

/** One honest task per target dataset (module comment), in data order. Throws when minModels < 1. */
export function looCases(data: AnchorData, options: LooOptions = {}): ReplayCase[] {
  const { minModels = 25, seed = 1 } = options;
  if (!Number.isInteger(minModels) || minModels < 1) throw new Error(`minModels is ${minModels}, but must be an integer >= 1`);
  return looTargets(data.runs, minModels).map((target) => {
    const onTarget = data.runs.runs.filter((r) => r.dataset === target);
    const curves = selectRuns(data.runs, (r) => r.dataset !== target);
    const maxEpochs = Math.min(...onTarget.map((r) => r.val.length));
    const pool = onTarget.map((r) => r.model);
    const task: SelectionTask = {
      target,
      pool,
      maxEpochs,
      direction: directionOf(data, target),
      datasetDirections: data.directions,
      history: matrixFromRuns(curves),
      curves,
      proxies: proxiesOn(data, target),
      proxyHistory: proxiesBesides(data, target),
      seed,
    };
    return caseOf(task, onTarget);
  });
}

import { ApplicationFailure } from '@temporalio/common';
import { createPolicy } from '../../algorithms/policies';
import { decideStep, orientTask, recallStep, type SelectionTask } from '../../algorithms/policy';
import { tunedOptions } from '../../algorithms/policies/prior-shrink-halving';
import { POLICY_DEFAULTS } from '../../contracts/schemas/policy';
import { selectDatasets, selectRuns } from '../../algorithms/matrix';
import { runSetCatalog } from '../../activities/catalog';
import { createSelectionActivities } from '../../activities/selection';
import { syntheticRecordedHub } from '../../replay/synthetic';
import type { MatrixStore } from '../../matrix-store';
import { tempStore } from '../matrix-store/helpers';

const hub = syntheticRecordedHub({ models: 12, datasets: 6, epochs: 5, minimized: ['ds-1', 'ds-3'], decimals: 2, seed: 7 });
const BENCHMARKS = ['ds-0', 'ds-1', 'ds-2', 'ds-4'];
const TARGET = 'ds-3';

/** A synthetic hub's runs on `datasets` as one store version, each dataset with its direction. */
async function storeOf(h: typeof hub = hub, datasets: readonly string[] = BENCHMARKS): Promise<MatrixStore> {
  const store = await tempStore();
  const runs = h.runs.runs.filter((r) => datasets.includes(r.dataset));
  const w = store.beginWrite();
  await w.upsertModels(h.runs.models.map((id) => ({ id, source: 'synthetic', card: {} })));
  await w.upsertDatasets(datasets.map((id) => ({ id, taskType: 'classification', metric: 'accuracy', direction: h.directions.get(id) ?? 'maximize' })));
  await w.appendCells(
    runs.map((r) => ({
      model: r.model,
      dataset: r.dataset,
      value: r.test,
      settingsHash: 's',
      metric: 'accuracy',
      epochs: 5,
      runId: `${r.model}@${r.dataset}`,
    })),
  );
  await w.appendCurves(runs.map((r) => ({ model: r.model, dataset: r.dataset, settingsHash: 's', metric: 'accuracy', values: [...r.val] })));
  await w.commit('synthetic hub');
  return store;
}

describe('selection activities: one generic plan, recall and decide over the policy engine', () => {
  let store: MatrixStore;
  let acts: ReturnType<typeof createSelectionActivities>;
  beforeAll(async () => {
    store = await storeOf();
    acts = createSelectionActivities({ store, catalogs: { replay: runSetCatalog(hub.runs, hub.directions) } });
  });

  /** The task replay would build from the same store version, with every LEEP score of the target. */
  async function task(): Promise<SelectionTask> {
    const snap = await store.snapshot();
    const [matrix, runs, datasets] = [await snap.performanceMatrix(), await snap.runSet(), await snap.datasets()];
    return {
      target: TARGET,
      pool: matrix.models,
      maxEpochs: 5,
      direction: 'minimize',
      datasetDirections: new Map(datasets.map((d) => [d.id, d.direction])),
      history: selectDatasets(matrix, (d) => d !== TARGET),
      curves: selectRuns(runs, (r) => r.dataset !== TARGET),
      proxies: new Map([['leep', hub.proxies.get('leep')?.get(TARGET) ?? new Map()]]),
      clustering: null,
      seed: 0,
    };
  }

  it('plans with the target direction from the catalog and asks for the proxy only on the models recall scores with it', async () => {
    const options = { proxy: 'leep' as const, recallSize: 8, fineSize: 5 };
    const plan = await acts.planSelection({ target: TARGET, policy: 'two-phase-paper', options, seed: 0, trainer: 'replay' });
    expect(plan.direction).toBe('minimize');
    expect(plan.pool).toEqual(hub.runs.models);
    expect(plan.proxyRequest?.proxy).toBe('leep');
    const leep = hub.proxies.get('leep')?.get(TARGET) ?? new Map<string, number>();
    const scores = Object.fromEntries((plan.proxyRequest?.models ?? []).map((m) => [m, leep.get(m) ?? Number.NaN]));
    const live = await acts.recall({
      target: TARGET,
      policy: 'two-phase-paper',
      options,
      seed: 0,
      pool: plan.pool,
      direction: plan.direction,
      proxy: 'leep',
      proxyScores: scores,
      storeVersion: plan.storeVersion,
    });
    const replay = recallStep(createPolicy('two-phase-paper', options), await task());
    expect(live.candidates).toEqual(replay.candidates);
    expect(live.proxyCharges).toBe(5);
    expect(replay.proxyCharges).toBe(5);
  });

  it('decides a round as the engine does, on the metric scale of the minimized target', async () => {
    const models = hub.runs.models.slice(0, 6);
    const onTarget = new Map(hub.runs.runs.filter((r) => r.dataset === TARGET).map((r) => [r.model, r.val.slice(0, 2)]));
    const curves = models.map((m) => onTarget.get(m) ?? []);
    const d = await acts.decideRound({
      target: TARGET,
      policy: 'fine-selection',
      options: {},
      seed: 0,
      direction: 'minimize',
      epoch: 2,
      budgetEpochs: 5,
      models,
      curves,
      storeVersion: await store.head(),
    });
    expect(d).toEqual(decideStep(createPolicy('fine-selection'), await task(), { epoch: 2, budgetEpochs: 5, models, curves }));
    expect(d.keep.length).toBe(3);
    const kept = Math.max(...d.keep.map((m) => onTarget.get(m)?.[1] ?? Number.NaN));
    const dropped = Math.min(...d.eliminated.filter((e) => e.reason === 'halving').map((e) => onTarget.get(e.model)?.[1] ?? Number.NaN));
    expect(kept).toBeLessThanOrEqual(dropped);
  });

  it('refuses an option the policy does not take as a non-retryable InvalidInput', async () => {
    const err = await acts.planSelection({ target: TARGET, policy: 'brute-force', options: { eta: 3 }, seed: 0, trainer: 'replay' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidInput', nonRetryable: true, message: expect.stringMatching(/brute-force: unknown option "eta"/) });
  });
});

describe('planSelection: mean epoch seconds from the offline timings', () => {
  it("averages each pool model's recorded epoch seconds over the benchmark datasets, the target left out; a model without timings is absent", async () => {
    const store = await tempStore();
    const [a, b, c] = hub.runs.models as [string, string, string];
    const w = store.beginWrite();
    await w.upsertModels([a, b, c].map((id) => ({ id, source: 'synthetic', card: {} })));
    await w.upsertDatasets(['ds-0', 'ds-1', TARGET].map((id) => ({ id, taskType: 'classification', metric: 'accuracy', direction: 'maximize' as const })));
    const runs: [string, string, (number | null)[] | undefined][] = [
      [a, 'ds-0', [1, 3]],
      [a, 'ds-1', [2, 2]],
      [b, 'ds-0', [4, 4]],
      [b, TARGET, [100, 100]],
      [c, 'ds-1', undefined],
    ];
    await w.appendCells(
      runs.map(([model, dataset]) => ({ model, dataset, value: 0.5, settingsHash: 's', metric: 'accuracy', epochs: 2, runId: `${model}@${dataset}` })),
    );
    await w.appendCurves(
      runs.map(([model, dataset, seconds]) => ({ model, dataset, settingsHash: 's', metric: 'accuracy', values: [0.4, 0.5], ...(seconds ? { seconds } : {}) })),
    );
    await w.commit('timed runs');
    const acts = createSelectionActivities({ store, catalogs: { replay: runSetCatalog(hub.runs, hub.directions) } });
    const plan = await acts.planSelection({ target: TARGET, policy: 'brute-force', options: {}, seed: 0, trainer: 'replay' });
    expect(plan.pool).toEqual([a, b, c]);
    expect(plan.meanEpochSeconds).toEqual({ [a]: 2, [b]: 4 });
  });
});

describe('prior-shrink-halving tuned on a store of 14 datasets: recall and every round make the engine choice', () => {
  const big = syntheticRecordedHub({ models: 12, datasets: 14, epochs: 5, decimals: 3, seed: 3 });
  const target = 'ds-13';
  const pool = big.runs.models.slice(0, 10);
  const options = { proxy: 'history-prior' as const };
  let store: MatrixStore;
  let acts: ReturnType<typeof createSelectionActivities>;
  beforeAll(async () => {
    store = await storeOf(
      big,
      big.runs.datasets.filter((d) => d !== target),
    );
    acts = createSelectionActivities({ store, catalogs: { replay: runSetCatalog(big.runs, big.directions) } });
  });

  async function engineTask(): Promise<SelectionTask> {
    const snap = await store.snapshot();
    const [matrix, runs] = [await snap.performanceMatrix(), await snap.runSet()];
    return {
      target,
      pool,
      maxEpochs: 5,
      direction: 'maximize',
      datasetDirections: new Map(),
      history: matrix,
      curves: runs,
      proxies: new Map(),
      clustering: null,
      seed: 0,
    };
  }

  it('replays the 13 stored datasets at the selection budget and pool in recall and in decideRound alike', async () => {
    const policy = createPolicy('prior-shrink-halving', options);
    const t = await engineTask();
    // on these 10 models at a 5-epoch budget the replay chooses 8 recalled tapering to 2 finalists (on all 12 models, the first setting)
    expect(tunedOptions(orientTask(t), { ...POLICY_DEFAULTS['prior-shrink-halving'], ...options }).options).toMatchObject({ recallSize: 8, rungKeep: 'taper' });
    expect(tunedOptions(orientTask({ ...t, pool: big.runs.models }), { ...POLICY_DEFAULTS['prior-shrink-halving'], ...options }).options).toMatchObject({
      recallSize: 14,
      gracePeriod: 1,
    });
    const storeVersion = await store.head();
    const live = await acts.recall({
      target,
      policy: 'prior-shrink-halving',
      options,
      seed: 0,
      pool,
      direction: 'maximize',
      proxy: null,
      proxyScores: {},
      storeVersion,
      budgetEpochs: 5,
    });
    expect(live.candidates).toEqual(recallStep(policy, t).candidates);
    const onTarget = new Map(big.runs.runs.filter((r) => r.dataset === target).map((r) => [r.model, r.val.slice(0, 1)]));
    const models = [...live.candidates];
    const curves = models.map((m) => onTarget.get(m) ?? []);
    const rung = { epoch: 1, budgetEpochs: 5, models, curves };
    const d = await acts.decideRound({ target, policy: 'prior-shrink-halving', options, seed: 0, direction: 'maximize', ...rung, storeVersion, pool });
    expect(d).toEqual(decideStep(policy, t, rung));
  });
});

import { recallStep, runSelection, type SelectionTask } from '../../algorithms/policy';
import { createPolicy } from '../../algorithms/policies';
import { selectDatasets, selectRuns } from '../../algorithms/matrix';
import { POLICY_NAMES, type PolicyName, type PolicyOptions } from '../../contracts/schemas/policy';
import { openStore } from '../../matrix-store';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { harness, withWorkers, type Harness } from '../helpers/test-env';
import {
  MAXIMIZED_TARGET,
  MINIMIZED_TARGET,
  SYNTHETIC,
  SYNTHETIC_BENCHMARKS,
  buildSyntheticMatrix,
  syntheticReplay,
  type SyntheticReplay,
} from '../helpers/synthetic-replay';

/** Small options so recall keeps part of the 12-model pool and the rounds really eliminate. */
const OPTIONS: Partial<Record<PolicyName, PolicyOptions>> = {
  'prior-shrink-halving': { recallSize: 6 },
  'two-phase-paper': { recallSize: 8, fineSize: 6 },
};
/** Every policy with OPTIONS, and the default's taper setting (PRIOR_SHRINK_MENU[2]) fixed: finalists trained to the budget. */
const VARIANTS: { policy: PolicyName; options: PolicyOptions }[] = [
  ...POLICY_NAMES.map((policy) => ({ policy, options: OPTIONS[policy] ?? {} })),
  { policy: 'prior-shrink-halving', options: { recallSize: 6, tuning: 'fixed', rungKeep: 'taper', finalists: 2, trend: 'none', shrink: 'none' } },
];
const CASES = VARIANTS.flatMap((v, variant) =>
  [3, 5].flatMap((budget) => [MAXIMIZED_TARGET, MINIMIZED_TARGET].map((target) => ({ ...v, variant, budget, target }))),
);

describe('policy parity: the selectModel workflow decides exactly as replay does (synthetic recorded hub)', () => {
  let h: Harness;
  let data: SyntheticReplay;
  beforeAll(async () => {
    data = syntheticReplay();
    h = await harness('parity', { replayDir: data.dir });
    await withWorkers([await h.orchestrator(), await h.gpuWorker(8)], () => buildSyntheticMatrix(h, data.hub.runs.models));
  });
  afterAll(async () => {
    await h?.close();
    data?.remove();
  });

  /** The replay task of a target from the store the workflow selects against (the target left out). */
  async function replayTask(target: string, budget: number): Promise<SelectionTask> {
    const snap = await openStore({ dir: h.config.storeDir }).snapshot();
    const [matrix, runs, datasets, clusterings] = [await snap.performanceMatrix(), await snap.runSet(), await snap.datasets(), await snap.clusterings()];
    return {
      target,
      pool: matrix.models,
      maxEpochs: budget,
      direction: data.hub.directions.get(target) ?? 'maximize',
      datasetDirections: new Map(datasets.map((d) => [d.id, d.direction])),
      history: selectDatasets(matrix, (d) => d !== target),
      curves: selectRuns(runs, (r) => r.dataset !== target),
      proxies: new Map(),
      clustering: clusterings.at(-1)?.clustering ?? null,
      seed: 0,
    };
  }

  it('stores the direction of every benchmark from the anchors folder', async () => {
    const datasets = await (await openStore({ dir: h.config.storeDir }).snapshot()).datasets();
    expect(Object.fromEntries(datasets.map((d) => [d.id, d.direction]))).toEqual({
      'ds-0': 'maximize',
      'ds-1': 'minimize',
      'ds-2': 'maximize',
      'ds-4': 'maximize',
    });
  });

  it(`every policy × budgets 3 and 5 × a maximized and a minimized target: same pick, eliminations (round, reason) and epochs (${CASES.length} runs)`, async () => {
    const runs = await withWorkers([await h.orchestrator(), await h.gpuWorker(16)], () =>
      Promise.all(
        CASES.map((c) =>
          h.client.workflow.execute(selectModel, {
            taskQueue: h.taskQueue,
            workflowId: `parity-${c.policy}-${c.variant}-${c.budget}-${c.target}-${h.taskQueue}`,
            args: [{ target: c.target, policy: c.policy, trainer: 'replay', budgetEpochs: c.budget, ...c.options }],
          }),
        ),
      ),
    );
    const onTarget = (target: string) => new Map(data.hub.runs.runs.filter((r) => r.dataset === target).map((r) => [r.model, r.val]));
    for (const [i, c] of CASES.entries()) {
      const live = runs[i];
      const curves = onTarget(c.target);
      const replay = await runSelection(createPolicy(c.policy, c.options), await replayTask(c.target, c.budget), async (m, from, to) =>
        (curves.get(m) ?? []).slice(from, to),
      );
      const label = `${c.policy} ${JSON.stringify(c.options)}, budget ${c.budget}, ${c.target}`;
      expect([label, live?.direction]).toEqual([label, data.hub.directions.get(c.target)]);
      expect([label, live?.pick]).toEqual([label, replay.pick]);
      expect([label, live?.eliminations.map((e) => ({ model: e.model, round: e.round, reason: e.reason }))]).toEqual([label, replay.eliminations]);
      expect([label, live?.epochsSpent]).toEqual([label, replay.cost.epochs]);
      const pool = (await replayTask(c.target, c.budget)).pool;
      expect([label, pool.map((m) => live?.curves[m]?.length ?? 0)]).toEqual([label, replay.epochs]);
    }
    for (const [i, c] of CASES.entries()) {
      if (c.policy !== 'brute-force') continue;
      // brute force picks the best last validation for the target's direction: the lowest error on the minimized one
      const sign = data.hub.directions.get(c.target) === 'minimize' ? -1 : 1;
      const last = [...onTarget(c.target)].map(([m, val]) => [m, sign * (val[c.budget - 1] ?? Number.NaN)] as const);
      const best = last.reduce((a, b) => (b[1] > a[1] ? b : a));
      expect([c.target, runs[i]?.pick]).toEqual([c.target, best[0]]);
    }
    for (const [i, c] of CASES.entries()) {
      if (c.options.rungKeep !== 'taper') continue;
      // 6 recalled taper to 2 finalists trained to the budget (budget 5: 6, 5, 4, 3, 2 epochs trained per epoch)
      const lengths = Object.values(runs[i]?.curves ?? {}).map((v) => v.length);
      expect([c.target, c.budget, lengths.filter((n) => n === c.budget).length]).toEqual([c.target, c.budget, 2]);
      if (c.budget === 5) expect([c.target, runs[i]?.epochsSpent]).toEqual([c.target, 6 + 5 + 4 + 3 + 2]);
    }
    expect(new Set(runs.map((r) => r.pick)).size).toBeGreaterThan(1);
    expect(runs.some((r) => r.eliminations.some((e) => e.reason === 'trend-filter'))).toBe(true);
  });

  it('the default with LogME scores in the store (target and five history datasets): same recall, pick, eliminations and epochs as replay', async () => {
    // a fifth history dataset, so that the proxy can be weighed on the history
    await withWorkers([await h.orchestrator(), await h.gpuWorker(8)], () =>
      h.client.workflow.execute(buildPerformanceMatrix, {
        taskQueue: h.taskQueue,
        workflowId: `parity-offline-more-${h.taskQueue}`,
        args: [
          {
            models: [...data.hub.runs.models],
            benchmarks: [...SYNTHETIC_BENCHMARKS, MINIMIZED_TARGET],
            epochs: SYNTHETIC.epochs,
            trainer: 'replay',
            maxParallel: 8,
          },
        ],
      }),
    );
    // a LogME-like score: a noisy, monotone view of the final metric (oriented: higher is better)
    const scores = data.hub.runs.runs.map((r, i) => ({
      model: r.model,
      target: r.dataset,
      proxy: 'logme',
      value: (data.hub.directions.get(r.dataset) === 'minimize' ? -1 : 1) * (r.test ?? 0) + 0.03 * Math.sin(7 * i),
    }));
    const w = openStore({ dir: h.config.storeDir }).beginWrite();
    await w.putProxyScores(scores);
    await w.commit('imported LogME scores');
    const proxy = (dataset: string) => new Map(scores.filter((x) => x.target === dataset).map((x) => [x.model, x.value]));
    for (const budget of [3, 5]) {
      const live = await withWorkers([await h.orchestrator(), await h.gpuWorker(8)], () =>
        h.client.workflow.execute(selectModel, {
          taskQueue: h.taskQueue,
          workflowId: `parity-evidence-${budget}-${h.taskQueue}`,
          // the replay trainer recalls by the prior unless a proxy is named
          args: [{ target: MAXIMIZED_TARGET, policy: 'prior-shrink-halving', trainer: 'replay', budgetEpochs: budget, recallSize: 6, proxy: 'logme' }],
        }),
      );
      const base = await replayTask(MAXIMIZED_TARGET, budget);
      const others = new Set(base.history.datasets);
      const task: SelectionTask = {
        ...base,
        proxies: new Map([['logme', proxy(MAXIMIZED_TARGET)]]),
        proxyHistory: new Map([['logme', new Map([...others].map((d) => [d, proxy(d)]))]]),
      };
      const policy = createPolicy('prior-shrink-halving', { recallSize: 6, proxy: 'logme' });
      const recall = recallStep(policy, task);
      expect(recall.warnings).toBeUndefined();
      const curves = new Map(data.hub.runs.runs.filter((r) => r.dataset === MAXIMIZED_TARGET).map((r) => [r.model, r.val]));
      const replay = await runSelection(policy, task, async (m, from, to) => (curves.get(m) ?? []).slice(from, to));
      expect(live.warnings ?? []).toEqual([]);
      expect(live.candidates).toEqual(recall.candidates);
      expect(live.pick).toBe(replay.pick);
      expect(live.eliminations.map((e) => ({ model: e.model, round: e.round, reason: e.reason }))).toEqual(replay.eliminations);
      expect(live.epochsSpent).toBe(replay.cost.epochs);
      expect(replay.cost.proxyComputations).toBe(data.hub.runs.models.length);
    }
  });
});

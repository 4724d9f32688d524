import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { existsSync, readFileSync } from 'node:fs';
import { halvingCost } from '../../algorithms/halving';
import { successiveHalving } from '../../algorithms/policies/successive-halving';
import { priorShrinkHalving } from '../../algorithms/policies/prior-shrink-halving';
import { runSelection } from '../../algorithms/policy';
import { selectDatasets, selectModels, selectRuns } from '../../algorithms/matrix';
import { loadAnchors } from '../../replay/load';
import { DEFAULT_REPLAY_DIR } from '../../workers/config';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { matrixProgressQuery } from '../../workflows/messages';
import { openStore } from '../../matrix-store';
import { withdrawModels } from '../../activities/matrix';
import { harness, withWorkers, type Harness } from '../helpers/test-env';

const haveData = existsSync(DEFAULT_REPLAY_DIR);
if (!haveData) console.warn(`replay workflow tests skipped: recorded runs not found at ${DEFAULT_REPLAY_DIR}`);
const maybe = haveData ? describe : describe.skip;

const MODELS = ['albert-base-v2', 'bert-base-uncased', 'distilbert-base-uncased', 'roberta-base', 'ishan--bert-base-uncased-mnli',
  'Alireza1044--albert-base-v2-qnli', 'connectivity--bert_ft_qqp-1', 'gchhablani--bert-base-cased-finetuned-rte'];
const BENCHMARKS = ['sst2', 'mrpc', 'qqp', 'qnli', 'rte', 'cola'];
const TARGET = 'mnli';

maybe('offline and online workflows on the replay trainer (recorded curves)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('replay');
  });
  afterAll(async () => h.close());

  it('builds the matrix idempotently across continue-as-new, then selects as the pure library does', async () => {
    const workers = [await h.orchestrator(), await h.gpuWorker(4)];
    await withWorkers(workers, async () => {
      const offline = { models: MODELS, benchmarks: [...BENCHMARKS, TARGET], epochs: 5, trainer: 'replay', maxParallel: 6, cellsPerRun: 20, commitEvery: 8 };
      const handle = await h.client.workflow.start(buildPerformanceMatrix, { taskQueue: h.taskQueue, workflowId: `offline-${h.taskQueue}`, args: [offline] });
      const first = await handle.result();
      const expectedCells = (await loadAnchors(DEFAULT_REPLAY_DIR)).runs.runs.filter((r) => MODELS.includes(r.model) && [...BENCHMARKS, TARGET].includes(r.dataset)).length;
      expect(first.cellsComputed + first.cellsFailed).toBe(MODELS.length * (BENCHMARKS.length + 1));
      expect(first.cellsComputed).toBe(expectedCells);
      expect(first.runs).toBeGreaterThan(1);
      expect(first.clusters).toBeGreaterThan(0);
      const progress = await h.client.workflow.getHandle(`offline-${h.taskQueue}`).query(matrixProgressQuery);
      expect(progress).toMatchObject({ phase: 'done', failed: first.cellsFailed });

      const again = await h.client.workflow.execute(buildPerformanceMatrix, { taskQueue: h.taskQueue, workflowId: `offline2-${h.taskQueue}`, args: [offline] });
      expect(again.cellsComputed).toBe(0);

      const result = await h.client.workflow.execute(selectModel, {
        taskQueue: h.taskQueue, workflowId: `select-sh-${h.taskQueue}`,
        args: [{ target: TARGET, policy: 'successive-halving', trainer: 'replay', budgetEpochs: 5 }],
      });
      const snap = await openStore({ dir: h.config.storeDir }).snapshot();
      const runs = await snap.runSet();
      const matrix = await snap.performanceMatrix();
      const pool = matrix.models.filter((m) => runs.runs.some((r) => r.model === m && r.dataset === TARGET));
      expect(result.poolSize).toBe(matrix.models.length);
      const pure = await runSelection(successiveHalving(), {
        target: TARGET, pool: matrix.models, maxEpochs: 5, direction: 'maximize',
        history: selectDatasets(matrix, (d) => d !== TARGET), curves: selectRuns(runs, (r) => r.dataset !== TARGET), proxy: null, seed: 0,
      }, async (m, from, to) => (runs.runs.find((r) => r.model === m && r.dataset === TARGET)?.val ?? []).slice(from, to));
      expect(pool.length).toBe(matrix.models.length);
      expect(result.pick).toBe(pure.pick);
      expect(result.epochsSpent).toBe(halvingCost(pool.length, 2, 5));
      expect(result.eliminations.map((e) => e.reason).every((r) => r === 'halving')).toBe(true);
      expect(result.reportPath).toMatch(/select-sh-.*\.html$/);
      const html = readFileSync(result.reportPath as string, 'utf8');
      expect(html).toContain(`model selection for ${TARGET}`);
      expect(html).toContain(`Pick: ${result.pick}`);
      expect(html.match(/Plotly.newPlot/g)).toHaveLength(3);
      expect(selectModels(matrix, (m) => m === result.pick).models).toEqual([result.pick]);

      const task = {
        target: TARGET, pool: matrix.models, maxEpochs: 5, direction: 'maximize' as const,
        history: selectDatasets(matrix, (d) => d !== TARGET), curves: selectRuns(runs, (r) => r.dataset !== TARGET), proxy: null, seed: 0,
      };
      const replayTarget = async (m: string, from: number, to: number) => (runs.runs.find((r) => r.model === m && r.dataset === TARGET)?.val ?? []).slice(from, to);
      for (const [recallSize, budget] of [[3, 5], [5, 5], [8, 2]] as const) {
        const online = await h.client.workflow.execute(selectModel, {
          taskQueue: h.taskQueue, workflowId: `select-psh-${recallSize}-${budget}-${h.taskQueue}`,
          args: [{ target: TARGET, trainer: 'replay', budgetEpochs: budget, recallSize }],
        });
        const offlinePick = await runSelection(priorShrinkHalving({ recallSize }), { ...task, maxEpochs: budget }, replayTarget);
        expect(online.policy).toBe('prior-shrink-halving');
        expect(online.candidates).toHaveLength(recallSize);
        expect(online.pick).toBe(offlinePick.pick);
        expect(online.epochsSpent).toBe(offlinePick.cost.epochs);
        expect(online.survivors).toEqual([online.pick]);
      }
    });
  });

  it('places a model added between refreshes into its nearest cluster without re-clustering', async () => {
    const added = 'Jeevesh8--bert_ft_qqp-9';
    const workers = [await h.orchestrator(), await h.gpuWorker(4)];
    const r = await withWorkers(workers, () => h.client.workflow.execute(buildPerformanceMatrix, {
      taskQueue: h.taskQueue, workflowId: `add-${h.taskQueue}`,
      args: [{ models: [...MODELS, added], benchmarks: [...BENCHMARKS, TARGET], epochs: 5, trainer: 'replay', clusterMode: 'place' }],
    }));
    expect(r.cellsComputed).toBe(BENCHMARKS.length + 1);
    expect(r.placed.map((p) => p.model)).toEqual([added]);
    const snap = await openStore({ dir: h.config.storeDir }).snapshot();
    const [previous, latest] = (await snap.clusterings()).slice(-2);
    expect(latest?.method).toBe('paper+place');
    expect(latest?.clustering.models).toEqual([...(previous?.clustering.models ?? []), added]);
    expect(latest?.clustering.labels.slice(0, -1)).toEqual(previous?.clustering.labels);
    expect(latest?.clustering.labels.at(-1)).toBe(r.placed[0]?.label);
  });

  it('a withdrawn model leaves selection at once, and naming it is an error', async () => {
    const gone = 'roberta-base';
    const store = openStore({ dir: h.config.storeDir });
    const before = await store.head();
    const version = await withdrawModels(store, [gone]);
    expect(version).toBe(before + 1);
    expect(await withdrawModels(store, ['no-such-model'])).toBe(version);
    const workers = [await h.orchestrator(), await h.gpuWorker(4)];
    await withWorkers(workers, async () => {
      const r = await h.client.workflow.execute(selectModel, { taskQueue: h.taskQueue, workflowId: `after-withdraw-${h.taskQueue}`, args: [{ target: TARGET, trainer: 'replay', policy: 'brute-force' }] });
      expect(r.storeVersion).toBeGreaterThanOrEqual(version);
      expect(r.candidates).not.toContain(gone);
      expect(r.poolSize).toBe(MODELS.length);
      const err = await h.client.workflow.execute(selectModel, { taskQueue: h.taskQueue, workflowId: `withdrawn-named-${h.taskQueue}`, args: [{ target: TARGET, trainer: 'replay', models: [gone] }] }).catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause?.cause ?? (err as WorkflowFailedError).cause).toMatchObject({ type: 'ModelNotFound', message: expect.stringContaining(gone) });
    });
  });

  it('fails at once on an unknown target, naming it', async () => {
    const workers = [await h.orchestrator()];
    const err = await withWorkers(workers, () =>
      h.client.workflow.execute(selectModel, { taskQueue: h.taskQueue, workflowId: `bad-target-${h.taskQueue}`, args: [{ target: 'no_such_set', trainer: 'replay' }] }).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause ?? (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('DatasetNotFound');
    expect((cause as ApplicationFailure).message).toMatch(/no_such_set/);
  });
});

import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { readFileSync } from 'node:fs';
import { halvingCost } from '../../algorithms/halving';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { matrixProgressQuery } from '../../workflows/messages';
import { openStore } from '../../matrix-store';
import { withdrawModels } from '../../activities/matrix';
import { harness, withWorkers, type Harness } from '../helpers/test-env';
import { MAXIMIZED_TARGET, SYNTHETIC_BENCHMARKS, syntheticReplay, type SyntheticReplay } from '../helpers/synthetic-replay';

const TARGET = MAXIMIZED_TARGET;

describe('offline and online workflows on the replay trainer (synthetic recorded hub)', () => {
  let h: Harness;
  let data: SyntheticReplay;
  let models: string[];
  beforeAll(async () => {
    data = syntheticReplay();
    models = data.hub.runs.models.slice(0, 8);
    h = await harness('replay', { replayDir: data.dir });
  });
  afterAll(async () => {
    await h?.close();
    data?.remove();
  });

  it('builds the matrix idempotently across continue-as-new, then selects with a report', async () => {
    const workers = [await h.orchestrator(), await h.gpuWorker(4)];
    await withWorkers(workers, async () => {
      const offline = { models, benchmarks: [...SYNTHETIC_BENCHMARKS, TARGET], epochs: 5, trainer: 'replay', maxParallel: 6, cellsPerRun: 20, commitEvery: 8 };
      const handle = await h.client.workflow.start(buildPerformanceMatrix, { taskQueue: h.taskQueue, workflowId: `offline-${h.taskQueue}`, args: [offline] });
      const first = await handle.result();
      const expectedCells = data.hub.runs.runs.filter((r) => models.includes(r.model) && [...SYNTHETIC_BENCHMARKS, TARGET].includes(r.dataset)).length;
      expect(first.cellsComputed + first.cellsFailed).toBe(models.length * (SYNTHETIC_BENCHMARKS.length + 1));
      expect(first.cellsComputed).toBe(expectedCells);
      expect(first.runs).toBeGreaterThan(1);
      expect(first.clusters).toBeGreaterThan(0);
      const progress = await h.client.workflow.getHandle(`offline-${h.taskQueue}`).query(matrixProgressQuery);
      expect(progress).toMatchObject({ phase: 'done', failed: first.cellsFailed });

      const again = await h.client.workflow.execute(buildPerformanceMatrix, { taskQueue: h.taskQueue, workflowId: `offline2-${h.taskQueue}`, args: [offline] });
      expect(again.cellsComputed).toBe(0);

      const result = await h.client.workflow.execute(selectModel, {
        taskQueue: h.taskQueue,
        workflowId: `select-sh-${h.taskQueue}`,
        args: [{ target: TARGET, policy: 'successive-halving', trainer: 'replay', budgetEpochs: 5 }],
      });
      expect(result.poolSize).toBe(models.length);
      expect(result.epochsSpent).toBe(halvingCost(models.length, 2, 5));
      expect(result.eliminations.map((e) => e.reason).every((r) => r === 'halving')).toBe(true);
      expect(result.reportPath).toMatch(/select-sh-.*\.html$/);
      const html = readFileSync(result.reportPath as string, 'utf8');
      expect(html).toContain(`model selection for ${TARGET}`);
      expect(html).toContain(`Pick: ${result.pick}`);
      // Convergence and clusters; successive halving recalls the whole pool, so the recall section says so instead of plotting.
      expect(html.match(/Plotly.newPlot/g)).toHaveLength(2);
      expect(html).toContain('<h2>Recall: none</h2>');
    });
  });

  it('places a model added between refreshes into its nearest cluster without re-clustering', async () => {
    const added = data.hub.runs.models[8] as string;
    const workers = [await h.orchestrator(), await h.gpuWorker(4)];
    const r = await withWorkers(workers, () =>
      h.client.workflow.execute(buildPerformanceMatrix, {
        taskQueue: h.taskQueue,
        workflowId: `add-${h.taskQueue}`,
        args: [{ models: [...models, added], benchmarks: [...SYNTHETIC_BENCHMARKS, TARGET], epochs: 5, trainer: 'replay', clusterMode: 'place' }],
      }),
    );
    expect(r.cellsComputed).toBe(SYNTHETIC_BENCHMARKS.length + 1);
    expect(r.placed.map((p) => p.model)).toEqual([added]);
    const snap = await openStore({ dir: h.config.storeDir }).snapshot();
    const [previous, latest] = (await snap.clusterings()).slice(-2);
    expect(latest?.method).toBe('paper+place');
    expect(latest?.clustering.models).toEqual([...(previous?.clustering.models ?? []), added]);
    expect(latest?.clustering.labels.slice(0, -1)).toEqual(previous?.clustering.labels);
    expect(latest?.clustering.labels.at(-1)).toBe(r.placed[0]?.label);
  });

  it('a withdrawn model leaves selection at once, and naming it is an error', async () => {
    const gone = models[3] as string;
    const store = openStore({ dir: h.config.storeDir });
    const before = await store.head();
    const version = await withdrawModels(store, [gone]);
    expect(version).toBe(before + 1);
    expect(await withdrawModels(store, ['no-such-model'])).toBe(version);
    const workers = [await h.orchestrator(), await h.gpuWorker(4)];
    await withWorkers(workers, async () => {
      const r = await h.client.workflow.execute(selectModel, {
        taskQueue: h.taskQueue,
        workflowId: `after-withdraw-${h.taskQueue}`,
        args: [{ target: TARGET, trainer: 'replay', policy: 'brute-force' }],
      });
      expect(r.storeVersion).toBeGreaterThanOrEqual(version);
      expect(r.candidates).not.toContain(gone);
      expect(r.poolSize).toBe(models.length);
      const err = await h.client.workflow
        .execute(selectModel, {
          taskQueue: h.taskQueue,
          workflowId: `withdrawn-named-${h.taskQueue}`,
          args: [{ target: TARGET, trainer: 'replay', models: [gone] }],
        })
        .catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'ModelNotFound', message: expect.stringContaining(gone) });
    });
  });

  it('fails at once on an unknown target, naming it', async () => {
    const workers = [await h.orchestrator()];
    const err = await withWorkers(workers, () =>
      h.client.workflow
        .execute(selectModel, { taskQueue: h.taskQueue, workflowId: `bad-target-${h.taskQueue}`, args: [{ target: 'no_such_set', trainer: 'replay' }] })
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    // The workflow fails with the activity's cause on top (what the web UI shows first), the activity failure below it.
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('DatasetNotFound');
    expect((cause as ApplicationFailure).message).toMatch(/^planSelection: target dataset "no_such_set" is not known/);
    expect(cause?.cause).toBeInstanceOf(ActivityFailure);
  });
});

/**
 * Catalogue cases for hub files: broken datasets and model folders fine-tuned by the offline
 * workflow (each bad cell fails once with a typed, non-retryable failure naming the file or
 * model; the good cell is computed; stored cells are kept), and entries so broken that
 * planning fails (the run fails naming the file; the store is untouched).
 */
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { buildPerformanceMatrix } from '../../workflows';
import { casesOf } from './catalogue';
import { BAD_DATASETS, BAD_MODELS } from './helpers/bad-files';
import { expectCellFailure, hubRoots, itFor, missing, removeHubRoots, runOffline, storedCells, type OfflineRun } from './helpers/bad-runs';
import { BENCHMARK, MODELS, TF_BACKEND, workerConfig, type Roots } from './helpers/fixtures';
import { activityRuns } from './helpers/history';
import { connectShared, freshQueue, orchestrator, withWorkers, type Server } from './helpers/server';

process.env.MSELECT_TF_BACKEND = TF_BACKEND;

const datasetCases = casesOf('dataset');
const modelCases = casesOf('model');

let server: Server;
beforeAll(async () => {
  server = await connectShared();
});
afterAll(async () => {
  await server.close();
  await removeHubRoots();
});

describe('bad dataset files and model folders, fine-tuned by the offline workflow', () => {
  let r: Roots;
  let before: unknown[][];
  let datasets: OfflineRun;
  let models: OfflineRun;
  beforeAll(async () => {
    r = await hubRoots(async (x) => {
      for (const c of datasetCases) await (BAD_DATASETS[c.id] ?? missing(c))(x.datasetsDir, c.id);
      for (const c of modelCases) await (BAD_MODELS[c.id] ?? missing(c))(x.hubDir, c.id);
    });
    before = await storedCells(r);
    datasets = await runOffline(server, r, { models: [MODELS[0]], benchmarks: [...datasetCases.map((c) => c.id), BENCHMARK], trainer: 'tfjs' });
    models = await runOffline(server, r, { models: [...modelCases.map((c) => c.id), MODELS[0]], benchmarks: [BENCHMARK], trainer: 'tfjs' });
  });

  for (const c of datasetCases) {
    itFor(c)(`${c.id}: ${c.errorType} naming the file, not retried`, () => {
      expectCellFailure(c, datasets, MODELS[0], c.id, path.join(r.datasetsDir, c.id));
    });
  }
  for (const c of modelCases) {
    itFor(c)(`${c.id}: ${c.errorType} naming the model, not retried`, () => {
      expectCellFailure(c, models, c.id, BENCHMARK, c.id);
    });
  }
  it('computes the good cell once, and keeps every cell stored before', async () => {
    expect(datasets.result).toMatchObject({ cellsComputed: 1, cellsFailed: datasetCases.length });
    expect(models.result).toMatchObject({ cellsComputed: 0, cellsFailed: modelCases.length });
    expect(await storedCells(r)).toEqual([...before, [MODELS[0], BENCHMARK, expect.any(Number)]]);
  });
});

describe('hub entries so broken that planning fails', () => {
  it.each(casesOf('catalog'))('$id: $errorType naming the file, the store untouched', async (c) => {
    const r = await hubRoots(async (x) => {
      const make = c.entry === 'dataset' ? BAD_DATASETS[c.id] : BAD_MODELS[c.id];
      await (make ?? missing(c))(c.entry === 'dataset' ? x.datasetsDir : x.hubDir, c.id);
    });
    const before = await storedCells(r);
    const taskQueue = freshQueue('bad-plan');
    const workflowId = `offline-${taskQueue}`;
    const err = await withWorkers([await orchestrator(server, taskQueue, workerConfig(r))], () =>
      server.client.workflow.execute(buildPerformanceMatrix, { taskQueue, workflowId, args: [{ epochs: 1 }] }).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const plan = (await activityRuns(server.client.workflow.getHandle(workflowId))).find((a) => a.type === 'planMatrix');
    expect(plan).toMatchObject({ attempt: 1, failure: { type: c.errorType, nonRetryable: true } });
    expect(plan?.failure?.message).toContain(c.excerpt);
    expect(plan?.failure?.message).toContain(path.join(c.entry === 'dataset' ? r.datasetsDir : r.hubDir, c.id));
    expect(await storedCells(r)).toEqual(before);
  });
});

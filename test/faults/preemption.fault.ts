/**
 * Preemption: a GPU worker *process* (`mselect worker --role gpu`) is SIGKILLed in the middle
 * of a tfjs fine-tune epoch. A second worker process takes the fine-tune over once the
 * heartbeat timeout passes and resumes from the last checkpoint the first one heartbeated:
 * the curve holds every epoch once, at most one finished epoch is trained again, and the
 * outcome equals an undisturbed run with the same seeds — offline and online.
 */
import { openStore } from '../../matrix-store';
import type { BuildMatrixResult, SelectModelResult } from '../../contracts/schemas';
import { cellRunId } from '../../workflows/build-performance-matrix';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { BENCHMARK, MODELS, TARGET, TF_BACKEND, makeHub, makeRoots, removeDir, workerConfig, workerEnv, type Hub, type Roots } from './helpers/fixtures';
import { activityRuns } from './helpers/history';
import { fineTunesOf, killMidEpoch, type Preemption } from './helpers/preempt';
import { killAll, startWorkerProcess } from './helpers/processes';
import { seedHistory, selectionOutcome } from './helpers/selection';
import { connectShared, freshQueue, gpu, orchestrator, withWorkers, type Server } from './helpers/server';

/** In-process GPU workers (the undisturbed runs) train on the same backend as the worker processes. */
process.env.MSELECT_TF_BACKEND = TF_BACKEND;

const HEARTBEAT_TIMEOUT = '3s';
const EPOCHS = 4;
const SEED = 7;

let server: Server;
let hub: Hub;
const made: Roots[] = [];
async function roots(): Promise<Roots> {
  const r = await makeRoots(hub);
  made.push(r);
  return r;
}

beforeAll(async () => {
  server = await connectShared();
  hub = await makeHub(1.5);
});
afterEach(killAll);
afterAll(async () => {
  await killAll();
  await server.close();
  await Promise.all([hub.root, ...made.map((r) => r.dataDir)].map(removeDir));
});

/**
 * Run `start` with an in-process orchestrator and a GPU worker process that is killed once a
 * run has checkpointed `epoch`; a second worker process finishes the work.
 */
async function preempted<T>(r: Roots, epoch: number, start: (taskQueue: string) => Promise<T>): Promise<{ result: T; kill: Preemption; taskQueue: string }> {
  const taskQueue = freshQueue('preempt');
  const env = workerEnv(r, server);
  const first = await startWorkerProcess({ role: 'gpu', taskQueue, env });
  return withWorkers([await orchestrator(server, taskQueue, workerConfig(r))], async () => {
    const pending = start(taskQueue);
    pending.catch(() => undefined);
    const kill = await killMidEpoch(first, r.checkpointDir, epoch);
    await startWorkerProcess({ role: 'gpu', taskQueue, env });
    return { result: await pending, kill, taskQueue };
  });
}

/** The same work undisturbed, with both workers in this process. */
async function undisturbed<T>(r: Roots, start: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = freshQueue('calm');
  const cfg = workerConfig(r);
  return withWorkers([await orchestrator(server, taskQueue, cfg), await gpu(server, taskQueue, cfg)], () => start(taskQueue));
}

/** The resumed fine-tune: attempt 2 after a heartbeat timeout, from the last heartbeated checkpoint, every epoch once. */
async function expectResumed(workflowId: string, kill: Preemption): Promise<void> {
  const tunes = fineTunesOf(await activityRuns(server.client.workflow.getHandle(workflowId)), kill.runId);
  const resumed = tunes.find((t) => t.attempt > 1);
  expect(resumed).toMatchObject({ attempt: 2, lastFailure: { type: 'timeout:HEARTBEAT' } });
  if (!resumed) return;
  const { fromEpoch, toEpoch } = resumed.input;
  // Resumed from a real checkpoint past the start, training at most one finished epoch again.
  expect(resumed.output.startedFromEpoch).toBeGreaterThan(fromEpoch);
  expect(kill.lastCheckpoint - resumed.output.startedFromEpoch).toBeLessThanOrEqual(1);
  expect(resumed.output.curve.map((e) => e.epoch)).toEqual(range(fromEpoch + 1, toEpoch));
  expect(tunes.flatMap((t) => t.output.curve.map((e) => e.epoch))).toEqual(range(1, toEpoch));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('a GPU worker process killed in the middle of an epoch', () => {
  it('offline: the cell resumes on another worker and the matrix equals an undisturbed build', async () => {
    const input = {
      models: [MODELS[0]],
      benchmarks: [BENCHMARK],
      epochs: EPOCHS,
      trainer: 'tfjs',
      maxParallel: 1,
      seed: SEED,
      heartbeatTimeout: HEARTBEAT_TIMEOUT,
    };
    const run = (taskQueue: string): Promise<BuildMatrixResult> =>
      server.client.workflow.execute(buildPerformanceMatrix, { taskQueue, workflowId: `offline-${taskQueue}`, args: [input] });
    const hit = await roots();
    const calm = await roots();
    const { result, kill, taskQueue } = await preempted(hit, 2, run);
    expect(kill.runId).toBe(cellRunId({ model: MODELS[0], dataset: BENCHMARK }, EPOCHS, SEED));
    expect(result).toMatchObject({ cellsComputed: 1, cellsFailed: 0 });
    await expectResumed(`offline-${taskQueue}`, kill);

    expect(result).toEqual(await undisturbed(calm, run));
    const runsOf = async (r: Roots) => (await (await openStore({ dir: r.storeDir }).snapshot()).runSet()).runs;
    const hitRuns = await runsOf(hit);
    const calmRuns = await runsOf(calm);
    expect(hitRuns).toHaveLength(1);
    expect(hitRuns[0]?.val).toHaveLength(EPOCHS);
    expect(hitRuns).toEqual(calmRuns);
  });

  it('online: the pick resumes on another worker and the selection equals an undisturbed one', async () => {
    const input = {
      target: TARGET,
      policy: 'successive-halving',
      trainer: 'tfjs',
      budgetEpochs: EPOCHS,
      eta: 2,
      maxParallel: 1,
      seed: SEED,
      heartbeatTimeout: HEARTBEAT_TIMEOUT,
    };
    const run = (taskQueue: string): Promise<SelectModelResult> =>
      server.client.workflow.execute(selectModel, { taskQueue, workflowId: `online-${taskQueue}`, args: [input] });
    const hit = await roots();
    const calm = await roots();
    await Promise.all([hit, calm].map((r) => seedHistory(r.storeDir)));
    // Round 1 trains both models one epoch; the pick then trains epochs 2..4 in one fine-tune, killed after epoch 3.
    const { result, kill, taskQueue } = await preempted(hit, 3, run);
    expect(kill.runId).toBe(`online-${taskQueue}/${result.pick}@${TARGET}`);
    await expectResumed(`online-${taskQueue}`, kill);
    expect(result.curves[result.pick ?? '']).toHaveLength(EPOCHS);

    expect(selectionOutcome(result)).toEqual(selectionOutcome(await undisturbed(calm, run)));
  });
});

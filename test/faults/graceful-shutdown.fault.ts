/**
 * Graceful shutdown: SIGTERM to a GPU worker process in the middle of a long fine-tune. The
 * worker stops taking work, lets the fine-tune run for its shutdown grace time, then cancels
 * it; the attempt fails at once (no waiting for a heartbeat timeout) and another worker
 * process resumes it from the last checkpoint, with every epoch once in the result.
 */
import type { BuildMatrixResult } from '../../contracts/schemas';
import { buildPerformanceMatrix } from '../../workflows';
import { cellRunId } from '../../workflows/build-performance-matrix';
import { BENCHMARK, MODELS, checkpointEpochs, makeHub, makeRoots, removeDir, workerConfig, workerEnv, type Hub, type Roots } from './helpers/fixtures';
import { activityRuns, waitUntil } from './helpers/history';
import { fineTunesOf } from './helpers/preempt';
import { killAll, startWorkerProcess } from './helpers/processes';
import { connectShared, freshQueue, orchestrator, withWorkers, type Server } from './helpers/server';

/** Long enough that no takeover can come from a missed heartbeat. */
const HEARTBEAT_TIMEOUT_S = 120;
/** The worker's default shutdown grace time (workers/create-workers.ts). */
const GRACE_S = 10;
/** More epochs than the first worker can finish before and during its grace time, even if epochs run 3x faster than calibrated. */
const EPOCHS = 30;
const EPOCH_SECONDS = 2;

let server: Server;
let hub: Hub;
let roots: Roots;
beforeAll(async () => {
  server = await connectShared();
  hub = await makeHub(EPOCH_SECONDS);
  roots = await makeRoots(hub);
});
afterEach(killAll);
afterAll(async () => {
  await killAll();
  await server.close();
  await Promise.all([hub.root, roots.dataDir].map(removeDir));
});

describe('SIGTERM to a GPU worker process during a fine-tune', () => {
  it('cancels after the grace time, and another worker resumes promptly from the last checkpoint', async () => {
    const taskQueue = freshQueue('sigterm');
    const env = workerEnv(roots, server);
    const input = {
      models: [MODELS[1]],
      benchmarks: [BENCHMARK],
      epochs: EPOCHS,
      trainer: 'tfjs',
      maxParallel: 1,
      seed: 3,
      heartbeatTimeout: `${HEARTBEAT_TIMEOUT_S}s`,
    };
    const runId = cellRunId({ model: MODELS[1], dataset: BENCHMARK }, EPOCHS, 3);
    const first = await startWorkerProcess({ role: 'gpu', taskQueue, env });
    const result = await withWorkers([await orchestrator(server, taskQueue, workerConfig(roots))], async () => {
      const handle = await server.client.workflow.start(buildPerformanceMatrix, { taskQueue, workflowId: `sigterm-${taskQueue}`, args: [input] });
      await waitUntil(
        () => checkpointEpochs(roots.checkpointDir, runId),
        (e) => e.includes(1),
        'the first epoch',
        120_000,
      );
      const second = await startWorkerProcess({ role: 'gpu', taskQueue, env });
      await waitUntil(
        () => checkpointEpochs(roots.checkpointDir, runId),
        (e) => e.includes(2),
        'the second epoch',
        120_000,
      );

      const termAt = Date.now();
      first.kill('SIGTERM');
      const exit = await first.exited;
      const exitSeconds = (Date.now() - termAt) / 1000;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(exitSeconds).toBeLessThan(GRACE_S + 10);
      const lastOfFirst = Math.max(...(await checkpointEpochs(roots.checkpointDir, runId)));
      expect(lastOfFirst).toBeLessThan(EPOCHS);

      const pending = await waitUntil(
        async () => (await handle.describe()).raw.pendingActivities?.[0],
        (a) => (a?.attempt ?? 0) >= 2 && String(a?.lastWorkerIdentity ?? '').startsWith(`${second.pid}@`),
        'the fine-tune to restart on the second worker',
        60_000,
      );
      const takeoverSeconds = (Date.now() - termAt) / 1000;
      expect(takeoverSeconds).toBeLessThan(GRACE_S + 15);
      expect(takeoverSeconds).toBeLessThan(HEARTBEAT_TIMEOUT_S);
      expect(pending?.attempt).toBe(2);
      return { final: (await handle.result()) as BuildMatrixResult, lastOfFirst, workflowId: handle.workflowId };
    });

    expect(result.final).toMatchObject({ cellsComputed: 1, cellsFailed: 0 });
    const [tune] = fineTunesOf(await activityRuns(server.client.workflow.getHandle(result.workflowId)), runId);
    expect(tune?.attempt).toBe(2);
    expect(tune?.lastFailure).toMatchObject({ type: 'WorkerShutdown', message: expect.stringMatching(/shutting down/) });
    // The cancelled attempt's last checkpoint was heartbeated: the retry starts there, or one epoch
    // earlier when the cancellation landed between a checkpoint and its heartbeat.
    expect(tune?.output.startedFromEpoch).toBeGreaterThanOrEqual(result.lastOfFirst - 1);
    expect(tune?.output.curve.map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
  });
});

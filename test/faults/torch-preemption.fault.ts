/**
 * Preemption on PyTorch: a GPU worker process (`mselect worker --role gpu` with
 * MSELECT_TRAINER=torch) is SIGKILLed in the middle of an epoch of the reference trainer. A
 * second worker process takes the fine-tune over after the heartbeat timeout and resumes from
 * the last checkpoint the first one heartbeated; on CPU the resumed curve and test metric
 * equal an undisturbed run exactly. Skipped, with the reason in the name, without torch.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { BuildMatrixResult } from '../../contracts/schemas';
import { openStore } from '../../matrix-store';
import { CheckpointStore } from '../../training/checkpoint-store';
import { buildPerformanceMatrix } from '../../workflows';
import { makeTempDirs, removeDirs, type TinyDirs } from '../hub/tiny-hub';
import { buildTinyTorchHub, describeTorch, TINY_TORCH_SPEC, TORCH_BENCHMARK } from '../helpers/torch-hub';
import { makeRoots, removeDir, workerConfig, workerEnv, type Roots } from './helpers/fixtures';
import { activityRuns } from './helpers/history';
import { fineTunesOf } from './helpers/preempt';
import { killAll, startWorkerProcess, type Child } from './helpers/processes';
import { connectShared, freshQueue, gpu, orchestrator, withWorkers, type Server } from './helpers/server';

const MODEL = 'cnn-c8-digits';
/** Epochs here take a tenth of a second or so: enough of them that the kill lands well before the last. */
const EPOCHS = 12;
const SEED = 5;
/** As many training samples as the digit pool gives (epochs of 0.1-1 s on CPU, by machine). */
const SPEC = {
  ...TINY_TORCH_SPEC,
  splits: { train: 3000, val: 48, test: 48 },
  models: TINY_TORCH_SPEC.models.filter((m) => m.id === MODEL),
  datasets: TINY_TORCH_SPEC.datasets.filter((d) => d.id === TORCH_BENCHMARK),
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Server;
let hub: TinyDirs;
const made: Roots[] = [];

/** The epoch of the last checkpoint a fineTune heartbeat of `workflowId` has brought to the server (0 when none yet). */
async function heartbeatedEpoch(workflowId: string): Promise<number> {
  const d = await server.client.workflow.getHandle(workflowId).describe();
  const p = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'fineTune');
  const payload = p?.heartbeatDetails?.payloads?.[0];
  if (!payload) return 0;
  const details = defaultPayloadConverter.fromPayload<{ epoch?: number; checkpoint?: unknown } | undefined | null>(payload);
  return details?.checkpoint ? (details.epoch ?? 0) : 0;
}

/**
 * Wait for `epoch-<epoch>.pt` of some run and for a heartbeat that names a checkpoint to reach
 * the server (heartbeats are throttled, and an epoch here can be shorter than the throttle),
 * let the next epoch get about 40% done, SIGKILL the worker.
 */
async function killMidEpoch(
  worker: Child,
  checkpointDir: string,
  epoch: number,
  workflowId: string,
): Promise<{ runDir: string; lastCheckpoint: number; epochSeconds: number }> {
  const runsDir = path.join(checkpointDir, path.dirname(path.dirname(new CheckpointStore(checkpointDir).keyFor('x', 0))));
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`no run reached epoch ${epoch}; worker output:\n${worker.output()}`);
    for (const d of await fs.readdir(runsDir).catch(() => [] as string[])) {
      const at = (e: number) =>
        fs.stat(path.join(runsDir, d, `epoch-${e}.pt`)).then(
          (s) => s.mtimeMs,
          () => null,
        );
      const [done, before] = [await at(epoch), await at(epoch - 1)];
      if (done !== null && before !== null) {
        while ((await heartbeatedEpoch(workflowId)) < 1) {
          if (Date.now() > deadline) throw new Error(`no heartbeat named a checkpoint; worker output:\n${worker.output()}`);
          await sleep(20);
        }
        await sleep(Math.max(0, done + 0.4 * (done - before) - Date.now()));
        worker.kill('SIGKILL');
        await worker.exited;
        const names = await fs.readdir(path.join(runsDir, d));
        const last = Math.max(...names.flatMap((n) => /^epoch-(\d+)\.pt$/.exec(n)?.[1] ?? []).map(Number));
        return { runDir: d, lastCheckpoint: last, epochSeconds: (done - before) / 1000 };
      }
    }
    await sleep(50);
  }
}

describeTorch('a GPU worker process killed in the middle of a PyTorch epoch', () => {
  beforeAll(async () => {
    server = await connectShared();
    hub = await makeTempDirs('mselect-faults-torch-');
    await buildTinyTorchHub(hub.hubDir, hub.datasetsDir, SPEC);
  });
  afterEach(killAll);
  afterAll(async () => {
    await killAll();
    await server?.close();
    if (hub) await removeDirs(hub);
    await Promise.all(made.map((r) => removeDir(r.dataDir)));
  });

  it('the cell resumes on another worker from the checkpoint and equals an undisturbed run exactly', async () => {
    const input = { models: [MODEL], benchmarks: [TORCH_BENCHMARK], epochs: EPOCHS, trainer: 'torch', maxParallel: 1, seed: SEED, heartbeatTimeout: '3s' };
    const run = (taskQueue: string): Promise<BuildMatrixResult> =>
      server.client.workflow.execute(buildPerformanceMatrix, { taskQueue, workflowId: `offline-${taskQueue}`, args: [input] });
    const hit = await makeRoots(hub);
    const calm = await makeRoots(hub);
    made.push(hit, calm);
    const env = workerEnv(hit, server, { MSELECT_TRAINER: 'torch', MSELECT_TORCH_DEVICE: 'cpu' });

    const taskQueue = freshQueue('torch-preempt');
    const first = await startWorkerProcess({ role: 'gpu', taskQueue, env });
    const { result, kill } = await withWorkers([await orchestrator(server, taskQueue, workerConfig(hit))], async () => {
      const pending = run(taskQueue);
      pending.catch(() => undefined);
      const k = await killMidEpoch(first, hit.checkpointDir, 2, `offline-${taskQueue}`);
      await startWorkerProcess({ role: 'gpu', taskQueue, env });
      return { result: await pending, kill: k };
    });
    expect(result).toMatchObject({ cellsComputed: 1, cellsFailed: 0 });
    const tunes = fineTunesOf(await activityRuns(server.client.workflow.getHandle(`offline-${taskQueue}`)), decodeURIComponent(kill.runDir));
    // The attempt that finished came after a heartbeat timeout (a second one can lapse while
    // the replacement worker starts Python on a loaded machine), resuming from a checkpoint.
    const resumed = tunes.find((t) => t.attempt > 1);
    expect(resumed).toMatchObject({ lastFailure: { type: 'timeout:HEARTBEAT' } });
    // It resumes from a checkpoint a heartbeat named, never from scratch. The newest file on disk
    // can be ahead of that: PyTorch epochs here last well under a second, heartbeats are
    // throttled to 500 ms, and the orphaned trainer may finish a checkpoint after the worker died.
    expect(resumed?.output.startedFromEpoch).toBeGreaterThanOrEqual(1);
    expect(resumed?.output.startedFromEpoch).toBeLessThanOrEqual(kill.lastCheckpoint);
    expect(resumed?.output.curve.map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    console.log(
      `torch preemption: killed ${(0.4 * kill.epochSeconds).toFixed(2)} s into epoch ${kill.lastCheckpoint + 1} (${kill.epochSeconds.toFixed(2)} s/epoch); resumed from epoch ${resumed?.output.startedFromEpoch} in attempt ${resumed?.attempt}`,
    );

    const calmQueue = freshQueue('torch-calm');
    const cfg = { ...workerConfig(calm), defaultTrainer: 'torch' as const };
    process.env.MSELECT_TORCH_DEVICE = 'cpu';
    const undisturbed = await withWorkers([await orchestrator(server, calmQueue, cfg), await gpu(server, calmQueue, cfg)], () => run(calmQueue));
    expect(result).toEqual(undisturbed);
    const runsOf = async (r: Roots) => (await (await openStore({ dir: r.storeDir }).snapshot()).runSet()).runs;
    const [hitRuns, calmRuns] = [await runsOf(hit), await runsOf(calm)];
    expect(hitRuns).toHaveLength(1);
    expect(hitRuns[0]?.val).toHaveLength(EPOCHS);
    expect(hitRuns).toEqual(calmRuns);
  });
});

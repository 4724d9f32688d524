/**
 * "Three machines": the Temporal dev server and versitygw (S3) on the host; an orchestrator
 * worker process and two GPU worker processes, each with its own empty private data folder
 * and, where the test runs as root, its own network namespace. Temporal and the bucket are
 * the only things they share. An offline run and a selection complete; in the selection the
 * GPU worker training the pick is SIGKILLed mid-epoch, the other resumes from the checkpoint
 * in S3 (at most one epoch trained again), and both results equal an undisturbed run on
 * folders in this process. Prints the recovery time after the kill.
 */
import { Client } from '@temporalio/client';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { BuildMatrixResult, SelectModelInput, SelectModelResult } from '../../contracts/schemas';
import { openStore, openStoreOn } from '../../matrix-store';
import { openStorage } from '../../storage';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { startCluster, type Cluster, type Proc } from './helpers/cluster';
import { BENCHMARK, MODELS, TARGET, TF_BACKEND, makeHub, makeRoots, removeDir, workerConfig, type Hub } from './helpers/fixtures';
import { activityRuns } from './helpers/history';
import { reachesHostLoopback } from './helpers/netns';
import { fineTunesOf } from './helpers/preempt';
import { selectionOutcome } from './helpers/selection';
import { freshQueue, gpu, orchestrator, withWorkers, type Server } from './helpers/server';

process.env.MSELECT_TF_BACKEND = TF_BACKEND;

const EPOCHS = 5;
/**
 * The worker training the pick is killed 0.4 epoch after it checkpointed this epoch. The pick
 * trains epochs 2..EPOCHS in one activity, so the kill lands in that activity with 1.6 epochs
 * to spare (an epoch here is about a second), even when polling the bucket and describing the
 * workflow are slow on a loaded machine.
 */
const KILL_AFTER = EPOCHS - 2;
const SEED = 11;
const HEARTBEAT_TIMEOUT = '3s';
const PREFIX = 'cluster/';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (l: string): void => void process.stderr.write(`three machines [${((Date.now() - t0) / 1000).toFixed(0)} s]: ${l}\n`);

let cluster: Cluster;
let server: Server;
let hub: Hub;
const temps: string[] = [];

beforeAll(async () => {
  hub = await makeHub(1.5);
  temps.push(hub.root);
  cluster = await startCluster({ prefix: PREFIX, hub });
  server = cluster.server;
});
afterAll(async () => {
  await cluster?.close();
  await Promise.all(temps.map(removeDir));
});

/** No two workers share a folder: none is another's, or inside another's. */
function expectPrivate(procs: readonly Proc[]): void {
  const dirs = procs.flatMap((p) => [p.dataDir]);
  for (const a of dirs) for (const b of dirs) if (a !== b) expect(a.startsWith(b + path.sep) || b.startsWith(a + path.sep)).toBe(false);
  expect(new Set(dirs).size).toBe(procs.length);
}

/** Epochs checkpointed in the bucket for runs whose id starts with `runPrefix` (read from versitygw's folder). */
async function checkpointsOf(runPrefix: string): Promise<Map<string, number[]>> {
  const runsDir = path.join(cluster.s3.dir, cluster.s3.bucket, PREFIX, 'checkpoints', 'runs');
  const out = new Map<string, number[]>();
  for (const d of await fs.readdir(runsDir).catch(() => [] as string[])) {
    const runId = decodeURIComponent(d);
    if (!runId.startsWith(runPrefix)) continue;
    const names = await fs.readdir(path.join(runsDir, d)).catch(() => [] as string[]);
    out.set(
      runId,
      names
        .flatMap((n) => /^epoch-(\d+)\.ckpt$/.exec(n)?.[1] ?? [])
        .map(Number)
        .sort((a, b) => a - b),
    );
  }
  return out;
}

/** Wait until a run of `runPrefix` has checkpointed `epoch`; its run id. */
async function awaitCheckpoint(runPrefix: string, epoch: number, timeoutMs = 240_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const [runId, epochs] of await checkpointsOf(runPrefix)) if (epochs.includes(epoch)) return runId;
    if (Date.now() > deadline) throw new Error(`no run of ${runPrefix} reached epoch ${epoch}`);
    await sleep(50);
  }
}

/** Poll `probe` every 50 ms until it answers non-null; throws after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

async function checkpointMtime(runId: string, epoch: number): Promise<number> {
  const file = path.join(
    cluster.s3.dir,
    cluster.s3.bucket,
    PREFIX,
    'checkpoints',
    'runs',
    encodeURIComponent(runId).replace(/\./g, '%2E'),
    `epoch-${epoch}.ckpt`,
  );
  return (await fs.stat(file)).mtimeMs;
}

/** The identity (pid@host) of the worker running the fineTune of `workflowId`, once one runs. */
async function runningFineTune(client: Client, workflowId: string): Promise<{ identity: string; attempt: number } | null> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const a = d.raw.pendingActivities?.find((p) => p.activityType?.name === 'fineTune' && p.lastWorkerIdentity && Number(p.state) === 2);
  return a ? { identity: a.lastWorkerIdentity ?? '', attempt: a.attempt ?? 1 } : null;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const offlineInput = {
  models: [...MODELS],
  benchmarks: [BENCHMARK],
  epochs: EPOCHS,
  trainer: 'tfjs',
  maxParallel: 2,
  seed: SEED,
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
};
const selectInput: Partial<SelectModelInput> = {
  target: TARGET,
  policy: 'successive-halving',
  trainer: 'tfjs',
  budgetEpochs: EPOCHS,
  eta: 2,
  maxParallel: 1,
  seed: SEED,
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
};
const strip = (r: SelectModelResult) => {
  const { storeVersion: _v, ...rest } = selectionOutcome(r);
  return rest;
};

describe('three machines sharing only Temporal and an S3 bucket', () => {
  it('run the offline phase and a selection; a GPU worker killed mid-epoch is resumed from S3 by the other', async () => {
    const taskQueue = freshQueue('cluster');
    const [mo, ma, mb] = cluster.net?.list ?? [];
    if (cluster.net && mo) {
      expect(reachesHostLoopback(mo, cluster.s3.port)).toBe(false);
    }
    const procs = await Promise.all([
      cluster.startMachine('orchestrator', taskQueue, mo),
      cluster.startMachine('gpu', taskQueue, ma),
      cluster.startMachine('gpu', taskQueue, mb),
    ]);
    expectPrivate(procs);
    log(`workers running: orchestrator pid ${procs[0]?.child.pid}, GPU pids ${procs[1]?.child.pid} and ${procs[2]?.child.pid}`);
    try {
      await scenario(taskQueue, procs);
    } catch (e) {
      for (const p of procs) process.stderr.write(`--- ${p.role} pid ${p.child.pid} output:\n${p.child.output().slice(-3000)}\n`);
      throw e;
    }
  }, 600_000);
});

async function scenario(taskQueue: string, procs: Proc[]): Promise<void> {
  {
    const [, gpuA, gpuB] = procs as [Proc, Proc, Proc];

    // 1. The offline phase, both GPU workers fine-tuning from the bucket's hub.
    const offline: BuildMatrixResult = await server.client.workflow.execute(buildPerformanceMatrix, {
      taskQueue,
      workflowId: `offline-${taskQueue}`,
      args: [offlineInput],
    });
    expect(offline).toMatchObject({ cellsComputed: MODELS.length, cellsFailed: 0 });
    log('offline run complete');
    // The GPU workers read the hub through their private caches, filled from the bucket.
    const cached = await Promise.all([gpuA, gpuB].map((p) => fs.readdir(path.join(p.dataDir, 'cache', 'hub')).catch(() => [] as string[])));
    expect(new Set(cached.flat())).toEqual(new Set(MODELS));

    // 2. A selection; kill the worker that trains the pick once it has checkpointed epoch KILL_AFTER.
    const workflowId = `online-${taskQueue}`;
    const pending = server.client.workflow.execute(selectModel, { taskQueue, workflowId, args: [selectInput as SelectModelInput] });
    pending.catch(() => undefined);
    const runId = await awaitCheckpoint(`${workflowId}/`, KILL_AFTER);
    log(`${runId} checkpointed epoch ${KILL_AFTER} in S3`);
    const running = await until('the running fineTune', () => runningFineTune(server.client, workflowId), 30_000);
    const victim = [gpuA, gpuB].find((p) => running.identity.startsWith(`${p.child.pid}@`));
    if (!victim) throw new Error(`fineTune runs on ${running.identity}, not on a GPU worker process (${gpuA.child.pid}, ${gpuB.child.pid})`);
    const survivor = victim === gpuA ? gpuB : gpuA;
    const done = await checkpointMtime(runId, KILL_AFTER);
    const epochMs = done - (await checkpointMtime(runId, KILL_AFTER - 1));
    await sleep(Math.max(100, done + 0.4 * epochMs - Date.now()));
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    expect(await victim.child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const lastCheckpoint = Math.max(...((await checkpointsOf(runId)).get(runId) ?? [0]));
    log(
      `SIGKILL to GPU worker pid ${victim.child.pid} ${((killedAt - done) / 1000).toFixed(1)} s into epoch ${lastCheckpoint + 1} (epochs take ${(epochMs / 1000).toFixed(1)} s)`,
    );
    expect(lastCheckpoint).toBeLessThan(EPOCHS);

    await until('the retried fineTune', async () => ((await runningFineTune(server.client, workflowId))?.attempt ?? 0) >= 2 || null, 60_000);
    const takenOverMs = Date.now() - killedAt;
    await until('a new checkpoint', async () => Math.max(...((await checkpointsOf(runId)).get(runId) ?? [0])) > lastCheckpoint || null, 120_000);
    const nextCheckpointMs = Date.now() - killedAt;
    const result = await pending;
    log('selection complete');
    const totalMs = Date.now() - killedAt;
    process.stderr.write(
      `three machines: recovery after SIGKILL of pid ${victim.child.pid}: retry running on pid ${survivor.child.pid} after ${(takenOverMs / 1000).toFixed(1)} s, ` +
        `first new checkpoint in S3 after ${(nextCheckpointMs / 1000).toFixed(1)} s, selection done after ${(totalMs / 1000).toFixed(1)} s (heartbeat timeout ${HEARTBEAT_TIMEOUT})\n`,
    );

    const tunes = fineTunesOf(await activityRuns(server.client.workflow.getHandle(workflowId)), runId);
    const resumed = tunes.find((t) => t.attempt > 1);
    expect(resumed).toMatchObject({ attempt: 2, lastFailure: { type: 'timeout:HEARTBEAT' } });
    if (resumed) {
      expect(resumed.output.startedFromEpoch).toBeGreaterThan(resumed.input.fromEpoch);
      expect(lastCheckpoint - resumed.output.startedFromEpoch).toBeLessThanOrEqual(1);
      expect(resumed.output.curve.map((e) => e.epoch)).toEqual(range(resumed.input.fromEpoch + 1, resumed.input.toEpoch));
    }
    expect(result.curves[result.pick ?? '']).toHaveLength(EPOCHS);
    expect(result.reportPath).toMatch(/^s3:\/\//);

    // 3. The same two runs undisturbed, in this process, on folders.
    const calm = await makeRoots(hub);
    temps.push(calm.dataDir);
    const calmQueue = freshQueue('calm');
    const cfg = workerConfig(calm);
    const [calmOffline, calmSelect] = await withWorkers(
      [await orchestrator(server, calmQueue, cfg), await gpu(server, calmQueue, cfg, undefined, 2)],
      async () =>
        [
          await server.client.workflow.execute(buildPerformanceMatrix, { taskQueue: calmQueue, workflowId: `offline-${calmQueue}`, args: [offlineInput] }),
          await server.client.workflow.execute(selectModel, {
            taskQueue: calmQueue,
            workflowId: `online-${calmQueue}`,
            args: [selectInput as SelectModelInput],
          }),
        ] as const,
    );
    expect(offline.cellsComputed).toBe(calmOffline.cellsComputed);
    const shared = await openStoreOn(openStorage(cluster.s3.settings(PREFIX)).sub('store/'), { create: false });
    const runsOf = async (store: typeof shared) => (await (await store.snapshot()).runSet()).runs;
    expect(await runsOf(shared)).toEqual(await runsOf(openStore({ dir: calm.storeDir })));
    expect(strip(result)).toEqual(strip(calmSelect));
    log('the cluster results equal the undisturbed ones');
  }
}

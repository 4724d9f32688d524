/**
 * A checkpoint of more than 1 GB across machines: a PyTorch MLP with two 9,216-wide layers
 * (87 M parameters: 0.35 GB of weights, 1.04 GB of checkpoint with Adam's state) fine-tuned by
 * GPU worker processes that share only Temporal and an S3 bucket (versitygw), each with its own
 * private data folder. The worker training it is SIGKILLed in the middle of an epoch; the other
 * fetches the checkpoint from the bucket (multipart upload, parallel ranged download, SHA-256
 * checked) and resumes; the cell equals an undisturbed run on another prefix of the bucket.
 * Prints the recovery time. Kept out of three-machines.fault.ts: it adds minutes (pre-training
 * the wide model, 1 GB uploads per epoch) to the fault suite. Skipped, with the reason in the
 * name, without torch.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildMatrixResult } from '../../contracts/schemas';
import { DEMO_SPEC } from '../../demo/spec';
import { pushHub } from '../../hub/cache';
import { openStoreOn } from '../../matrix-store';
import { S3Server } from '../../server/versitygw';
import { openStorage } from '../../storage';
import { buildPerformanceMatrix } from '../../workflows';
import { buildTinyTorchHub, describeTorch, TINY_TORCH_SPEC, TORCH_BENCHMARK } from '../helpers/torch-hub';
import { makeRoots, removeDir, workerConfig, type Roots } from './helpers/fixtures';
import { activityRuns } from './helpers/history';
import { fineTunesOf } from './helpers/preempt';
import { killAll, privateFolders, startWorkerProcess, type Child } from './helpers/processes';
import { connectShared, freshQueue, orchestrator, withWorkers, type Server } from './helpers/server';

const MODEL = 'mlp-wide-digits';
const WIDTH = 9216;
const EPOCHS = 3;
const SEED = 7;
/** Longer than the 10 s heartbeat keep-alive, so a worker busy uploading 1 GB is never taken for dead. */
const HEARTBEAT_TIMEOUT = '20s';
const SPEC = {
  ...TINY_TORCH_SPEC,
  models: [{ id: MODEL, arch: { kind: 'mlp' as const, hidden: [WIDTH, WIDTH] }, transform: 'identity' as const, labels: 'digits' as const }],
  datasets: DEMO_SPEC.datasets.filter((d) => d.id === TORCH_BENCHMARK),
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (l: string): void => void process.stderr.write(`large checkpoint [${((Date.now() - t0) / 1000).toFixed(0)} s]: ${l}\n`);

let server: Server;
let s3: S3Server;
let hubRoots: Roots;
const temps: string[] = [];

/** A GPU worker process with its own private data folder, sharing only Temporal and `s3://<bucket>/<prefix>`. */
async function gpuMachine(taskQueue: string, prefix: string): Promise<{ child: Child; dataDir: string }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-machine-'));
  temps.push(dataDir);
  const env = {
    ...s3.env(prefix),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    ...privateFolders(dataDir),
    MSELECT_TRAINER: 'torch',
    MSELECT_TORCH_DEVICE: 'cpu',
    MSELECT_CHECKPOINT_CACHE_SIZE: '3GB',
  };
  return { child: await startWorkerProcess({ role: 'gpu', taskQueue, env }), dataDir };
}

/** The orchestrator in this process, on the bucket's `prefix`. */
async function orchestratorOn(taskQueue: string, prefix: string, roots: Roots) {
  const cacheDir = path.join(roots.dataDir, `cache-${taskQueue}`);
  return orchestrator(server, taskQueue, {
    ...workerConfig(roots),
    hubDir: path.join(cacheDir, 'hub'),
    datasetsDir: path.join(cacheDir, 'datasets'),
    storage: s3.settings(prefix),
    cacheDir,
  });
}

/** Checkpointed epochs per run in the bucket under `prefix`, with their modification times (read from versitygw's folder). */
async function bucketCheckpoints(prefix: string): Promise<Map<string, Map<number, number>>> {
  const runsDir = path.join(s3.dir, s3.bucket, prefix, 'checkpoints', 'runs');
  const out = new Map<string, Map<number, number>>();
  for (const d of await fs.readdir(runsDir).catch(() => [] as string[])) {
    const epochs = new Map<number, number>();
    for (const n of await fs.readdir(path.join(runsDir, d)).catch(() => [] as string[])) {
      const e = /^epoch-(\d+)\.pt$/.exec(n)?.[1];
      if (e) epochs.set(Number(e), (await fs.stat(path.join(runsDir, d, n))).mtimeMs);
    }
    out.set(decodeURIComponent(d), epochs);
  }
  return out;
}

describeTorch('a fine-tune with a checkpoint over 1 GB, its GPU worker killed mid-epoch', () => {
  beforeAll(async () => {
    server = await connectShared();
    const s3Dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-s3-'));
    temps.push(s3Dir);
    s3 = await S3Server.start({ dir: s3Dir });
    const hubDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-faults-wide-hub-'));
    temps.push(hubDir);
    hubRoots = await makeRoots({ hubDir: path.join(hubDir, 'hub'), datasetsDir: path.join(hubDir, 'datasets') }, 'mselect-faults-wide-');
    temps.push(hubRoots.dataDir);
    await buildTinyTorchHub(hubRoots.hubDir, hubRoots.datasetsDir, SPEC);
    for (const prefix of ['hit/', 'calm/']) await pushHub(openStorage(s3.settings(prefix)), hubRoots.hubDir, hubRoots.datasetsDir);
    log('wide PyTorch hub built and pushed');
  }, 900_000);
  afterAll(async () => {
    await killAll();
    await server?.close();
    await s3?.stop(true);
    await Promise.all(temps.map(removeDir));
  });

  it('resumes on the other machine from the bucket and equals an undisturbed run', async () => {
    const input = {
      models: [MODEL],
      benchmarks: [TORCH_BENCHMARK],
      epochs: EPOCHS,
      trainer: 'torch',
      maxParallel: 1,
      seed: SEED,
      heartbeatTimeout: HEARTBEAT_TIMEOUT,
    };
    const run = (taskQueue: string): Promise<BuildMatrixResult> =>
      server.client.workflow.execute(buildPerformanceMatrix, { taskQueue, workflowId: `offline-${taskQueue}`, args: [input] });
    const taskQueue = freshQueue('wide');
    const first = await gpuMachine(taskQueue, 'hit/');
    let second: { child: Child; dataDir: string } | undefined;
    const { result, recovery } = await withWorkers([await orchestratorOn(taskQueue, 'hit/', hubRoots)], async () => {
      const pending = run(taskQueue);
      pending.catch(() => undefined);
      // Wait for epoch 2 in the bucket, then kill ~40% into epoch 3.
      const deadline = Date.now() + 600_000;
      let runId = '';
      let at: { done: number; before: number } | null = null;
      while (!at) {
        if (Date.now() > deadline) throw new Error(`no checkpoint of epoch 2 in the bucket; worker output:\n${first.child.output().slice(-3000)}`);
        for (const [id, epochs] of await bucketCheckpoints('hit/')) {
          const [done, before] = [epochs.get(2), epochs.get(1)];
          if (done !== undefined && before !== undefined) [runId, at] = [id, { done, before }];
        }
        await sleep(100);
      }
      const size = (await fs.stat(path.join(s3.dir, s3.bucket, 'hit', 'checkpoints', 'runs', encodeURIComponent(runId).replace(/\./g, '%2E'), 'epoch-2.pt')))
        .size;
      log(`${runId}: epoch 2 checkpointed (${(size / 1e9).toFixed(2)} GB), epochs take ${((at.done - at.before) / 1000).toFixed(1)} s with the upload`);
      expect(size).toBeGreaterThan(1e9);
      second = await gpuMachine(taskQueue, 'hit/');
      await sleep(Math.max(200, at.done + 0.4 * (at.done - at.before) - Date.now()));
      const killedAt = Date.now();
      first.child.kill('SIGKILL');
      await first.child.exited;
      log(`SIGKILL to GPU worker pid ${first.child.pid}`);
      const res = await pending;
      const doneMs = Date.now() - killedAt;
      const epochs = (await bucketCheckpoints('hit/')).get(runId) ?? new Map<number, number>();
      const resumedCheckpoints = [...epochs.values()].filter((t) => t > killedAt).sort((a, b) => a - b);
      return { result: res, recovery: { runId, doneMs, firstCheckpointMs: (resumedCheckpoints[0] ?? Number.NaN) - killedAt } };
    });
    expect(result).toMatchObject({ cellsComputed: 1, cellsFailed: 0 });
    const tunes = fineTunesOf(await activityRuns(server.client.workflow.getHandle(`offline-${taskQueue}`)), recovery.runId);
    const resumed = tunes.find((t) => t.attempt > 1);
    expect(resumed).toMatchObject({ lastFailure: { type: 'timeout:HEARTBEAT' } });
    expect(resumed?.output.startedFromEpoch).toBeGreaterThanOrEqual(1);
    const fetched = await fs.readFile(path.join(second?.dataDir ?? '', 'checkpoints', '.fetches.jsonl'), 'utf8');
    expect(fetched).toMatch(/"bytes":1\d{9}/);
    process.stderr.write(
      `large checkpoint: recovery after SIGKILL (heartbeat timeout ${HEARTBEAT_TIMEOUT}): first new 1 GB checkpoint in the bucket after ${(recovery.firstCheckpointMs / 1000).toFixed(1)} s, ` +
        `cell done after ${(recovery.doneMs / 1000).toFixed(1)} s; resumed from epoch ${resumed?.output.startedFromEpoch}; fetched by the survivor: ${fetched.trim()}\n`,
    );

    const calmQueue = freshQueue('wide-calm');
    await gpuMachine(calmQueue, 'calm/');
    const undisturbed = await withWorkers([await orchestratorOn(calmQueue, 'calm/', hubRoots)], () => run(calmQueue));
    expect(result).toEqual(undisturbed);
    const runsOf = async (prefix: string) =>
      (await (await (await openStoreOn(openStorage(s3.settings(prefix)).sub('store/'), { create: false })).snapshot()).runSet()).runs;
    const [hit, calm] = [await runsOf('hit/'), await runsOf('calm/')];
    expect(hit).toHaveLength(1);
    expect(hit).toEqual(calm);
    log('the resumed cell equals the undisturbed one');
  }, 1_200_000);
});

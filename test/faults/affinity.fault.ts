/**
 * Worker affinity on a real dev server, two GPU workers in this process and checkpoints in a
 * real S3 bucket (versitygw): with `workerAffinity`, every round after a model's first runs on
 * the worker that wrote its checkpoint; when that worker is gone the round falls back to the
 * shared GPU queue after `workerQueueTimeout` and the selection still finishes with the
 * undisturbed outcome. Prints the bytes fetched from the bucket and the checkpoint bytes left,
 * with and without affinity (docs/storage.md, "Worker affinity").
 */
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createGpuActivities, createOrchestratorActivities } from '../../activities';
import { hubCatalog } from '../../activities/catalog';
import { checkpointArea } from '../../activities/checkpoints';
import type { SelectModelResult } from '../../contracts/schemas';
import { openStore } from '../../matrix-store';
import { S3Server } from '../../server/versitygw';
import { S3ObjectStore, type ObjectStore } from '../../storage';
import { pickBackend } from '../../training/backend';
import { CheckpointStore } from '../../training/checkpoint-store';
import { CheckpointCache } from '../../training/checkpoint-cache';
import { TfjsTrainer } from '../../training/tfjs-trainer';
import { createGpuWorkers } from '../../workers/create-workers';
import { folderReportSink } from '../../workers/deps';
import { selectModel } from '../../workflows';
import { writeTinyModel } from '../hub/tiny-hub';
import { serverInfo } from '../helpers/test-env';
import { TARGET, TF_BACKEND, makeHub, makeRoots, removeDir, type Hub, type Roots } from './helpers/fixtures';
import { activityRuns, placementOf } from './helpers/history';
import { selectionOutcome } from './helpers/selection';
import { connectShared, freshQueue, withWorkers, type Server } from './helpers/server';

process.env.MSELECT_TF_BACKEND = TF_BACKEND;
const MODELS = ['alpha', 'beta', 'gamma', 'delta'];
const EPOCHS = 4;

/** Bytes read from the bucket's checkpoints, counted at the bucket (what every worker's cache fetched). */
interface Fetched {
  bytes: number;
  gets: number;
}
function counting(store: ObjectStore, fetched: Fetched): ObjectStore {
  const count = <T extends { length: number } | { size: number }>(v: T): T => {
    fetched.gets += 1;
    fetched.bytes += 'length' in v ? v.length : v.size;
    return v;
  };
  return Object.assign(Object.create(store) as ObjectStore, {
    get: async (key: string) => count(await store.get(key)),
    getFile: async (key: string, file: string) => count(await store.getFile(key, file)),
    sub: (prefix: string) => counting(store.sub(prefix), fetched),
  });
}

let server: Server;
let hub: Hub;
let s3: S3Server;
const made: string[] = [];

beforeAll(async () => {
  server = await connectShared();
  hub = await makeHub(0.5);
  for (const [i, m] of MODELS.slice(2).entries()) await writeTinyModel(hub.hubDir, m, 6, 9 + i);
  s3 = await S3Server.start({ dir: path.join(hub.root, 's3'), bucket: 'affinity' });
});
afterAll(async () => {
  await s3?.stop();
  await server.close();
  await Promise.all([hub.root, ...made].map(removeDir));
});

/** A store with history of every model, so they all enter the pool. */
async function seed(dir: string): Promise<void> {
  const w = openStore({ dir }).beginWrite();
  const cells = MODELS.map((model, i) => ({
    model,
    dataset: 'bench',
    settingsHash: 'seeded',
    metric: 'accuracy',
    value: 0.7 + i / 20,
    epochs: 2,
    runId: `seeded/${model}`,
  }));
  await w.appendCells(cells);
  await w.appendCurves(cells.map((c) => ({ model: c.model, dataset: c.dataset, settingsHash: c.settingsHash, metric: c.metric, values: [0.5, c.value] })));
  await w.commit('history');
}

interface Run {
  result: SelectModelResult;
  fetched: Fetched;
  left: number;
  leftFiles: number;
  onWriter: number;
  resumes: number;
  fallbacks: number;
}

/**
 * A selection with two GPU workers (`a`, `b`, each on the shared GPU queue and its own) on a
 * fresh task queue, checkpoints in the bucket under `prefix`; with `loseWorkerA`, worker `a`
 * stops once round 1 is decided.
 */
async function select(r: Roots, prefix: string, extra: Record<string, unknown>, loseWorkerA = false): Promise<Run> {
  const taskQueue = freshQueue(prefix);
  const fetched: Fetched = { bytes: 0, gets: 0 };
  const bucket = counting(new S3ObjectStore(s3.settings(`${prefix}/`)), fetched).sub('checkpoints/');
  const backend = await pickBackend({ prefer: TF_BACKEND });
  // One connection per GPU worker, as on separate machines (one process may not register two workers on a queue through one client).
  const connections: NativeConnection[] = [];
  const gpuWorkers = async (id: string) =>
    createGpuWorkers({
      connection: connections[connections.push(await NativeConnection.connect({ address: server.address })) - 1] as NativeConnection,
      namespace: server.namespace,
      taskQueue,
      slots: 1,
      workerId: id,
      shutdownGraceTime: '1s',
      config: {
        storeDir: r.storeDir,
        hubDir: r.hubDir,
        datasetsDir: r.datasetsDir,
        checkpointDir: path.join(r.dataDir, `local-${id}`),
        reportDir: r.reportDir,
        replayDir: null,
        commandTrainer: null,
      },
      activities: createGpuActivities({
        training: {
          hubDir: r.hubDir,
          datasetsDir: r.datasetsDir,
          backend: async () => backend,
          checkpoints: checkpointArea(path.join(r.dataDir, `local-${id}`), bucket),
          trainers: [
            new TfjsTrainer({
              hubDir: r.hubDir,
              datasetsDir: r.datasetsDir,
              checkpointDir: path.join(r.dataDir, `local-${id}`),
              backend,
              // Each worker keeps what it writes and fetches in its own checkpoint cache, as on its own machine.
              checkpoints: new CheckpointStore(bucket, { cache: new CheckpointCache(path.join(r.dataDir, `local-${id}`), 1e9) }),
            }),
          ],
        },
        proxyCache: { store: () => openStore({ dir: r.storeDir }), datasetsDir: r.datasetsDir },
      }),
    });
  const orchestrator = await Worker.create({
    connection: server.connection,
    namespace: server.namespace,
    taskQueue,
    workflowBundle: { codePath: serverInfo().bundlePath },
    shutdownGraceTime: '1s',
    activities: createOrchestratorActivities({
      store: openStore({ dir: r.storeDir }),
      catalogs: { tfjs: hubCatalog(r.hubDir, r.datasetsDir) },
      reports: folderReportSink(r.reportDir),
      checkpoints: checkpointArea(path.join(r.dataDir, 'local-orchestrator'), bucket),
    }),
  });
  const [a, b] = [await gpuWorkers('a'), await gpuWorkers('b')];
  const workflowId = `${prefix}-${taskQueue}`;
  const input = {
    target: TARGET,
    policy: 'successive-halving',
    trainer: 'tfjs',
    budgetEpochs: EPOCHS,
    eta: 2,
    maxParallel: 4,
    seed: 5,
    heartbeatTimeout: '3s',
    models: MODELS,
    ...extra,
  };
  let stopA = (): void => undefined;
  let stopB = (): void => undefined;
  const aStopped = new Promise<void>((res) => (stopA = res));
  const aRuns = Promise.all(a.map((w) => w.runUntil(aStopped)));
  const bStopped = new Promise<void>((res) => (stopB = res));
  let bRuns: Promise<unknown> = Promise.resolve();
  const startB = (): void => void (bRuns = Promise.all(b.map((w) => w.runUntil(bStopped))));
  const result = await withWorkers([orchestrator], async () => {
    try {
      if (!loseWorkerA) startB();
      const handle = await server.client.workflow.start(selectModel, { taskQueue, workflowId, args: [input] });
      if (loseWorkerA) {
        // Worker `a` trains round 1 alone and goes away once it is decided; `b` comes up then:
        // every next round waits workerQueueTimeout on a's queue, then goes to the shared one.
        while (!(await activityRuns(handle)).some((x) => x.type === 'decideRound')) await new Promise((res) => setTimeout(res, 100));
        stopA();
        await aRuns;
        startB();
      }
      return await handle.result();
    } finally {
      stopA();
      stopB();
      await aRuns;
      await bRuns;
    }
  });
  await Promise.all(connections.map((c) => c.close()));
  const { resumes, onWriter, fallbacks } = placementOf(await activityRuns(server.client.workflow.getHandle(workflowId)));
  const objects = await bucket.list('');
  return { result, fetched, left: objects.reduce((n, o) => n + o.size, 0), leftFiles: objects.length, onWriter, resumes, fallbacks };
}

describe('worker affinity', () => {
  it('rounds go to the worker that wrote the checkpoint; without affinity they land anywhere; the outcome is the same', async () => {
    const r = await makeRoots(hub);
    made.push(r.dataDir);
    await seed(r.storeDir);
    const off = await select(r, 'off', {});
    const on = await select(r, 'on', { workerAffinity: true });
    const lost = await select(r, 'lost', { workerAffinity: true, workerQueueTimeout: '2s' }, true);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const rows = [
      ['without affinity', off],
      ['with affinity', on],
      ['with affinity, worker a (round 1) lost, b takes over', lost],
    ] as const;
    process.stdout.write(
      `worker affinity, 2 GPU workers, ${MODELS.length} models, budget ${EPOCHS}, checkpoints in versitygw:\n${rows
        .map(
          ([name, x]) =>
            `  ${name}: ${x.resumes} resumed fine-tunes, ${x.onWriter} on the worker that wrote the checkpoint, ${x.fallbacks} fell back to the shared queue; fetched from the bucket ${x.fetched.gets} GETs ${kb(x.fetched.bytes)}; left ${x.leftFiles} objects ${kb(x.left)}`,
        )
        .join('\n')}\n`,
    );

    expect(selectionOutcome(on.result)).toEqual(selectionOutcome(off.result));
    expect(selectionOutcome(lost.result)).toEqual(selectionOutcome(off.result));
    expect(on.resumes).toBeGreaterThan(0);
    // With affinity every resume runs where its checkpoint was written...
    expect(on.onWriter).toBe(on.resumes);
    expect(on.fallbacks).toBe(0);
    // With affinity every round runs where its checkpoint already is: nothing is fetched from the bucket.
    expect(on.fetched.gets).toBe(0);
    // ...unless that worker is lost: then the round falls back to the shared queue and another worker.
    expect(lost.fallbacks).toBeGreaterThan(0);
    // Only the worker that takes over from the lost one downloads.
    expect(lost.fetched.gets).toBeGreaterThan(0);
    expect(lost.onWriter + lost.fallbacks).toBe(lost.resumes);
    for (const x of [off, on, lost]) expect(x.leftFiles).toBe(2);
  });
});

/**
 * The checkpoint lifecycle on a real dev server with tfjs fine-tunes: a selection leaves only
 * its pick's checkpoint (and the manifest naming it), which `mselect export model` turns into a
 * model plain tfjs loads with the selection's test metric; a GPU worker process killed the
 * moment a checkpoint lands (between the save, its heartbeat and the deletion of the epoch
 * before) resumes from a checkpoint that still exists; and `gc` removes exactly what
 * terminated and cancelled selections left, never an open selection's or a kept pick.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { WorkflowFailedError } from '@temporalio/client';
import { applyGc, checkpointArea, collectGc, listArea, manifestKey, runIdOfKey } from '../../activities/checkpoints';
import { exportModel } from '../../cli/export-model';
import { openWorkflows } from '../../cli/gc';
import type { SelectModelResult } from '../../contracts/schemas';
import { loadDataset } from '../../hub/datasets';
import { CheckpointStore } from '../../training/checkpoint-store';
import { selectModel } from '../../workflows';
import { selectionProgressQuery } from '../../workflows/messages';
import { MODELS, TARGET, TF_BACKEND, makeHub, makeRoots, removeDir, workerConfig, workerEnv, type Hub, type Roots } from './helpers/fixtures';
import { activityRuns } from './helpers/history';
import { fineTunesOf } from './helpers/preempt';
import { killAll, startWorkerProcess } from './helpers/processes';
import { seedHistory, selectionOutcome } from './helpers/selection';
import { connectShared, freshQueue, gpu, orchestrator, withWorkers, type Server } from './helpers/server';

process.env.MSELECT_TF_BACKEND = TF_BACKEND;

const EPOCHS = 4;
const SEED = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Server;
let hub: Hub;
const made: string[] = [];
async function roots(): Promise<Roots> {
  const r = await makeRoots(hub);
  made.push(r.dataDir);
  await seedHistory(r.storeDir);
  return r;
}

beforeAll(async () => {
  server = await connectShared();
  hub = await makeHub(1);
});
afterEach(killAll);
afterAll(async () => {
  await killAll();
  await server.close();
  await Promise.all([hub.root, ...made].map(removeDir));
});

const input = (extra: Record<string, unknown> = {}) => ({
  target: TARGET,
  policy: 'successive-halving',
  trainer: 'tfjs',
  budgetEpochs: EPOCHS,
  eta: 2,
  maxParallel: 2,
  seed: SEED,
  heartbeatTimeout: '3s',
  ...extra,
});

/** Every file under the checkpoint folder, relative to it. */
async function files(r: Roots): Promise<string[]> {
  return (await listArea(checkpointArea(r.checkpointDir), '')).map((o) => o.key);
}

async function waitFor(ok: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Accuracy of a model loaded by plain tfjs from model.json + weights.bin on a dataset's test split. */
async function plainTfjsTestAccuracy(dir: string, r: Roots): Promise<number> {
  await tf.setBackend('cpu');
  const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weights = await fs.readFile(path.join(dir, 'weights.bin'));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const test = (await loadDataset(r.datasetsDir, TARGET)).test;
  if (!test) throw new Error('the target has no test split');
  const shape = model.inputs[0]?.shape.slice(1) as number[];
  const predicted = tf.tidy(() => (model.predict(tf.tensor(test.x, [test.n, ...shape])) as tf.Tensor).argMax(-1).dataSync());
  model.dispose();
  let correct = 0;
  for (let i = 0; i < test.n; i++) if (predicted[i] === test.y[i]) correct++;
  return correct / test.n;
}

describe('checkpoint lifecycle', () => {
  it('a selection leaves only its pick, named in the result; export gives a model plain tfjs scores at the reported test metric', async () => {
    const r = await roots();
    const taskQueue = freshQueue('ckpt-pick');
    const cfg = workerConfig(r);
    const workflowId = `pick-${taskQueue}`;
    const result = await withWorkers([await orchestrator(server, taskQueue, cfg), await gpu(server, taskQueue, cfg)], () =>
      server.client.workflow.execute(selectModel, { taskQueue, workflowId, args: [input()] }),
    );
    expect(result.pick).not.toBeNull();
    expect(result.pickCheckpoint).toEqual({
      key: new CheckpointStore(r.checkpointDir).keyFor(`${workflowId}/${result.pick}@${TARGET}`, EPOCHS),
      epoch: EPOCHS,
    });
    expect(await files(r)).toEqual([manifestKey(workflowId), result.pickCheckpoint?.key].sort());

    const out = path.join(r.dataDir, 'export');
    await exportModel(cfg, checkpointArea(r.checkpointDir), workflowId, out);
    const card = JSON.parse(await fs.readFile(path.join(out, 'card.json'), 'utf8')) as { fineTuned: Record<string, unknown> };
    expect(card.fineTuned).toMatchObject({
      sourceModel: result.pick,
      target: TARGET,
      epochs: EPOCHS,
      metric: 'accuracy',
      test: result.pickTest,
      selection: workflowId,
    });
    expect(await plainTfjsTestAccuracy(out, r)).toBeCloseTo(result.pickTest as number, 10);
  });

  it("keepCheckpoints none leaves nothing; all leaves every candidate's last checkpoint only", async () => {
    const r = await roots();
    const taskQueue = freshQueue('ckpt-keep');
    const cfg = workerConfig(r);
    const [none, all] = await withWorkers([await orchestrator(server, taskQueue, cfg), await gpu(server, taskQueue, cfg, undefined, 2)], async () => {
      const a = await server.client.workflow.execute(selectModel, { taskQueue, workflowId: `none-${taskQueue}`, args: [input({ keepCheckpoints: 'none' })] });
      const b = await server.client.workflow.execute(selectModel, { taskQueue, workflowId: `all-${taskQueue}`, args: [input({ keepCheckpoints: 'all' })] });
      return [a, b];
    });
    expect(none.pickCheckpoint).toBeNull();
    const left = await files(r);
    expect(left.filter((k) => k.includes(encodeURIComponent(`none-${taskQueue}`)))).toEqual([]);
    const store = new CheckpointStore(r.checkpointDir);
    const lastOf = (m: string) => store.keyFor(`all-${taskQueue}/${m}@${TARGET}`, all.curves[m]?.length ?? -1);
    expect(left).toEqual([manifestKey(`all-${taskQueue}`), ...MODELS.map(lastOf)].sort());
  });

  it('a worker killed the moment a checkpoint lands resumes from a checkpoint that exists, with the undisturbed outcome and only the pick left', async () => {
    const hit = await roots();
    const calm = await roots();
    const taskQueue = freshQueue('ckpt-kill');
    const env = workerEnv(hit, server);
    const first = await startWorkerProcess({ role: 'gpu', taskQueue, env });
    const workflowId = `kill-${taskQueue}`;
    const result = await withWorkers([await orchestrator(server, taskQueue, workerConfig(hit))], async () => {
      const pending = server.client.workflow.execute(selectModel, { taskQueue, workflowId, args: [input({ maxParallel: 1 })] });
      pending.catch(() => undefined);
      // The pick trains epochs 2..4 in one fine-tune: kill as soon as epoch 3's file exists,
      // i.e. between its save, its heartbeat and the deletion of the epochs before.
      let killedRun: string | undefined;
      await waitFor(async () => {
        killedRun = (await files(hit)).filter((k) => k.endsWith('/epoch-3.ckpt')).map((k) => runIdOfKey(k) as string)[0];
        return killedRun !== undefined;
      }, 'a checkpoint of epoch 3');
      first.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      await startWorkerProcess({ role: 'gpu', taskQueue, env });
      return pending;
    });
    const tunes = fineTunesOf(await activityRuns(server.client.workflow.getHandle(workflowId)), `${workflowId}/${result.pick}@${TARGET}`);
    const resumed = tunes.find((t) => t.attempt > 1);
    expect(resumed?.lastFailure).toMatchObject({ type: 'timeout:HEARTBEAT' });
    expect(resumed?.output.startedFromEpoch).toBeGreaterThanOrEqual(resumed?.input.fromEpoch ?? Infinity);
    expect(result.curves[result.pick ?? '']).toHaveLength(EPOCHS);
    expect(await files(hit)).toEqual([manifestKey(workflowId), result.pickCheckpoint?.key].sort());

    const calmQueue = freshQueue('ckpt-calm');
    const cfg = workerConfig(calm);
    const undisturbed = await withWorkers([await orchestrator(server, calmQueue, cfg), await gpu(server, calmQueue, cfg)], () =>
      server.client.workflow.execute(selectModel, { taskQueue: calmQueue, workflowId: `calm-${calmQueue}`, args: [input({ maxParallel: 1 })] }),
    );
    expect(selectionOutcome(result)).toEqual(selectionOutcome(undisturbed));
  });

  it('gc removes exactly what terminated and cancelled selections left: an open selection and a kept pick stay, and the open one still finishes', async () => {
    const r = await roots();
    const taskQueue = freshQueue('ckpt-gc');
    const cfg = workerConfig(r);
    const area = checkpointArea(r.checkpointDir);
    const runsOf = async (workflowId: string) => (await listArea(area, 'runs/')).map((o) => o.key).filter((k) => runIdOfKey(k)?.startsWith(`${workflowId}/`));
    await withWorkers([await orchestrator(server, taskQueue, cfg), await gpu(server, taskQueue, cfg, undefined, 4)], async () => {
      const kept = await server.client.workflow.execute(selectModel, { taskQueue, workflowId: `kept-${taskQueue}`, args: [input()] });
      const start = async (name: string) => {
        const handle = await server.client.workflow.start(selectModel, { taskQueue, workflowId: `${name}-${taskQueue}`, args: [input()] });
        await waitFor(async () => (await runsOf(handle.workflowId)).length > 0, `a checkpoint of ${name}`);
        return handle;
      };
      const terminated = await start('terminated');
      await terminated.terminate('gc test');
      const cancelled = await start('cancelled');
      await cancelled.cancel();
      await expect(cancelled.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      const open = await start('open');
      const orphans = [...(await runsOf(terminated.workflowId)), ...(await runsOf(cancelled.workflowId))].sort();
      expect(orphans.length).toBeGreaterThan(0);

      const plan = await collectGc(area, () => openWorkflows(server.client), 0);
      // Another test's leftovers may share the dev server, never this folder: the plan is exactly the orphans.
      expect(plan.remove.map((o) => o.key).sort()).toEqual(orphans);
      expect(plan.kept['kept-pick']).toBe(1);
      expect(plan.kept['open-workflow']).toBeGreaterThan(0);
      await applyGc(area, plan);
      expect([...(await runsOf(terminated.workflowId)), ...(await runsOf(cancelled.workflowId))]).toEqual([]);
      expect(await runsOf(`kept-${taskQueue}`)).toEqual([kept.pickCheckpoint?.key]);

      const finished: SelectModelResult = await open.result();
      expect((await open.query(selectionProgressQuery)).phase).toBe('done');
      expect(finished.curves[finished.pick ?? '']).toHaveLength(EPOCHS);
      expect(await runsOf(open.workflowId)).toEqual([finished.pickCheckpoint?.key]);
    });
  });
});

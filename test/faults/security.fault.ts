/**
 * Security: what can be typed in the web UI (workflow input, updates, the workflow id) cannot
 * make a worker run a command or read or write outside its configured roots. Ids are
 * confined by the schemas, the activities check paths again (resolveInside), and the
 * external trainer's command exists only in worker configuration.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGpuActivities, type GpuActivities } from '../../activities';
import { BuildMatrixInputSchema, ScheduleSpecSchema, SelectModelInputSchema } from '../../contracts/schemas';
import type { FineTuneInput, FineTuneOutput } from '../../contracts/schemas/training';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { addCandidatesUpdate, selectionProgressQuery } from '../../workflows/messages';
import { hubRoots, removeHubRoots } from './helpers/bad-runs';
import { BENCHMARK, MODELS, TARGET, TF_BACKEND, workerConfig, type Roots } from './helpers/fixtures';
import { activityRuns, waitUntil } from './helpers/history';
import { connectShared, freshQueue, gpu, orchestrator, withWorkers, type Server } from './helpers/server';
import { gpuDeps } from '../../workers/deps';

process.env.MSELECT_TF_BACKEND = TF_BACKEND;

let server: Server;
let roots: Roots;
/** A folder beside the worker's roots that nothing may touch. */
let outside: string;
beforeAll(async () => {
  server = await connectShared();
  roots = await hubRoots();
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-faults-outside-'));
});
afterAll(async () => {
  await server.close();
  await removeHubRoots();
  await fs.rm(outside, { recursive: true, force: true });
});

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

function fineTuneIn(env: MockActivityEnvironment, acts: GpuActivities, input: FineTuneInput): Promise<FineTuneOutput> {
  return env.run<[FineTuneInput], FineTuneOutput, (i: FineTuneInput) => Promise<FineTuneOutput>>(acts.fineTune, input);
}

describe('workflow input cannot make a worker run a command', () => {
  it('no input schema has a place for a command, and the trainer is one of three names', () => {
    const command = { command: '/bin/sh', args: ['-c', `touch ${path.join(outside, 'pwned')}`] };
    for (const [schema, base] of [
      [SelectModelInputSchema, { target: TARGET }],
      [BuildMatrixInputSchema, {}],
      [ScheduleSpecSchema, {}],
    ] as const) {
      const r = schema.safeParse({ ...base, ...command });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/Unrecognized key\(s\) in object: 'command', 'args'/);
    }
    expect(BuildMatrixInputSchema.safeParse({ trainer: '/bin/sh' }).success).toBe(false);
    expect(BuildMatrixInputSchema.safeParse({ models: ['a;touch pwned'] }).success).toBe(false);
  });

  it('the command trainer runs only where a worker configured it; asking for it elsewhere fails before anything starts', async () => {
    const taskQueue = freshQueue('sec-command');
    const workflowId = `offline-${taskQueue}`;
    const err = await withWorkers([await orchestrator(server, taskQueue, workerConfig(roots)), await gpu(server, taskQueue, workerConfig(roots))], () =>
      server.client.workflow
        .execute(buildPerformanceMatrix, { taskQueue, workflowId, args: [{ models: [MODELS[0]], benchmarks: [BENCHMARK], trainer: 'command' }] })
        .then(
          () => null,
          (e: unknown) => e,
        ),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const runs = await activityRuns(server.client.workflow.getHandle(workflowId));
    expect(runs.map((r) => r.type)).toEqual(['planMatrix']);
    expect(runs[0]?.failure).toMatchObject({
      type: 'InvalidInput',
      nonRetryable: true,
      message: expect.stringContaining('trainer "command" is not configured on this worker'),
    });
  });
});

describe('workflow input cannot reach outside the worker roots', () => {
  it('a fineTune whose ids leave the roots fails validation before any file is opened', async () => {
    const acts = createGpuActivities(await gpuDeps(workerConfig(roots)));
    for (const ids of [
      { modelId: '../../hub-outside', datasetId: BENCHMARK },
      { modelId: MODELS[0], datasetId: '../datasets-outside' },
      { modelId: '/etc', datasetId: BENCHMARK },
    ]) {
      const f = await failureOf(fineTuneIn(new MockActivityEnvironment(), acts, { ...ids, toEpoch: 1 }));
      expect(f).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
      expect(f.message).toMatch(/(modelId|datasetId): must be 1-128 characters/);
    }
  });

  it('a resume checkpoint outside the checkpoint root, from input or from heartbeat details, is refused', async () => {
    const acts = createGpuActivities(await gpuDeps(workerConfig(roots)));
    const planted = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-faults-planted-')), 'planted.ckpt');
    await fs.writeFile(planted, 'not a checkpoint');
    const key = path.relative(roots.checkpointDir, planted);
    const fromInput = await failureOf(
      fineTuneIn(new MockActivityEnvironment(), acts, { modelId: MODELS[0], datasetId: BENCHMARK, fromEpoch: 1, toEpoch: 2, resume: { key, epoch: 1 } }),
    );
    expect(fromInput).toMatchObject({ type: 'PathOutsideRoot', nonRetryable: true, message: expect.stringContaining('resolves outside') });
    const heartbeat = { epoch: 1, checkpoint: { key, epoch: 1 }, curve: [{ epoch: 1, metric: 0.5, seconds: 1 }] };
    const fromHeartbeat = await failureOf(
      fineTuneIn(new MockActivityEnvironment({ heartbeatDetails: heartbeat }), acts, { modelId: MODELS[0], datasetId: BENCHMARK, toEpoch: 2 }),
    );
    expect(fromHeartbeat).toMatchObject({ type: 'PathOutsideRoot', nonRetryable: true });
    await fs.rm(path.dirname(planted), { recursive: true, force: true });
  });

  it('a run id that looks like a path keeps its checkpoints inside the checkpoint root', async () => {
    const acts = createGpuActivities(await gpuDeps(workerConfig(roots)));
    const runId = `../../${path.basename(outside)}/run`;
    const out = await fineTuneIn(new MockActivityEnvironment(), acts, { modelId: MODELS[0], datasetId: BENCHMARK, toEpoch: 1, runId });
    const file = path.resolve(roots.checkpointDir, out.checkpoint?.key ?? '');
    expect(file.startsWith(roots.checkpointDir + path.sep)).toBe(true);
    await expect(fs.stat(file)).resolves.toBeDefined();
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('an addCandidates update with a path is rejected, and a workflow id with a path writes its report inside the report root', async () => {
    const taskQueue = freshQueue('sec-select');
    const workflowId = `../../${path.basename(outside)}/report-${taskQueue}`;
    const real = createGpuActivities(await gpuDeps(workerConfig(roots)));
    const slow: GpuActivities = { ...real, fineTune: async (i) => (await new Promise((r) => setTimeout(r, 1500)), real.fineTune(i)) };
    const input = { target: TARGET, policy: 'successive-halving', trainer: 'tfjs', budgetEpochs: 2 };
    const result = await withWorkers(
      [await orchestrator(server, taskQueue, workerConfig(roots)), await gpu(server, taskQueue, workerConfig(roots), slow, 2)],
      async () => {
        const handle = await server.client.workflow.start(selectModel, { taskQueue, workflowId, args: [input] });
        await waitUntil(
          () => handle.query(selectionProgressQuery),
          (p) => p.phase === 'training',
          'the first round',
        );
        const err = await handle.executeUpdate(addCandidatesUpdate, { args: [{ models: ['../../etc'] }] }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((err as WorkflowUpdateFailedError).cause).toMatchObject({
          type: 'InvalidInput',
          message: expect.stringContaining('must not be an absolute path or contain a "." or ".." segment'),
        });
        return handle.result();
      },
    );
    expect(result.candidates).toEqual([...MODELS]);
    expect(path.dirname(result.reportPath ?? '')).toBe(roots.reportDir);
    await expect(fs.stat(result.reportPath ?? '')).resolves.toBeDefined();
    expect(await fs.readdir(outside)).toEqual([]);
  });
});

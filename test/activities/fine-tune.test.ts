import * as tf from '@tensorflow/tfjs';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTrainingActivities } from '../../activities/fine-tune';
import type { FineTuneHeartbeat, FineTuneInput } from '../../contracts/schemas/training';
import { type Backend, pickBackend } from '../../training/backend';
import { TfjsTrainer } from '../../training/tfjs-trainer';
import type { Trainer, TrainHooks, TrainRequest, TrainResult } from '../../training/trainer';
import { makeTempDirs, removeDirs, type TinyDirs, writeTinyDataset, writeTinyModel } from '../hub/tiny-hub';
import type { WorkerConfig } from '../../workers/config';
import { gpuDeps } from '../../workers/deps';

/** Delegates to a real trainer and records every request it passes on. */
class RecordingTrainer implements Trainer {
  readonly requests: TrainRequest[] = [];
  constructor(
    private readonly inner: Trainer,
    readonly name = inner.name,
  ) {}
  train(request: TrainRequest, hooks?: TrainHooks): Promise<TrainResult> {
    this.requests.push(request);
    return this.inner.train(request, hooks);
  }
}

/** A trainer that reports `epochs` quickly, sleeping `ms` before each, or fails as told. */
class ScriptedTrainer implements Trainer {
  readonly name = 'scripted';
  constructor(
    private readonly ms: number,
    private readonly fail?: Error,
  ) {}
  async train(r: TrainRequest, hooks: TrainHooks = {}): Promise<TrainResult> {
    if (this.fail) throw this.fail;
    const curve = [];
    for (let epoch = r.fromEpoch + 1; epoch <= r.toEpoch; epoch++) {
      await new Promise((resolve) => setTimeout(resolve, this.ms));
      const record = { epoch, metric: epoch / 10, seconds: this.ms / 1000 };
      curve.push(record);
      await hooks.onEpoch?.(record, { key: `k${epoch}`, epoch });
    }
    return { curve, checkpoint: { key: `k${r.toEpoch}`, epoch: r.toEpoch }, test: 0.5, trainer: this.name, backend: 'none' };
  }
}

let dirs: TinyDirs;
let cpu: Backend;
beforeAll(async () => {
  cpu = await pickBackend({ prefer: 'cpu' });
});
beforeEach(async () => {
  dirs = await makeTempDirs();
  await writeTinyModel(dirs.hubDir, 'tiny');
  await writeTinyDataset(dirs.datasetsDir, 'blobs');
});
afterEach(async () => {
  await removeDirs(dirs);
});

const tfjs = (): TfjsTrainer => new TfjsTrainer({ backend: cpu, ...dirs, options: { learningRate: 0.05, batchSize: 8 } });
const input = (over: Partial<FineTuneInput> = {}): FineTuneInput => ({
  modelId: 'tiny',
  datasetId: 'blobs',
  toEpoch: 4,
  seed: 3,
  runId: 'wf/tiny@blobs',
  ...over,
});

function activities(trainer: Trainer | Trainer[], keepAliveMs = 60_000) {
  return createTrainingActivities({ ...dirs, trainers: Array.isArray(trainer) ? trainer : [trainer], backend: async () => cpu, keepAliveMs });
}

/** MockActivityEnvironment.run with the activity's own input and output types. */
function runIn<I, O>(env: MockActivityEnvironment, fn: (input: I) => Promise<O>, arg: I): Promise<O> {
  return env.run<[I], O, (input: I) => Promise<O>>(fn, arg);
}

function recordHeartbeats(env: MockActivityEnvironment): unknown[] {
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  return beats;
}

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('fineTune activity', () => {
  it('heartbeats { epoch, checkpoint, curve } once per epoch and returns a small result', async () => {
    const env = new MockActivityEnvironment();
    const beats = recordHeartbeats(env);
    const out = await runIn(env, activities(tfjs()).fineTune, input());
    expect(beats).toHaveLength(4);
    const last = beats[3] as FineTuneHeartbeat;
    expect(last.epoch).toBe(4);
    expect(last.checkpoint).toEqual({ key: 'runs/wf%2Ftiny%40blobs/epoch-4.ckpt', epoch: 4 });
    expect(last.curve).toEqual(out.curve);
    expect((beats as FineTuneHeartbeat[]).map((b) => b.curve.length)).toEqual([1, 2, 3, 4]);
    expect(out.curve.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(out.checkpoint).toEqual(last.checkpoint);
    expect(out).toMatchObject({ trainer: 'tfjs', backend: 'cpu', startedFromEpoch: 0 });
    // The fine-tune's peak memory: the highest of its epochs' (tf.memory() tensor bytes).
    expect(out.peakMemoryBytes).toBe(Math.max(...out.curve.map((r) => r.peakMemoryBytes ?? 0)));
    expect(out.peakMemoryBytes).toBeGreaterThan(0);
    expect(out.test).toBeGreaterThan(0.5);
    expect(JSON.stringify(out).length).toBeLessThan(1000);
  });

  it('resumes a retry from heartbeatDetails and returns the same curve as an uninterrupted run', async () => {
    const first = new MockActivityEnvironment();
    const beats = recordHeartbeats(first);
    await runIn(first, activities(tfjs()).fineTune, input({ toEpoch: 2 }));
    const recorder = new RecordingTrainer(tfjs());
    const retry = new MockActivityEnvironment({ heartbeatDetails: beats[1], attempt: 2 });
    const retryBeats = recordHeartbeats(retry);
    const resumed = await runIn(retry, activities(recorder).fineTune, input());
    expect(recorder.requests.map((r) => [r.fromEpoch, r.resume?.epoch])).toEqual([[2, 2]]);
    expect(resumed.startedFromEpoch).toBe(2);
    expect((retryBeats as FineTuneHeartbeat[]).map((b) => b.epoch)).toEqual([3, 4]);

    const whole = await runIn(new MockActivityEnvironment(), activities(tfjs()).fineTune, input({ runId: 'uninterrupted' }));
    expect(resumed.curve.map((r) => r.metric)).toEqual(whole.curve.map((r) => r.metric));
    expect(resumed.curve.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(resumed.test).toBe(whole.test);
  });

  it('only re-evaluates when the heartbeat says every epoch is done', async () => {
    const env = new MockActivityEnvironment();
    const beats = recordHeartbeats(env);
    const done = await runIn(env, activities(tfjs()).fineTune, input());
    const recorder = new RecordingTrainer(tfjs());
    const again = await runIn(new MockActivityEnvironment({ heartbeatDetails: beats[3] }), activities(recorder).fineTune, input());
    expect(recorder.requests.map((r) => [r.fromEpoch, r.toEpoch])).toEqual([[4, 4]]);
    expect(again.curve).toEqual(done.curve);
    expect(again.test).toBe(done.test);
  });

  it.each([
    ['malformed details', { epoch: 'two' }],
    ['details of a run past toEpoch', { epoch: 9, checkpoint: { key: 'k', epoch: 9 }, curve: [] }],
    ['a curve that does not continue the input', { epoch: 1, checkpoint: { key: 'k', epoch: 1 }, curve: [{ epoch: 5, metric: 0.1, seconds: 1 }] }],
    ['details without a checkpoint', { epoch: 1, checkpoint: null, curve: [{ epoch: 1, metric: 0.1, seconds: 1 }] }],
  ])('starts from the input for %s', async (_name, details) => {
    const recorder = new RecordingTrainer(new ScriptedTrainer(0));
    const out = await runIn(new MockActivityEnvironment({ heartbeatDetails: details }), activities(recorder).fineTune, input());
    expect(recorder.requests[0]?.fromEpoch).toBe(0);
    expect(out.startedFromEpoch).toBe(0);
  });

  it('stops on cancellation with CancelledFailure and frees its tensors', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'big', {}, [1500, 24, 24]);
    const env = new MockActivityEnvironment();
    const beats = recordHeartbeats(env);
    env.once('heartbeat', () => env.cancel());
    const before = tf.memory().numTensors;
    const err: unknown = await runIn(env, activities(tfjs()).fineTune, input({ datasetId: 'big', toEpoch: 20 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledFailure);
    expect(beats).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps heartbeating the last details while an epoch runs', async () => {
    const env = new MockActivityEnvironment();
    const beats = recordHeartbeats(env);
    await runIn(env, activities(new ScriptedTrainer(120), 25).fineTune, input({ toEpoch: 2 }));
    expect(beats.length).toBeGreaterThan(3);
    const epochs = beats.map((b) => (b as FineTuneHeartbeat | undefined)?.epoch ?? 0);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    expect(epochs[epochs.length - 1]).toBe(2);
  });

  it('runs the trainer the input names', async () => {
    const out = await runIn(new MockActivityEnvironment(), activities([tfjs(), new ScriptedTrainer(0)]).fineTune, input({ trainer: 'scripted' }));
    expect(out.trainer).toBe('scripted');
    const f = await failure(runIn(new MockActivityEnvironment(), activities([tfjs()]).fineTune, input({ trainer: 'command' })));
    expect(f.type).toBe('InvalidInput');
    expect(f.message).toMatch(/Trainer "command" is not configured on this worker \(it has tfjs\)/);
  });

  it('the worker offers a tfjs trainer on its backend first when nothing else is configured', async () => {
    const cfg: WorkerConfig = { ...dirs, storeDir: `${dirs.root}/store`, reportDir: `${dirs.root}/reports`, replayDir: null, commandTrainer: null };
    const acts = createTrainingActivities((await gpuDeps(cfg, { backend: cpu })).training);
    const out = await runIn(new MockActivityEnvironment(), acts.fineTune, input({ toEpoch: 1 }));
    expect(out).toMatchObject({ trainer: 'tfjs', backend: 'cpu' });
  });

  it.each([
    ['bad input', input({ toEpoch: 0 }), 'InvalidInput', /Invalid fineTune input: toEpoch/],
    ['resume without checkpoint', input({ fromEpoch: 2 }), 'InvalidInput', /fromEpoch > 0 needs a resume checkpoint/],
    ['unknown model', input({ modelId: 'nope' }), 'ModelNotFound', /Model nope not found/],
  ])('fails without retries for %s', async (_name, bad, type, message) => {
    const f = await failure(runIn(new MockActivityEnvironment(), activities(tfjs()).fineTune, bad));
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(message);
  });

  it('turns an unexpected trainer error into a retryable TrainerFailed', async () => {
    const f = await failure(runIn(new MockActivityEnvironment(), activities(new ScriptedTrainer(0, new Error('GPU fell off the bus'))).fineTune, input()));
    expect(f.type).toBe('TrainerFailed');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toBe('fineTune tiny on blobs failed: GPU fell off the bus');
  });
});

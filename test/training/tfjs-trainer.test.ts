import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ApplicationFailure } from '@temporalio/common';
import { resolveInside } from '../../hub/files';
import { type Backend, pickBackend } from '../../training/backend';
import { CheckpointStore } from '../../training/checkpoint-store';
import { TfjsTrainer } from '../../training/tfjs-trainer';
import type { CheckpointRef, TrainRequest } from '../../training/trainer';
import { makeTempDirs, removeDirs, type TinyDirs, writeTinyDataset, writeTinyModel } from '../hub/tiny-hub';

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

const trainer = (backend = cpu): TfjsTrainer => new TfjsTrainer({ backend, ...dirs, options: { learningRate: 0.05, batchSize: 8 } });
const request = (over: Partial<TrainRequest> = {}): TrainRequest => ({
  modelId: 'tiny',
  datasetId: 'blobs',
  fromEpoch: 0,
  toEpoch: 3,
  resume: null,
  seed: 7,
  runId: 'run-a',
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('TfjsTrainer', () => {
  it.each(['cpu', 'wasm'])('resuming 1→3 from a 0→1 checkpoint reproduces the 0→3 run exactly (%s)', async (name) => {
    const backend = await pickBackend({ prefer: name });
    const full = await trainer(backend).train(request({ runId: 'full' }));
    const first = await trainer(backend).train(request({ toEpoch: 1, runId: 'split' }));
    const rest = await trainer(backend).train(request({ fromEpoch: 1, resume: first.checkpoint, runId: 'split' }));
    expect(rest.curve.map((r) => r.epoch)).toEqual([2, 3]);
    expect([...first.curve, ...rest.curve].map((r) => r.metric)).toEqual(full.curve.map((r) => r.metric));
    expect(rest.test).toBe(full.test);
    const bytes = async (ref: CheckpointRef | null) => fs.readFile(resolveInside(dirs.checkpointDir, ref?.key ?? 'missing'));
    expect(Buffer.compare(await bytes(rest.checkpoint), await bytes(full.checkpoint))).toBe(0);
    expect(full.backend).toBe(name);
    expect(full.trainer).toBe('tfjs');
  });

  it('learns: validation and test accuracy well above chance', async () => {
    const r = await trainer().train(request({ toEpoch: 6 }));
    expect(r.curve[5]?.metric).toBeGreaterThan(0.8);
    expect(r.test).toBeGreaterThan(0.8);
    expect(r.curve.every((e) => e.seconds > 0)).toBe(true);
    // Peak tensor bytes of each epoch: at least the model's weights (and the batch), as tf.memory() counts them.
    expect(r.curve.every((e) => (e.peakMemoryBytes ?? 0) > 1000)).toBe(true);
  });

  it('calls onEpoch once per epoch, after the checkpoint is on disk', async () => {
    const seen: number[] = [];
    await trainer().train(request(), {
      onEpoch: async (record, checkpoint) => {
        seen.push(record.epoch);
        expect(checkpoint).toEqual({ key: `runs/run-a/epoch-${record.epoch}.ckpt`, epoch: record.epoch });
        await expect(fs.stat(resolveInside(dirs.checkpointDir, checkpoint?.key ?? ''))).resolves.toBeDefined();
      },
    });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('releases every tensor it creates', async () => {
    const before = tf.memory().numTensors;
    await trainer().train(request());
    await failure(trainer().train(request({ datasetId: 'missing' })));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps frozen layers fixed and trains the rest', async () => {
    await writeTinyModel(dirs.hubDir, 'frozen', 6, 1, { frozenLayers: ['hidden'] });
    const store = new CheckpointStore(dirs.checkpointDir);
    const trained = await store.load((await trainer().train(request({ modelId: 'frozen', toEpoch: 2 }))).checkpoint as CheckpointRef);
    const still = new TfjsTrainer({ backend: cpu, ...dirs, options: { learningRate: 0 } });
    const initial = await store.load((await still.train(request({ modelId: 'frozen', toEpoch: 1, runId: 'lr0' }))).checkpoint as CheckpointRef);
    // Weights by size: hidden kernel 4×6 = 24 and bias 6 (frozen); head kernel 6×3 = 18 and bias 3.
    const bySize = (w: Float32Array[], n: number): number[] => Array.from(w.find((a) => a.length === n) ?? []);
    expect(bySize(trained.weights, 24)).toEqual(bySize(initial.weights, 24));
    expect(bySize(trained.weights, 6)).toEqual(bySize(initial.weights, 6));
    expect(bySize(trained.weights, 18)).not.toEqual(bySize(initial.weights, 18));
    expect(trained.optimizer.m).toHaveLength(2);
  });

  it('stops between batches when the signal aborts, with the abort reason', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'big', {}, [2000, 24, 24]);
    const controller = new AbortController();
    const reason = new Error('cancelled by test');
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const p = trainer().train(request({ datasetId: 'big', toEpoch: 5 }), { signal: controller.signal, onEpoch: (r) => void epochs.push(r.epoch) });
    setImmediate(() => controller.abort(reason));
    await expect(p).rejects.toBe(reason);
    expect(epochs).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports no test metric when the dataset has no test split', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'notest', { splits: { train: 'train.arrow', val: 'val.arrow' } });
    expect((await trainer().train(request({ datasetId: 'notest', toEpoch: 1 }))).test).toBeNull();
  });

  it('re-evaluates a finished run when fromEpoch equals toEpoch', async () => {
    const done = await trainer().train(request());
    const again = await trainer().train(request({ fromEpoch: 3, toEpoch: 3, resume: done.checkpoint }));
    expect(again.curve).toEqual([]);
    expect(again.test).toBe(done.test);
    expect(again.checkpoint).toEqual(done.checkpoint);
  });

  it('fails with TrainingDiverged when the loss stops being finite', async () => {
    const wild = new TfjsTrainer({ backend: cpu, ...dirs, options: { learningRate: 1e30 } });
    expect((await failure(wild.train(request()))).type).toBe('TrainingDiverged');
  });

  it.each([
    ['unknown model', { modelId: 'nope' }, 'ModelNotFound', /Model nope not found/],
    ['unknown dataset', { datasetId: 'nope' }, 'DatasetNotFound', /Dataset nope not found/],
    ['model id escaping the hub', { modelId: '../../etc' }, 'PathOutsideRoot', /outside/],
    ['fromEpoch without resume', { fromEpoch: 2 }, 'InvalidInput', /fromEpoch is 2, but no resume checkpoint/],
    ['resume epoch mismatch', { fromEpoch: 1, resume: { key: 'runs/run-a/epoch-2.ckpt', epoch: 2 } }, 'InvalidInput', /holds epoch 2, but fromEpoch is 1/],
    ['empty range', { fromEpoch: 0, toEpoch: 0 }, 'InvalidInput', /toEpoch is 0, but must be an integer >= 1/],
    ['missing checkpoint', { fromEpoch: 1, resume: { key: 'runs/x/epoch-1.ckpt', epoch: 1 } }, 'InvalidInput', /not found/],
    ['checkpoint outside the root', { fromEpoch: 1, resume: { key: '../../x.ckpt', epoch: 1 } }, 'PathOutsideRoot', /outside/],
  ])('fails for %s', async (_name, over, type, message) => {
    const f = await failure(trainer().train(request(over)));
    expect(f.type).toBe(type);
    expect(f.message).toMatch(message);
  });

  it('refuses a checkpoint of another run', async () => {
    const other = await trainer().train(request({ toEpoch: 1, seed: 8, runId: 'other' }));
    const f = await failure(trainer().train(request({ fromEpoch: 1, resume: other.checkpoint })));
    expect(f.type).toBe('InvalidInput');
    expect(f.message).toMatch(/belongs to another run: seed 8 \(request: 7\)/);
  });

  it('refuses a model whose input shape does not match the dataset', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'wide', { featureShape: [2, 2] });
    const f = await failure(trainer().train(request({ datasetId: 'wide' })));
    expect(f.type).toBe('InvalidModel');
    expect(f.message).toMatch(/Input shape mismatch: model tiny expects \[4\], dataset wide has \[2,2\]/);
  });
});

describe('TfjsTrainer options', () => {
  it.each([
    [{ batchSize: 0 }, /`batchSize` is 0, but must be an integer >= 1/],
    [{ evalBatchSize: 2.5 }, /`evalBatchSize` is 2.5, but must be an integer >= 1/],
    [{ learningRate: -1 }, /`learningRate` is -1, but must be a finite number >= 0/],
    [{ beta1: 1 }, /`beta1` is 1, but must be in \[0, 1\)/],
    [{ epsilon: 0 }, /`epsilon` is 0, but must be > 0/],
  ])('rejects bad options at construction %#', (options, message) => {
    expect(() => new TfjsTrainer({ backend: cpu, hubDir: 'h', datasetsDir: 'd', checkpointDir: 'c', options })).toThrow(message);
  });
});

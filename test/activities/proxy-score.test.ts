import * as tf from '@tensorflow/tfjs';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTrainingActivities } from '../../activities/fine-tune';
import { leep } from '../../algorithms/leep';
import { logme } from '../../algorithms/logme';
import type { ProxyScoreActivityInput, ProxyScoreOutput } from '../../contracts/schemas/training';
import { loadDataset } from '../../hub/datasets';
import { fileSystemIO } from '../../hub/model-io';
import { type Backend, pickBackend } from '../../training/backend';
import { balancedProbe } from '../../training/probe';
import { makeTempDirs, removeDirs, type TinyDirs, writeTinyDataset, writeTinyModel, writeTinyRegression } from '../hub/tiny-hub';

let dirs: TinyDirs;
let cpu: Backend;
beforeAll(async () => {
  cpu = await pickBackend({ prefer: 'cpu' });
});
beforeEach(async () => {
  dirs = await makeTempDirs();
  await writeTinyModel(dirs.hubDir, 'tiny');
  await writeTinyDataset(dirs.datasetsDir, 'blobs', {}, [60, 24, 24]);
});
afterEach(async () => {
  await removeDirs(dirs);
});

function score(input: ProxyScoreActivityInput): Promise<ProxyScoreOutput> {
  const acts = createTrainingActivities({ ...dirs, trainers: [], backend: async () => cpu });
  return new MockActivityEnvironment().run<[ProxyScoreActivityInput], ProxyScoreOutput, typeof acts.proxyScore>(acts.proxyScore, input);
}

/** The model's softmax output and hidden-layer activations on the probe rows, computed directly. */
async function reference(rows: number[]): Promise<{ probs: number[][]; features: number[][]; labels: number[] }> {
  const data = await loadDataset(dirs.datasetsDir, 'blobs');
  const model = await tf.loadLayersModel(fileSystemIO(`${dirs.hubDir}/tiny`));
  const x = tf.tensor2d(rows.map((r) => Array.from(data.train.x.subarray(r * 4, r * 4 + 4))));
  const [kernel, bias] = model.getWeights() as [tf.Tensor, tf.Tensor];
  const features = tf.relu(tf.matMul(x, kernel).add(bias)).arraySync() as number[][];
  const probs = (model.predict(x) as tf.Tensor).arraySync() as number[][];
  x.dispose();
  model.dispose();
  return { probs, features, labels: rows.map((r) => data.train.y[r] as number) };
}

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('proxyScore activity', () => {
  it('computes LEEP and LogME on a class-balanced probe', async () => {
    const data = await loadDataset(dirs.datasetsDir, 'blobs');
    const rows = balancedProbe(data.train.y, 30, 5);
    const ref = await reference(rows);
    const l = await score({ model: 'tiny', target: 'blobs', proxy: 'leep', probeSize: 30, seed: 5 });
    expect(l).toEqual({ model: 'tiny', target: 'blobs', proxy: 'leep', value: expect.closeTo(leep(ref.probs, ref.labels), 5), probeSize: 30, backend: 'cpu' });
    const m = await score({ model: 'tiny', target: 'blobs', proxy: 'logme', probeSize: 30, seed: 5 });
    expect(m.value).toBeCloseTo(logme(ref.features, ref.labels), 5);
  });

  it('heartbeats so a short heartbeat timeout does not kill a long forward pass', async () => {
    const acts = createTrainingActivities({ ...dirs, trainers: [], backend: async () => cpu, keepAliveMs: 1 });
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => (beats += 1));
    await env.run<[ProxyScoreActivityInput], ProxyScoreOutput, typeof acts.proxyScore>(acts.proxyScore, {
      model: 'tiny',
      target: 'blobs',
      proxy: 'leep',
      probeSize: 60,
    });
    expect(beats).toBeGreaterThanOrEqual(1);
  });

  it('refuses a regression target at once (non-retryable InvalidInput): its proxies score class labels', async () => {
    await writeTinyRegression(dirs.datasetsDir, 'linear');
    const f = await failure(score({ model: 'tiny', target: 'linear', proxy: 'leep' }));
    expect([f.type, f.nonRetryable]).toEqual(['InvalidInput', true]);
    expect(f.message).toMatch(/target linear is a regression dataset \(rmse\)/);
  });

  it('uses the default probe size, capped by the split', async () => {
    expect((await score({ model: 'tiny', target: 'blobs', proxy: 'leep' })).probeSize).toBe(60);
  });

  it.each(['nce', 'parc', 'hscore', 'hscore-shrinkage'] as const)('computes %s', async (proxy) => {
    const out = await score({ model: 'tiny', target: 'blobs', proxy, probeSize: 45 });
    expect(Number.isFinite(out.value)).toBe(true);
    expect(out.proxy).toBe(proxy);
  });

  it('is deterministic and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const a = await score({ model: 'tiny', target: 'blobs', proxy: 'logme', probeSize: 20, seed: 1 });
    const b = await score({ model: 'tiny', target: 'blobs', proxy: 'logme', probeSize: 20, seed: 1 });
    expect(a).toEqual(b);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['the history prior (not a forward-pass proxy)', { proxy: 'history-prior' }, 'InvalidInput', /proxy: Invalid enum value/],
    ['a tiny probe', { probeSize: 1 }, 'InvalidInput', /probeSize: Number must be greater than or equal to 2/],
    ['an unknown target', { target: 'nope' }, 'DatasetNotFound', /Dataset nope not found/],
    ['an unknown model', { model: 'nope' }, 'ModelNotFound', /Model nope not found/],
  ])('fails for %s', async (_name, over, type, message) => {
    const f = await failure(score({ model: 'tiny', target: 'blobs', proxy: 'leep', ...over } as ProxyScoreActivityInput));
    expect(f.type).toBe(type);
    expect(f.message).toMatch(message);
  });

  it('fails with InvalidModel when the model input does not fit the dataset', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'wide', { featureShape: [2, 2] });
    const before = tf.memory().numTensors;
    const f = await failure(score({ model: 'tiny', target: 'wide', proxy: 'leep' }));
    expect(f.type).toBe('InvalidModel');
    expect(f.message).toMatch(/Input shape mismatch/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

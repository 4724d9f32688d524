/**
 * Tiny models and datasets for fast tests: 4 input features, Gaussian blobs per class,
 * models of a few dozen weights. Everything is seeded, so tests are deterministic.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DatasetManifest, ModelCard } from '../../contracts/schemas/training';
import { type DatasetSplit, writeDataset } from '../../hub/datasets';
import { saveHubModel } from '../../hub/models';
import { gaussian, mulberry32 } from '../../hub/rng';
import { tempDir } from '../helpers/temp';

export interface TinyDirs {
  readonly root: string;
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly checkpointDir: string;
}

/** Hub, datasets and checkpoint folders under `<tmp>/mselect-<what>-*`, removed after the test file (or earlier with `removeDirs`). */
export async function makeTempDirs(what = 'test'): Promise<TinyDirs> {
  const root = tempDir(what);
  return { root, hubDir: path.join(root, 'hub'), datasetsDir: path.join(root, 'datasets'), checkpointDir: path.join(root, 'checkpoints') };
}

export async function removeDirs(dirs: TinyDirs): Promise<void> {
  await fs.rm(dirs.root, { recursive: true, force: true });
}

/** `n` samples of `classes` Gaussian blobs in `d` dimensions (centre k sits at k on axis k mod d). */
export function blobs(n: number, classes: number, d: number, seed: number): DatasetSplit {
  const random = mulberry32(seed);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    y[i] = k;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === k % d ? 1.5 : 0) + 0.5 * gaussian(random);
  }
  return { x, y, n, d };
}

export function tinyCard(id: string, overrides: Partial<ModelCard> = {}): ModelCard {
  return {
    id,
    family: 'mlp',
    description: 'tiny test model',
    input: { shape: [4], dtype: 'float32' },
    sourceTask: { name: 'blobs', description: '' },
    labels: ['a', 'b', 'c'],
    output: 'softmax',
    frozenLayers: [],
    ...overrides,
  };
}

/** A 4 → hidden → 3 softmax MLP with seeded weights, saved into the hub. */
export async function writeTinyModel(hubDir: string, id: string, hidden = 6, seed = 1, card: Partial<ModelCard> = {}): Promise<string> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: hidden, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  try {
    return await saveHubModel(hubDir, model, tinyCard(id, card));
  } finally {
    model.dispose();
  }
}

export function tinyManifest(id: string, overrides: Partial<DatasetManifest> = {}): DatasetManifest {
  return {
    id,
    task: 'classification',
    description: 'tiny blobs',
    role: 'other',
    classes: ['a', 'b', 'c'],
    featureShape: [4],
    format: 'arrow',
    splits: { train: 'train.arrow', val: 'val.arrow', test: 'test.arrow' },
    metric: 'accuracy',
    direction: 'maximize',
    ...overrides,
  };
}

/** A 3-class blob dataset with train/val/test splits (sizes 48/24/24 unless given). */
export async function writeTinyDataset(datasetsDir: string, id: string, overrides: Partial<DatasetManifest> = {}, sizes = [48, 24, 24]): Promise<void> {
  const m = tinyManifest(id, overrides);
  const [tr = 48, va = 24, te = 24] = sizes;
  await writeDataset(datasetsDir, m, {
    train: blobs(tr, m.classes.length, 4, 11),
    val: blobs(va, m.classes.length, 4, 12),
    test: blobs(te, m.classes.length, 4, 13),
  });
}

/** `n` rows of 4 features with target 2·x0 − x1 + 0.5 plus a little noise (a regression split). */
export function regressionRows(n: number, seed: number): DatasetSplit {
  const random = mulberry32(seed);
  const x = new Float32Array(n * 4);
  const target = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = gaussian(random);
    target[i] = 2 * (x[i * 4] ?? 0) - (x[i * 4 + 1] ?? 0) + 0.5 + 0.05 * gaussian(random);
  }
  return { x, y: new Int32Array(n), target, n, d: 4 };
}

/** A regression dataset (RMSE, minimized) with train/val/test splits of regressionRows. */
export async function writeTinyRegression(datasetsDir: string, id: string, format: 'arrow' | 'csv' = 'arrow', sizes = [64, 32, 32]): Promise<void> {
  const ext = format === 'arrow' ? 'arrow' : 'csv';
  const m = tinyManifest(id, {
    task: 'regression',
    classes: [],
    format,
    metric: 'rmse',
    direction: 'minimize',
    splits: { train: `train.${ext}`, val: `val.${ext}`, test: `test.${ext}` },
  });
  const [tr = 64, va = 32, te = 32] = sizes;
  await writeDataset(datasetsDir, m, { train: regressionRows(tr, 21), val: regressionRows(va, 22), test: regressionRows(te, 23) });
}

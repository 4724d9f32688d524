/**
 * Broken hub entries and store files for the bad-input catalogue, each made with the hub's
 * own writers and then damaged the way real files get damaged: by a writer with a bug, a
 * truncated copy, a flipped byte, a manifest from another version.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type DatasetSplit, writeDataset } from '../../../hub/datasets';
import { saveHubModel } from '../../../hub/models';
import { blobs, tinyCard, tinyManifest, writeTinyDataset, writeTinyModel } from '../../hub/tiny-hub';

type Splits = { train: DatasetSplit; val: DatasetSplit; test: DatasetSplit };

/** A benchmark dataset `id` whose train split `damage` changes before it is written. */
async function datasetWith(datasetsDir: string, id: string, damage: (train: DatasetSplit) => DatasetSplit): Promise<void> {
  const splits: Splits = { train: damage(blobs(48, 3, 4, 11)), val: blobs(24, 3, 4, 12), test: blobs(24, 3, 4, 13) };
  await writeDataset(datasetsDir, tinyManifest(id, { role: 'benchmark' }), splits);
}

const withX = (s: DatasetSplit, at: number, value: number): DatasetSplit => {
  const x = Float32Array.from(s.x);
  x[at] = value;
  return { ...s, x };
};
const withY = (s: DatasetSplit, y: (i: number) => number): DatasetSplit => ({ ...s, y: Int32Array.from({ length: s.n }, (_, i) => y(i)) });

/** Dataset fixtures by case id; each writes dataset `id` into `datasetsDir`. */
export const BAD_DATASETS: Readonly<Record<string, (datasetsDir: string, id: string) => Promise<void>>> = {
  'ds-wrong-shape': (dir, id) => datasetWith(dir, id, () => blobs(48, 3, 5, 11)),
  'ds-nan-feature': (dir, id) => datasetWith(dir, id, (s) => withX(s, 2 * s.d + 1, Number.NaN)),
  'ds-empty': (dir, id) => datasetWith(dir, id, () => ({ x: new Float32Array(0), y: new Int32Array(0), n: 0, d: 4 })),
  'ds-one-class': (dir, id) => datasetWith(dir, id, (s) => withY(s, () => 0)),
  'ds-label-out-of-range': (dir, id) => datasetWith(dir, id, (s) => withY(s, (i) => (i === 4 ? 7 : (s.y[i] ?? 0)))),
  'ds-very-large': async (dir, id) => {
    await writeTinyDataset(dir, id, { role: 'benchmark' });
    // A sparse 3 GiB training split: takes no disk space, but is larger than a Node buffer can hold.
    await fs.truncate(path.join(dir, id, 'train.arrow'), 3 * 2 ** 30);
  },
  'ds-manifest-broken': async (dir, id) => {
    await writeTinyDataset(dir, id, { role: 'benchmark' });
    await fs.writeFile(path.join(dir, id, 'dataset.json'), '{"id": "ds-manifest-broken", "task": "classification",');
  },
};

/** A 5-feature model: valid on its own, but not for the 4-feature benchmark. */
async function fiveFeatureModel(hubDir: string, id: string): Promise<void> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 6, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  try {
    await saveHubModel(hubDir, model, tinyCard(id, { input: { shape: [5], dtype: 'float32' } }));
  } finally {
    model.dispose();
  }
}

async function editJson(file: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  await fs.writeFile(file, JSON.stringify(json));
}

/** Model fixtures by case id; each writes model `id` into `hubDir`. */
export const BAD_MODELS: Readonly<Record<string, (hubDir: string, id: string) => Promise<void>>> = {
  'model-missing-model-json': async (hub, id) => {
    await writeTinyModel(hub, id);
    await fs.rm(path.join(hub, id, 'model.json'));
  },
  'model-truncated-weights': async (hub, id) => {
    await writeTinyModel(hub, id);
    const file = path.join(hub, id, 'weights.bin');
    await fs.truncate(file, Math.floor((await fs.stat(file)).size / 2));
  },
  'model-input-shape-mismatch': fiveFeatureModel,
  'model-weights-outside': async (hub, id) => {
    await writeTinyModel(hub, id);
    await editJson(path.join(hub, id, 'model.json'), (j) => {
      const [group] = j.weightsManifest as { paths: string[] }[];
      if (group) group.paths = ['../../datasets/bench/train.arrow'];
    });
  },
  'model-card-broken': async (hub, id) => {
    await writeTinyModel(hub, id);
    await editJson(path.join(hub, id, 'card.json'), (j) => {
      j.labels = ['only-one'];
    });
  },
};

/** Store damage by case id, applied to a store that holds committed versions. */
export const BAD_STORES: Readonly<Record<string, (storeDir: string) => Promise<string>>> = {
  'store-truncated-fragment': async (dir) => {
    const file = await firstFragment(dir, 'cells');
    await fs.truncate(file, Math.floor((await fs.stat(file)).size / 2));
    return file;
  },
  'store-flipped-byte': async (dir) => {
    const file = await firstFragment(dir, 'cells');
    const bytes = await fs.readFile(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    await fs.writeFile(file, bytes);
    return file;
  },
  'store-wrong-schema': async (dir) => {
    const file = path.join(dir, 'mselect-store.json');
    await editJson(file, (j) => {
      j.schemaVersion = 99;
    });
    return file;
  },
};

async function firstFragment(storeDir: string, table: string): Promise<string> {
  const dir = path.join(storeDir, 'fragments', table);
  const [name] = (await fs.readdir(dir)).sort();
  if (!name) throw new Error(`no ${table} fragment in ${storeDir}`);
  return path.join(dir, name);
}

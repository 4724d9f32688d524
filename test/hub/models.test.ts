import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ApplicationFailure } from '@temporalio/common';
import { fileSystemIO } from '../../hub/model-io';
import { listModelIds, loadHubModel, readCard } from '../../hub/models';
import { disposeModels } from '../../training/dispose';
import { makeTempDirs, removeDirs, type TinyDirs, tinyCard, writeTinyModel } from './tiny-hub';

let dirs: TinyDirs;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  dirs = await makeTempDirs();
  await writeTinyModel(dirs.hubDir, 'tiny');
});
afterEach(async () => {
  await removeDirs(dirs);
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const file = (...parts: string[]): string => path.join(dirs.hubDir, 'tiny', ...parts);

async function editJson(target: string, edit: (json: Record<string, unknown>) => unknown): Promise<void> {
  await fs.writeFile(target, JSON.stringify(edit(JSON.parse(await fs.readFile(target, 'utf8')) as Record<string, unknown>)));
}

describe('hub models', () => {
  it('saves and loads a Layers model with identical weights and predictions', async () => {
    const hub = await loadHubModel(tf, dirs.hubDir, 'tiny');
    const again = await tf.loadLayersModel(fileSystemIO(path.join(dirs.hubDir, 'tiny')));
    const x = tf.tensor2d([[0.1, -0.2, 0.3, 0.4]]);
    expect(Array.from((hub.model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((again.predict(x) as tf.Tensor).dataSync()));
    expect(hub.card).toEqual(tinyCard('tiny'));
    expect(hub.featureSize).toBe(6);
    expect(hub.features.sourceLayer.name).toBe('hidden');
    x.dispose();
    disposeModels(hub.model, again);
  });

  it('writes the standard model.json layout', async () => {
    const json = JSON.parse(await fs.readFile(file('model.json'), 'utf8')) as {
      format: string;
      weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
    };
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]?.paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0]?.weights.map((w) => w.shape)).toEqual([[4, 6], [6], [6, 3], [3]]);
    expect((await fs.stat(file('weights.bin'))).size).toBe((24 + 6 + 18 + 3) * 4);
  });

  it('lists model directories that hold a card, sorted', async () => {
    await writeTinyModel(dirs.hubDir, 'another');
    await fs.mkdir(path.join(dirs.hubDir, 'not-a-model'));
    expect(await listModelIds(dirs.hubDir)).toEqual(['another', 'tiny']);
    expect(await listModelIds(path.join(dirs.root, 'nowhere'))).toEqual([]);
  });

  it('honours card.featureLayer', async () => {
    await writeTinyModel(dirs.hubDir, 'named', 6, 1, { featureLayer: 'hidden' });
    const hub = await loadHubModel(tf, dirs.hubDir, 'named');
    expect(hub.features.sourceLayer.name).toBe('hidden');
    disposeModels(hub.model);
  });

  it.each([
    ['unknown model', async () => undefined, 'nope', 'ModelNotFound', /Model nope not found/],
    ['missing model.json', async () => fs.rm(file('model.json')), 'tiny', 'InvalidModel', /model\.json is missing/],
    ['missing weights', async () => fs.rm(file('weights.bin')), 'tiny', 'InvalidModel', /weight file .*weights\.bin is missing/],
    [
      'truncated weights',
      async () => fs.writeFile(file('weights.bin'), (await fs.readFile(file('weights.bin'))).subarray(0, 100)),
      'tiny',
      'InvalidModel',
      /hold 100 bytes but the manifest needs 204 \(truncated or mismatched\)/,
    ],
    [
      'a weight path escaping the model',
      async () => editJson(file('model.json'), (j) => ({ ...j, weightsManifest: [{ paths: ['../../x.bin'], weights: [] }] })),
      'tiny',
      'PathOutsideRoot',
      /outside/,
    ],
    ['corrupt model.json', async () => fs.writeFile(file('model.json'), '{'), 'tiny', 'InvalidModel', /is not a tfjs Layers model\.json/],
    ['missing card', async () => fs.rm(file('card.json')), 'tiny', 'InvalidModel', /card\.json is missing/],
    [
      'card with too few labels',
      async () => editJson(file('card.json'), (c) => ({ ...c, labels: ['x'] })),
      'tiny',
      'InvalidModel',
      /labels: Array must contain at least 2/,
    ],
    [
      'card naming another id',
      async () => editJson(file('card.json'), (c) => ({ ...c, id: 'other' })),
      'tiny',
      'InvalidModel',
      /names model other, expected tiny/,
    ],
    [
      'input shape unlike the card',
      async () => editJson(file('card.json'), (c) => ({ ...c, input: { shape: [5] } })),
      'tiny',
      'InvalidModel',
      /input shape \[4\] vs card \[5\]/,
    ],
    [
      'output width unlike the labels',
      async () => editJson(file('card.json'), (c) => ({ ...c, labels: ['a', 'b'] })),
      'tiny',
      'InvalidModel',
      /output width 3 vs 2 labels/,
    ],
    [
      'an unknown frozen layer',
      async () => editJson(file('card.json'), (c) => ({ ...c, frozenLayers: ['conv9'] })),
      'tiny',
      'InvalidModel',
      /frozen layer conv9 does not exist/,
    ],
    [
      'an unknown feature layer',
      async () => editJson(file('card.json'), (c) => ({ ...c, featureLayer: 'nope' })),
      'tiny',
      'InvalidModel',
      /feature layer nope does not exist/,
    ],
    ['an id escaping the hub', async () => undefined, '../datasets', 'PathOutsideRoot', /outside/],
  ])('fails for %s', async (_name, setup, id, type, message) => {
    await setup();
    const before = tf.memory().numTensors;
    const f = await failure(loadHubModel(tf, dirs.hubDir, id));
    expect(f.type).toBe(type);
    expect(f.message).toMatch(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a feature layer that is not [batch, width]', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [4], targetShape: [2, 2], name: 'square' }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 3, name: 'out' }),
      ],
    });
    await model.save(fileSystemIO(path.join(dirs.hubDir, 'square')));
    model.dispose();
    await fs.writeFile(path.join(dirs.hubDir, 'square', 'card.json'), JSON.stringify(tinyCard('square', { featureLayer: 'square' })));
    const f = await failure(loadHubModel(tf, dirs.hubDir, 'square'));
    expect(f.message).toMatch(/feature layer output must be \[batch, width\], got \[,2,2\]/);
  });

  it('reads a card on its own', async () => {
    expect((await readCard(dirs.hubDir, 'tiny')).labels).toEqual(['a', 'b', 'c']);
  });
});

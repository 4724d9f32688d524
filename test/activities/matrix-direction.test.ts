/**
 * The offline phase records each dataset's metric and direction: recordCells registers a
 * regression dataset as `rmse` / `minimize` and writes its cells and curves under `rmse`,
 * while a classification dataset stays `accuracy` / `maximize`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { hubCatalog } from '../../activities/catalog';
import { createMatrixActivities } from '../../activities/matrix';
import type { CellResult } from '../../contracts/schemas';
import { openStore } from '../../matrix-store';
import { makeTempDirs, removeDirs, type TinyDirs, writeTinyDataset, writeTinyModel, writeTinyRegression } from '../hub/tiny-hub';

let dirs: TinyDirs;
beforeEach(async () => {
  dirs = await makeTempDirs();
  await writeTinyModel(dirs.hubDir, 'tiny');
  await writeTinyDataset(dirs.datasetsDir, 'blobs', { role: 'benchmark' });
  await writeTinyRegression(dirs.datasetsDir, 'linear');
});
afterEach(async () => {
  await removeDirs(dirs);
});

const result = (dataset: string, values: number[]): CellResult => ({
  model: 'tiny',
  dataset,
  epochs: values.length,
  seed: 0,
  runId: `run/${dataset}`,
  trainer: 'tfjs',
  backend: 'cpu',
  test: values.at(-1) ?? null,
  curve: values.map((metric, i) => ({ epoch: i + 1, metric, seconds: 0.1 })),
});

describe('recordCells', () => {
  it('stores the catalog metric and direction of each dataset with its cells and curves', async () => {
    const storeDir = path.join(dirs.root, 'store');
    await fs.mkdir(storeDir);
    const store = openStore({ dir: storeDir });
    const acts = createMatrixActivities({ store, catalogs: { tfjs: hubCatalog(dirs.hubDir, dirs.datasetsDir) } });
    await acts.recordCells({ results: [result('linear', [1.4, 0.9]), result('blobs', [0.5, 0.8])] });
    const snap = await store.snapshot();
    const datasets = new Map((await snap.datasets()).map((d) => [d.id, d]));
    expect(datasets.get('linear')).toMatchObject({ taskType: 'regression', metric: 'rmse', direction: 'minimize' });
    expect(datasets.get('blobs')).toMatchObject({ taskType: 'classification', metric: 'accuracy', direction: 'maximize' });
    const cells = new Map((await snap.rows('cells')).map((c) => [c.dataset, c]));
    expect(cells.get('linear')).toMatchObject({ metric: 'rmse', value: 0.9 });
    expect(cells.get('blobs')).toMatchObject({ metric: 'accuracy', value: 0.8 });
    const curves = (await snap.rows('curves')).filter((c) => c.dataset === 'linear');
    expect(curves.length).toBeGreaterThan(0);
    curves.forEach((c) => expect(c.metric).toBe('rmse'));
  });
});

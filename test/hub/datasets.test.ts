import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Float32, makeVector, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { type DatasetSplit, loadDataset, loadSplit, readManifest, writeDataset } from '../../hub/datasets';
import { blobs, makeTempDirs, regressionRows, removeDirs, type TinyDirs, tinyManifest, writeTinyDataset, writeTinyRegression } from './tiny-hub';

let dirs: TinyDirs;
beforeEach(async () => {
  dirs = await makeTempDirs();
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

const split = (x: number[], y: number[], d = 2): DatasetSplit => ({ x: Float32Array.from(x), y: Int32Array.from(y), n: y.length, d });

/** A 2-feature, 2-class dataset whose train split is `train`, written as CSV text. */
async function csvDataset(id: string, train: string, classes = ['a', 'b']): Promise<void> {
  const dir = path.join(dirs.datasetsDir, id);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'train.csv'), train);
  await fs.writeFile(path.join(dir, 'val.csv'), 'f0,f1,label\n0,1,0\n1,0,1\n');
  await fs.writeFile(
    path.join(dir, 'dataset.json'),
    JSON.stringify(tinyManifest(id, { format: 'csv', classes, featureShape: [2], splits: { train: 'train.csv', val: 'val.csv' } })),
  );
}

describe('datasets', () => {
  it.each(['arrow', 'csv'] as const)('round-trips all splits through %s', async (format) => {
    const m = tinyManifest('rt', { format, splits: { train: `train.${format}`, val: `val.${format}`, test: `test.${format}` } });
    const data = { train: blobs(30, 3, 4, 1), val: blobs(9, 3, 4, 2), test: blobs(6, 3, 4, 3) };
    await writeDataset(dirs.datasetsDir, m, data);
    const loaded = await loadDataset(dirs.datasetsDir, 'rt');
    expect(loaded.manifest).toEqual(m);
    for (const s of ['train', 'val', 'test'] as const) {
      const got = s === 'test' ? loaded.test : loaded[s];
      expect(got?.n).toBe(data[s].n);
      expect(got?.d).toBe(4);
      expect(Array.from(got?.y ?? [])).toEqual(Array.from(data[s].y));
      expect(Array.from(got?.x ?? [])).toEqual(Array.from(data[s].x));
    }
  });

  it('reads wide Arrow tables (one numeric column per feature) with int64 labels', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'wide', { featureShape: [2], classes: ['a', 'b'], splits: { train: 'train.arrow', val: 'val.arrow' } });
    const table = new Table({
      a: makeVector(Float64Array.from([0.5, 1.5, 2.5])),
      b: makeVector(Float32Array.from([1, 2, 3])),
      label: makeVector(BigInt64Array.from([0n, 1n, 1n])),
    });
    await fs.writeFile(path.join(dirs.datasetsDir, 'wide', 'train.arrow'), tableToIPC(table, 'file'));
    const s = await loadSplit(dirs.datasetsDir, await readManifest(dirs.datasetsDir, 'wide'), 'train');
    expect(Array.from(s.x)).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    expect(Array.from(s.y)).toEqual([0, 1, 1]);
  });

  it('names the file and row of a NaN feature', async () => {
    await csvDataset('nan', 'f0,f1,label\n0,1,0\n1,NaN,1\n');
    const f = await failure(loadDataset(dirs.datasetsDir, 'nan'));
    expect(f.type).toBe('InvalidDataset');
    expect(f.message).toMatch(/nan[/\\]train\.csv row 2: feature 1 is NaN/);
  });

  it('names the row of a null in an Arrow feature column', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'nulls', { featureShape: [1], classes: ['a', 'b'] });
    const table = new Table({ f: vectorFromArray([1, null, 3], new Float32()), label: makeVector(Int32Array.from([0, 1, 1])) });
    await fs.writeFile(path.join(dirs.datasetsDir, 'nulls', 'train.arrow'), tableToIPC(table, 'file'));
    const f = await failure(loadSplit(dirs.datasetsDir, await readManifest(dirs.datasetsDir, 'nulls'), 'train'));
    expect(f.message).toMatch(/train\.arrow row 2: feature 0 is NaN/);
  });

  it.each([
    ['an empty split', 'f0,f1,label\n', /train\.csv is empty \(0 rows\)/],
    ['a single class', 'f0,f1,label\n0,1,1\n1,0,1\n', /holds a single class \(1\); training needs at least two/],
    ['a label out of range', 'f0,f1,label\n0,1,0\n1,0,2\n', /row 2: label 2 is not an integer in \[0, 2\)/],
    ['a fractional label', 'f0,f1,label\n0,1,0.5\n1,0,1\n', /row 1: label 0.5 is not an integer/],
    ['a negative label', 'f0,f1,label\n0,1,-1\n1,0,1\n', /row 1: label -1 is not an integer/],
    ['a short row', 'f0,f1,label\n0,1,0\n1,1\n', /line 3 has 2 fields, header has 3/],
    ['no label column', 'f0,f1,f2\n0,1,0\n', /header has no `label` column/],
    ['a non-number', 'f0,f1,label\n0,abc,0\n1,0,1\n', /row 1: feature 1 is NaN/],
  ])('rejects %s', async (_name, text, message) => {
    await csvDataset('bad', text);
    const f = await failure(loadDataset(dirs.datasetsDir, 'bad'));
    expect(f.type).toBe('InvalidDataset');
    expect(f.message).toMatch(message);
  });

  it('rejects a feature count that does not match featureShape', async () => {
    await writeDataset(dirs.datasetsDir, tinyManifest('shape', { featureShape: [3] }), {
      train: split([0, 1, 2, 3], [0, 1]),
      val: split([0, 1], [0]),
      test: split([0, 1], [1]),
    });
    const f = await failure(loadDataset(dirs.datasetsDir, 'shape'));
    expect(f.message).toMatch(/train\.arrow has 2 feature columns but featureShape \[3\] needs 3/);
  });

  it('rejects a file that is not Arrow', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'junk');
    await fs.writeFile(path.join(dirs.datasetsDir, 'junk', 'val.arrow'), 'hello');
    const f = await failure(loadDataset(dirs.datasetsDir, 'junk'));
    expect(f.message).toMatch(/val\.arrow: not a readable Arrow IPC file/);
  });

  it('rejects a missing split file', async () => {
    await writeTinyDataset(dirs.datasetsDir, 'gone');
    await fs.rm(path.join(dirs.datasetsDir, 'gone', 'test.arrow'));
    const f = await failure(loadDataset(dirs.datasetsDir, 'gone'));
    expect(f.message).toMatch(/test\.arrow \(test split of gone\) is missing/);
  });

  it.each([
    ['a missing dataset', async () => undefined, 'DatasetNotFound', /Dataset ds not found/],
    ['a missing manifest', async () => fs.mkdir(path.join(dirs.datasetsDir, 'ds'), { recursive: true }), 'InvalidDataset', /dataset\.json is missing/],
    [
      'a manifest with a bad field',
      async () => {
        await fs.mkdir(path.join(dirs.datasetsDir, 'ds'), { recursive: true });
        await fs.writeFile(path.join(dirs.datasetsDir, 'ds', 'dataset.json'), JSON.stringify({ ...tinyManifest('ds'), classes: ['only'] }));
      },
      'InvalidDataset',
      /classes: a classification dataset needs at least 2 classes, got 1/,
    ],
    [
      'a split path with a directory',
      async () => {
        await fs.mkdir(path.join(dirs.datasetsDir, 'ds'), { recursive: true });
        await fs.writeFile(
          path.join(dirs.datasetsDir, 'ds', 'dataset.json'),
          JSON.stringify({ ...tinyManifest('ds'), splits: { train: '../x.arrow', val: 'v.arrow' } }),
        );
      },
      'InvalidDataset',
      /splits\.train: must be a plain file name/,
    ],
    [
      'a manifest naming another id',
      async () =>
        writeTinyDataset(dirs.datasetsDir, 'ds').then(() =>
          fs.writeFile(path.join(dirs.datasetsDir, 'ds', 'dataset.json'), JSON.stringify(tinyManifest('other'))),
        ),
      'InvalidDataset',
      /names dataset other, expected ds/,
    ],
  ])('fails for %s', async (_name, setup, type, message) => {
    await setup();
    const f = await failure(readManifest(dirs.datasetsDir, 'ds'));
    expect(f.type).toBe(type);
    expect(f.message).toMatch(message);
  });

  it('refuses an id that escapes the datasets directory', async () => {
    expect((await failure(readManifest(dirs.datasetsDir, '../hub'))).type).toBe('PathOutsideRoot');
  });
});

describe('regression datasets', () => {
  it.each(['arrow', 'csv'] as const)('round-trip real-valued targets through %s, with metric rmse and direction minimize', async (format) => {
    await writeTinyRegression(dirs.datasetsDir, `reg-${format}`, format);
    const data = await loadDataset(dirs.datasetsDir, `reg-${format}`);
    expect(data.manifest).toMatchObject({ task: 'regression', classes: [], metric: 'rmse', direction: 'minimize' });
    expect([...(data.train.target ?? [])]).toEqual([...(regressionRows(64, 21).target ?? [])]);
    expect([...data.train.y]).toEqual(new Array<number>(64).fill(0));
  });

  it('fill the metric and direction from the task when the manifest leaves them out, and refuse a contradicting one', async () => {
    const { metric: _m, direction: _d, ...bare } = tinyManifest('bare');
    await writeDataset(dirs.datasetsDir, bare, { train: blobs(6, 3, 4, 1), val: blobs(3, 3, 4, 2), test: blobs(3, 3, 4, 3) });
    expect(await readManifest(dirs.datasetsDir, 'bare')).toMatchObject({ metric: 'accuracy', direction: 'maximize' });
    await writeDataset(
      dirs.datasetsDir,
      { ...tinyManifest('odd'), direction: 'minimize' },
      { train: blobs(6, 3, 4, 1), val: blobs(3, 3, 4, 2), test: blobs(3, 3, 4, 3) },
    );
    const f = await failure(readManifest(dirs.datasetsDir, 'odd'));
    expect(f.type).toBe('InvalidDataset');
    expect(f.message).toMatch(/direction.*is minimize, but a classification dataset reports accuracy \(maximize\)/);
  });

  it('refuse a non-finite target and a regression manifest that lists classes', async () => {
    const rows = regressionRows(4, 1);
    const bad = { ...rows, target: Float32Array.from([1, Number.NaN, 2, 3]) };
    const m = tinyManifest('nan', { task: 'regression', classes: [], metric: 'rmse', direction: 'minimize' });
    await writeDataset(dirs.datasetsDir, m, { train: bad, val: rows, test: rows });
    const f = await failure(loadSplit(dirs.datasetsDir, await readManifest(dirs.datasetsDir, 'nan'), 'train'));
    expect(f.message).toMatch(/row 2: target NaN is not a finite number/);
    await writeDataset(dirs.datasetsDir, { ...m, id: 'classes', classes: ['a', 'b'] }, { train: rows, val: rows, test: rows });
    expect((await failure(readManifest(dirs.datasetsDir, 'classes'))).message).toMatch(/a regression dataset has no classes/);
  });
});

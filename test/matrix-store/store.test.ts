import * as path from 'node:path';
import { InvalidStoreInputError, resolveStoreDir, settingsHash, VersionNotFoundError, type MatrixStore } from '../../matrix-store';
import { BACKENDS, cell, commitCells, tempPlace, tempStore } from './helpers';

describe.each(BACKENDS)('on %s', (backend) => {
  describe('versions', () => {
    it('starts empty: head 0, no versions, an empty matrix', async () => {
      const store = await tempStore(backend);
      expect(await store.head()).toBe(0);
      expect(await store.versions()).toEqual([]);
      const m = await (await store.snapshot()).performanceMatrix();
      expect(m).toEqual({ models: [], datasets: [], values: new Float64Array(0) });
    });

    it('numbers commits 1, 2, 3 and lists them with message and rows added', async () => {
      const store = await tempStore(backend);
      expect(await commitCells(store, [cell('a', 'd1', 0.5)], 'first')).toBe(1);
      expect(await commitCells(store, [cell('b', 'd1', 0.6), cell('b', 'd2', 0.7)], 'second')).toBe(2);
      const w = store.beginWrite();
      await w.upsertModels([{ id: 'a' }]);
      expect(await w.commit('third')).toBe(3);
      const versions = await store.versions();
      expect(versions.map((v) => [v.version, v.parent, v.message])).toEqual([
        [1, 0, 'first'],
        [2, 1, 'second'],
        [3, 2, 'third'],
      ]);
      expect(versions[1]?.rowsAdded).toEqual({ cells: 2, curves: 6 });
      expect(versions[2]?.rowsAdded).toEqual({ models: 1 });
    });

    it('reads each version as it was committed', async () => {
      const store = await tempStore(backend);
      await commitCells(store, [cell('a', 'd1', 0.5)]);
      await commitCells(store, [cell('b', 'd1', 0.6)]);
      const v1 = await (await store.snapshot(1)).performanceMatrix();
      const v2 = await (await store.snapshot(2)).performanceMatrix();
      expect(v1.models).toEqual(['a']);
      expect(Array.from(v1.values)).toEqual([0.5]);
      expect(v2.models).toEqual(['a', 'b']);
      expect(Array.from(v2.values)).toEqual([0.5, 0.6]);
    });

    it('rejects a version that does not exist with InvalidInput', async () => {
      const store = await tempStore(backend);
      await commitCells(store, [cell('a', 'd1', 0.5)]);
      await expect(store.snapshot(7)).rejects.toThrow(VersionNotFoundError);
      await expect(store.snapshot(7)).rejects.toMatchObject({ type: 'InvalidInput' });
    });

    it('reads the same content from checkpoints as from the chain of versions', async () => {
      const place = await tempPlace(backend);
      const store = await place.open({ checkpointEvery: 2 });
      for (let i = 0; i < 5; i++) await commitCells(store, [cell(`m${i}`, 'd1', i / 10)]);
      expect(await place.keys('checkpoints/')).toEqual(['checkpoints/0000000002.json', 'checkpoints/0000000004.json']);
      const fromCheckpoint = await (await (await place.open()).snapshot(5)).performanceMatrix();
      for (const key of await place.keys('checkpoints/')) await place.objects.delete(key);
      const fromChain = await (await (await place.open()).snapshot(5)).performanceMatrix();
      expect(fromChain).toEqual(fromCheckpoint);
      expect(Array.from(fromChain.values)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    });
  });

  describe('writers', () => {
    it('rejects an empty commit and a writer used after commit', async () => {
      const store = await tempStore(backend);
      await expect(store.beginWrite().commit('nothing')).rejects.toThrow(/nothing to commit/);
      const w = store.beginWrite();
      await w.appendCells([cell('a', 'd', 1)]);
      await w.commit('once');
      await expect(w.appendCells([cell('b', 'd', 1)])).rejects.toThrow(/committed/);
    });

    it('rejects malformed rows naming the field, with InvalidInput', async () => {
      const w = (await tempStore(backend)).beginWrite();
      await expect(w.appendCells([cell('', 'd', 1)])).rejects.toThrow(/invalid cell #0: model/);
      await expect(w.appendCurves([{ model: 'a', dataset: 'd', settingsHash: 's', metric: 'acc', values: [1, 2], epochs: [1] }])).rejects.toThrow(
        /epochs: has 1 entries, but values has 2/,
      );
      await expect(w.appendClustering({ method: 'k', models: ['a', 'b'], labels: [0] })).rejects.toMatchObject({ type: 'InvalidInput' });
      await expect(w.upsertModels([{ id: 'a', size: -1 }])).rejects.toThrow(InvalidStoreInputError);
    });

    it('abort deletes the fragments it wrote and publishes nothing', async () => {
      const place = await tempPlace(backend);
      const store = await place.open();
      const w = store.beginWrite();
      await w.appendCells([cell('a', 'd', 1)]);
      await w.flush();
      expect(await place.keys('fragments/cells/')).toHaveLength(1);
      await w.abort();
      expect(await place.keys('fragments/cells/')).toHaveLength(0);
      expect(await store.head()).toBe(0);
    });

    it('writes a fragment whenever a table reaches flushRows', async () => {
      const store = await tempStore(backend, { flushRows: 4, batchRows: 2 });
      const w = store.beginWrite();
      await w.appendCells(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((m) => cell(m, 'd', 1)));
      await w.commit('nine cells');
      const fragments = (await store.snapshot()).fragments;
      expect(fragments.map((f) => f.rows)).toEqual([9]);
      expect(fragments[0]?.batches.map((b) => b.rows)).toEqual([2, 2, 2, 2, 1]);
    });
  });

  describe('deduplication', () => {
    it('keeps the first cell of a (model, dataset, settings) key, so re-running is idempotent', async () => {
      const store = await tempStore(backend);
      await commitCells(store, [cell('a', 'd', 0.5)]);
      await commitCells(store, [cell('a', 'd', 0.9)]);
      const s = await store.snapshot();
      expect(Array.from((await s.performanceMatrix()).values)).toEqual([0.5]);
      expect((await s.rows('cells')).map((r) => r.value)).toEqual([0.5]);
      expect((await s.runSet()).runs).toEqual([{ model: 'a', dataset: 'd', val: [0.1, 0.2, 0.5], test: 0.5 }]);
    });

    it('uses the earliest settings for the matrix unless a settings hash is chosen', async () => {
      const store = await tempStore(backend);
      await commitCells(store, [cell('a', 'd', 0.5, { settingsHash: 'old' })]);
      await commitCells(store, [cell('a', 'd', 0.8, { settingsHash: 'new' })]);
      const s = await store.snapshot();
      expect(Array.from((await s.performanceMatrix()).values)).toEqual([0.5]);
      expect(Array.from((await s.performanceMatrix({ settingsHash: 'new' })).values)).toEqual([0.8]);
      expect(await s.rows('cells')).toHaveLength(2);
    });

    it('lets the latest write of a model, dataset or proxy score win', async () => {
      const store = await tempStore(backend);
      for (const family of ['bert', 'roberta']) {
        const w = store.beginWrite();
        await w.upsertModels([{ id: 'a', family, addedAt: 5 }]);
        await w.upsertDatasets([{ id: 'd', taskType: 'nli', metric: family === 'bert' ? 'acc' : 'f1' }]);
        await w.putProxyScores([{ model: 'a', target: 'd', proxy: 'leep', value: family === 'bert' ? -1 : -2 }]);
        await w.commit(family);
      }
      const s = await store.snapshot();
      expect(await s.models()).toEqual([{ id: 'a', family: 'roberta', size: null, source: null, card: {}, addedAt: 5, removedAt: null }]);
      expect(await s.datasets()).toEqual([{ id: 'd', taskType: 'nli', metric: 'f1', direction: 'maximize', size: null }]);
      expect(await s.proxyScores('d', 'leep')).toEqual(new Map([['a', -2]]));
      expect(await s.proxyScores('d', 'logme')).toEqual(new Map());
    });

    it('keeps the first point of a curve epoch', async () => {
      const store = await tempStore(backend);
      const w = store.beginWrite();
      await w.appendCurves([{ model: 'a', dataset: 'd', settingsHash: 's', metric: 'acc', values: [0.1, 0.2], seconds: [3, 4] }]);
      await w.appendCurves([{ model: 'a', dataset: 'd', settingsHash: 's', metric: 'acc', values: [0.9, 0.3], epochs: [2, 3] }]);
      await w.commit('curves');
      const { curves } = await (await store.snapshot()).curvesOf('a');
      expect(curves).toHaveLength(1);
      expect(Array.from(curves[0]?.epochs ?? [])).toEqual([1, 2, 3]);
      expect(Array.from(curves[0]?.values ?? [])).toEqual([0.1, 0.2, 0.3]);
      expect(Array.from(curves[0]?.seconds ?? [])).toEqual([3, 4, Number.NaN]);
    });
  });

  describe('snapshot reads', () => {
    let store: MatrixStore;
    beforeAll(async () => {
      store = await tempStore(backend, { batchRows: 4 });
      const w = store.beginWrite();
      await w.upsertModels([{ id: 'a' }, { id: 'b' }, { id: 'gone', removedAt: 9 }, { id: 'idle' }]);
      await w.upsertDatasets([
        { id: 'd1', taskType: 'nli', metric: 'accuracy' },
        { id: 'd2', taskType: 'qa', metric: 'f1' },
      ]);
      await w.appendCells([cell('a', 'd1', 0.1), cell('b', 'd1', 0.2), cell('b', 'd2', null, { metric: 'f1' }), cell('gone', 'd1', 0.4)]);
      await w.appendCurves([{ model: 'b', dataset: 'd2', settingsHash: 's1', metric: 'f1', values: [0.3, 0.35] }]);
      await w.commit('hub');
      const w2 = store.beginWrite();
      await w2.appendCurves(
        ['a', 'b', 'gone', 'idle'].map((m) => ({ model: m, dataset: 'd1', settingsHash: 's1', metric: 'accuracy', values: [0.05, 0.1, 0.15] })),
      );
      await w2.appendClustering({
        id: 'c1',
        method: 'agglomerative',
        params: { threshold: 0.09 },
        models: ['a', 'b', 'idle'],
        labels: [0, 0, 1],
        representatives: new Map([[0, 'b']]),
        createdAt: 7,
      });
      await w2.commit('curves and clustering');
      await store.compact();
    });

    it('builds the matrix of registered and measured models, leaving withdrawn ones out', async () => {
      const s = await store.snapshot();
      const m = await s.performanceMatrix();
      expect(m.models).toEqual(['a', 'b', 'idle']);
      expect(m.datasets).toEqual(['d1', 'd2']);
      expect(Array.from(m.values)).toEqual([0.1, 0.2, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
      expect((await s.performanceMatrix({ includeRemoved: true })).models).toEqual(['a', 'b', 'gone', 'idle']);
      expect(Array.from((await s.performanceMatrix({ metric: 'f1' })).values)).toEqual([NaN, NaN, NaN, NaN, NaN, NaN]);
    });

    it('returns one dataset column and the missing cells', async () => {
      const s = await store.snapshot();
      const col = await s.datasetColumn('d1', { models: ['idle', 'b'] });
      expect(col).toEqual({ dataset: 'd1', models: ['idle', 'b'], values: new Float64Array([NaN, 0.2]) });
      expect(await s.missingCells(['a', 'b'], ['d1', 'd2'])).toEqual([{ model: 'a', dataset: 'd2' }]);
    });

    it('builds runs from cells and the curves of their settings and metric', async () => {
      const runs = await (await store.snapshot()).runSet({ models: ['b'] });
      expect(runs).toEqual({
        models: ['b'],
        datasets: ['d1', 'd2'],
        runs: [
          { model: 'b', dataset: 'd1', val: [0.05, 0.1, 0.15], test: 0.2 },
          { model: 'b', dataset: 'd2', val: [0.3, 0.35], test: null },
        ],
      });
    });

    it('streams one model from batches whose range holds it', async () => {
      const s = await store.snapshot();
      const curves = s.fragments.filter((f) => f.table === 'curves');
      expect(curves).toHaveLength(1);
      expect(curves[0]?.batches.map((b) => [b.min, b.max])).toEqual([
        ['a', 'b'],
        ['b', 'b'],
        ['gone', 'idle'],
        ['idle', 'idle'],
      ]);
      expect(curves[0]?.batches.map((b) => b.keys)).toEqual([['a', 'b'], ['b'], ['gone', 'idle'], ['idle']]);
      const b = await s.curvesOf('b');
      expect(b.curves.map((c) => [c.dataset, c.metric, Array.from(c.values)])).toEqual([
        ['d1', 'accuracy', [0.05, 0.1, 0.15]],
        ['d2', 'f1', [0.3, 0.35]],
      ]);
      expect((await s.curvesOf('b', { dataset: 'd2' })).curves).toHaveLength(1);
      expect((await s.curvesOf('nobody')).curves).toEqual([]);
    });

    it('returns clusterings with their representatives', async () => {
      expect(await (await store.snapshot()).clusterings()).toEqual([
        {
          id: 'c1',
          method: 'agglomerative',
          params: { threshold: 0.09 },
          createdAt: 7,
          clustering: { models: ['a', 'b', 'idle'], labels: [0, 0, 1], representatives: new Map([[0, 'b']]) },
        },
      ]);
    });
  });
});

describe('location and settings', () => {
  const saved = { store: process.env.MSELECT_STORE, data: process.env.MSELECT_DATA };
  afterEach(() => {
    if (saved.store === undefined) delete process.env.MSELECT_STORE;
    else process.env.MSELECT_STORE = saved.store;
    if (saved.data === undefined) delete process.env.MSELECT_DATA;
    else process.env.MSELECT_DATA = saved.data;
  });

  it('takes the explicit directory, else MSELECT_STORE, else store in MSELECT_DATA, else <project>/data/store', () => {
    delete process.env.MSELECT_STORE;
    delete process.env.MSELECT_DATA;
    expect(resolveStoreDir()).toBe(path.resolve(__dirname, '..', '..', 'data', 'store'));
    process.env.MSELECT_DATA = '/srv/mselect-data';
    expect(resolveStoreDir()).toBe('/srv/mselect-data/store');
    process.env.MSELECT_STORE = '/shared/store';
    expect(resolveStoreDir()).toBe('/shared/store');
    expect(resolveStoreDir('/explicit')).toBe('/explicit');
  });

  it('hashes settings independently of key order', () => {
    expect(settingsHash({ lr: 3e-5, batch: 16, opt: { b1: 0.9, b2: 0.99 } })).toBe(settingsHash({ opt: { b2: 0.99, b1: 0.9 }, batch: 16, lr: 3e-5 }));
    expect(settingsHash({ lr: 3e-5 })).not.toBe(settingsHash({ lr: 1e-4 }));
    expect(settingsHash({ lr: 3e-5 })).toMatch(/^[0-9a-f]{16}$/);
  });
});

/** Compaction changes no version's content; pruning deletes only what no kept version references. */
import { VersionNotFoundError, type MatrixStore } from '../../matrix-store';
import { BACKENDS, cell, commitCells, contentOf, tempPlace, type Backend, type Place } from './helpers';

/** Five versions touching every table, with duplicates, overrides and a withdrawn model. */
async function busyStore(place: Place): Promise<MatrixStore> {
  const store = await place.open({ batchRows: 5 });
  const w = store.beginWrite();
  await w.upsertModels([{ id: 'a', family: 'bert' }, { id: 'b', card: { license: 'mit' } }, { id: 'c' }]);
  await w.upsertDatasets([
    { id: 'd1', taskType: 'nli', metric: 'accuracy' },
    { id: 'd2', taskType: 'qa', metric: 'f1', direction: 'maximize', size: 10 },
  ]);
  await w.putProxyScores([{ model: 'a', target: 'd1', proxy: 'leep', value: -0.5, computedAt: 1 }]);
  await w.commit('register');
  await commitCells(store, [cell('a', 'd1', 0.5), cell('b', 'd1', 0.6), cell('c', 'd2', null, { metric: 'f1' })]);
  await commitCells(store, [cell('a', 'd1', 0.99), cell('b', 'd2', 0.4, { settingsHash: 's2' }), cell('c', 'd1', 0.3)]);
  const w2 = store.beginWrite();
  await w2.upsertModels([{ id: 'c', removedAt: 50, addedAt: 2 }]);
  await w2.putProxyScores([
    { model: 'a', target: 'd1', proxy: 'leep', value: -0.25, computedAt: 2 },
    { model: 'b', target: 'd1', proxy: 'leep', value: -1, computedAt: 2 },
  ]);
  await w2.appendClustering({
    id: 'k1',
    method: 'kmeans',
    params: { k: 2 },
    models: ['a', 'b'],
    labels: [0, 1],
    representatives: new Map([
      [0, 'a'],
      [1, 'b'],
    ]),
    createdAt: 3,
  });
  await w2.appendClustering({ id: 'k1', method: 'kmeans', params: { k: 2 }, models: ['a', 'b'], labels: [1, 1], createdAt: 4 });
  await w2.commit('withdraw c, rescore, cluster');
  await commitCells(store, [cell('d', 'd2', 0.8)]);
  return store;
}

async function contentByVersion(store: MatrixStore, versions: readonly number[]): Promise<Map<number, Record<string, string>>> {
  const out = new Map<number, Record<string, string>>();
  for (const v of versions) out.set(v, await contentOf(await store.snapshot(v)));
  return out;
}

describe.each(BACKENDS)('on %s', (backend: Backend) => {
  describe('compact', () => {
    it('publishes one file per table with the content of the head, leaving every older version as it was', async () => {
      const place = await tempPlace(backend);
      const store = await busyStore(place);
      const before = await contentByVersion(store, [1, 2, 3, 4, 5]);
      const result = await store.compact();
      expect(result.version).toBe(6);
      expect(result.tables.map((t) => [t.table, t.fragmentsBefore, t.rowsBefore, t.rowsAfter])).toEqual([
        ['models', 2, 4, 3],
        ['cells', 3, 7, 6],
        ['curves', 3, 21, 18],
        ['proxyScores', 2, 3, 2],
      ]);
      const fresh = await place.open();
      const after = await contentByVersion(fresh, [1, 2, 3, 4, 5, 6]);
      for (const v of [1, 2, 3, 4, 5]) expect(after.get(v)).toEqual(before.get(v));
      expect(after.get(6)).toEqual(before.get(5));
      const head = await fresh.snapshot();
      const tables = head.fragments.map((f) => f.table);
      expect(new Set(tables).size).toBe(tables.length);
      expect((await fresh.compact()).version).toBeNull();
    });

    it('keeps the matrix of a snapshot opened before the compaction', async () => {
      const store = await busyStore(await tempPlace(backend));
      const early = await store.snapshot(3);
      const before = await contentOf(early);
      await store.compact();
      await commitCells(store, [cell('e', 'd1', 0.1)]);
      expect(await contentOf(early)).toEqual(before);
    });

    it('reads deduplicated content that matches the rules', async () => {
      const store = await busyStore(await tempPlace(backend));
      await store.compact();
      const s = await store.snapshot();
      const m = await s.performanceMatrix();
      expect(m.models).toEqual(['a', 'b', 'd']);
      expect(Array.from(m.values)).toEqual([0.5, 0.6, NaN, NaN, 0.4, 0.8]);
      expect(await s.proxyScores('d1', 'leep')).toEqual(
        new Map([
          ['a', -0.25],
          ['b', -1],
        ]),
      );
      expect((await s.clusterings()).map((c) => c.clustering)).toEqual([
        {
          models: ['a', 'b'],
          labels: [0, 1],
          representatives: new Map([
            [0, 'a'],
            [1, 'b'],
          ]),
        },
      ]);
    });
  });

  describe('prune', () => {
    it('keeps the newest versions and those asked for, deleting only unreferenced files', async () => {
      const place = await tempPlace(backend);
      const store = await busyStore(place);
      await store.compact();
      const kept = await contentByVersion(store, [2, 6]);
      const result = await store.prune({ keepLast: 1, keep: [2], graceMs: 0 });
      expect(result.kept).toEqual([2, 6]);
      expect(result.removedVersions).toEqual([1, 3, 4, 5]);
      await expect(store.snapshot(5)).rejects.toThrow(VersionNotFoundError);
      const fresh = await place.open();
      expect((await fresh.versions()).map((v) => v.version)).toEqual([2, 6]);
      await expect(fresh.snapshot(5)).rejects.toThrow(VersionNotFoundError);
      expect(await contentByVersion(fresh, [2, 6])).toEqual(kept);
      const referenced = new Set([...(await fresh.snapshot(2)).fragments, ...(await fresh.snapshot(6)).fragments].map((f) => f.path));
      const onDisk = await place.keys('fragments/');
      expect(onDisk.sort()).toEqual([...referenced].sort());
      expect(result.deletedFiles.every((f) => !referenced.has(f))).toBe(true);
      expect(await fresh.verify(2)).toEqual([]);
    });

    it('lets the store go on: the next commit follows the head', async () => {
      const store = await busyStore(await tempPlace(backend));
      await store.prune({ keepLast: 1, graceMs: 0 });
      expect(await commitCells(store, [cell('z', 'd1', 0.2)])).toBe(6);
      expect((await (await store.snapshot()).datasetColumn('d1', { models: ['a', 'z'] })).values).toEqual(new Float64Array([0.5, 0.2]));
    });
  });
});

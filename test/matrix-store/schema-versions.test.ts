import { cpSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { exportTableCsv, importTableCsv } from '../../interop';
import { openStore, STORE_SCHEMA_VERSION } from '../../matrix-store';
import { tempDir } from './helpers';

/** A store written by schema version 1 (before curves had peakMemoryBytes), as committed then. */
const V1_STORE = path.join(__dirname, '..', 'fixtures', 'store-v1');

/** A writable copy of the version-1 store. */
function v1Copy(): string {
  const dir = path.join(tempDir(), 'store');
  cpSync(V1_STORE, dir, { recursive: true });
  return dir;
}

describe('matrix store schema versions', () => {
  it('reads a store of schema version 1: its curves have seconds and no peak memory', async () => {
    expect(STORE_SCHEMA_VERSION).toBe(2);
    expect(JSON.parse(readFileSync(path.join(V1_STORE, 'mselect-store.json'), 'utf8')).schemaVersion).toBe(1);
    const snap = await openStore({ dir: v1Copy() }).snapshot();
    expect((await snap.performanceMatrix()).models).toEqual(['m1', 'm2']);
    const curves = await snap.rows('curves');
    expect(curves.map((r) => [r.model, r.epoch, r.value, r.seconds, r.peakMemoryBytes])).toEqual([
      ['m1', 1, 0.7, 1.5, null],
      ['m1', 2, 0.8, 2.5, null],
      ['m2', 1, 0.5, null, null],
      ['m2', 2, 0.6, null, null],
    ]);
    expect([...(await snap.epochCosts())]).toEqual([['m1', { meanSeconds: 2, epochs: 2, peakMemoryBytes: null }]]);
  });

  it('adds version-2 curves with peak memory to a version-1 store and compacts both into one readable table', async () => {
    const store = openStore({ dir: v1Copy() });
    const w = store.beginWrite();
    await w.appendCells([{ model: 'm3', dataset: 'b1', settingsHash: 's', metric: 'accuracy', value: 0.9, epochs: 2, runId: 'm3@b1' }]);
    await w.appendCurves([
      { model: 'm3', dataset: 'b1', settingsHash: 's', metric: 'accuracy', values: [0.85, 0.9], seconds: [3, 5], peakMemoryBytes: [2e6, 3e6] },
    ]);
    await w.commit('a version-2 curve');
    await store.compact();
    const snap = await store.snapshot();
    expect(snap.fragments.filter((f) => f.table === 'curves')).toHaveLength(1);
    const costs = await snap.epochCosts({ datasets: ['b1'] });
    expect(costs.get('m1')).toEqual({ meanSeconds: 2, epochs: 2, peakMemoryBytes: null });
    expect(costs.get('m3')).toEqual({ meanSeconds: 4, epochs: 2, peakMemoryBytes: 3e6 });
    expect(costs.has('m2')).toBe(false);

    // The CSV of the curves table carries the column both ways.
    const csv = await exportTableCsv(snap, 'curves');
    expect(csv.split('\n')[0]).toBe('model,dataset,settingsHash,metric,epoch,value,seconds,peakMemoryBytes');
    const copy = openStore({ dir: path.join(tempDir(), 'copy') });
    const cw = copy.beginWrite();
    await importTableCsv(cw, 'curves', csv);
    await cw.commit('curves from CSV');
    expect(await exportTableCsv(await copy.snapshot(), 'curves')).toBe(csv);
  });
});

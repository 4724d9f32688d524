/** CSV in and out: the recorded two-phase curves file, and every table in the store's own CSV form. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatCurvesCsv, parseCurvesCsv } from '../../replay/anchor-format';
import { syntheticRecordedHub } from '../../replay/synthetic';
import { TABLES } from '../../matrix-store';
import { exportAnchorCurves, exportTableCsv, importAnchorCurves, importTableCsv, parseCsv } from '../../interop';
import { ANCHORS_DIR, HAVE_ANCHORS, describePublished } from '../replay/anchors';
import { cell, commitCells, tempStore } from '../matrix-store/helpers';

/**
 * Data rows, sorted (the store returns runs sorted by model, then dataset), numbers as numbers:
 * the published file writes zero as `0.0`, JavaScript as `0`.
 */
const dataRows = (text: string): (string | number)[][] =>
  text
    .replace(/\r\n/g, '\n')
    .trim()
    .split('\n')
    .slice(1)
    .sort()
    .map((line) => line.split(',').map((f, i) => (i < 2 || f === '' ? f : Number(f))));

describe('a recorded curves CSV (synthetic hub: missing runs, rounding ties)', () => {
  const hub = syntheticRecordedHub({ models: 9, datasets: 5, missing: 0.2, decimals: 2, seed: 3 });
  const text = formatCurvesCsv(hub.runs, new Set(hub.runs.models.slice(0, 6)));

  it('round-trips through the store line for line, also imported twice and compacted', async () => {
    const store = await tempStore();
    await importAnchorCurves(store, text);
    await importAnchorCurves(store, text);
    await store.compact();
    const snapshot = await store.snapshot();
    const out = await exportAnchorCurves(snapshot);
    expect(dataRows(out)).toEqual(dataRows(text));
    expect(parseCurvesCsv(out).inPaperPool).toEqual(parseCurvesCsv(text).inPaperPool);
    const m = await snapshot.performanceMatrix();
    expect(m.values.filter((v) => !Number.isNaN(v)).length).toBe(hub.runs.runs.length);
    expect(await snapshot.rows('cells')).toHaveLength(hub.runs.runs.length);
  });
});

describePublished('the recorded curves CSV', () => {
  const text = HAVE_ANCHORS ? fs.readFileSync(path.join(ANCHORS_DIR, 'curves.csv'), 'utf8') : '';

  it('round-trips through the store line for line', async () => {
    const store = await tempStore();
    await importAnchorCurves(store, text);
    const snapshot = await store.snapshot();
    const out = await exportAnchorCurves(snapshot);
    expect(out.split('\n')[0]).toBe('model,dataset,in_paper_pool,test,val_ep1,val_ep2,val_ep3,val_ep4,val_ep5');
    expect(dataRows(out)).toEqual(dataRows(text));
    const original = parseCurvesCsv(text);
    const back = parseCurvesCsv(out);
    expect(back.inPaperPool).toEqual(original.inPaperPool);
    expect(new Set(back.runs.models)).toEqual(new Set(original.runs.models));
    const m = await snapshot.performanceMatrix();
    expect([m.models.length, m.datasets.length, m.values.filter((v) => !Number.isNaN(v)).length]).toEqual([57, 31, 1426]);
  });

  it('is idempotent: importing twice and compacting leaves the same runs', async () => {
    const store = await tempStore();
    await importAnchorCurves(store, text);
    await importAnchorCurves(store, text);
    await store.compact();
    const snapshot = await store.snapshot();
    expect(dataRows(await exportAnchorCurves(snapshot))).toEqual(dataRows(text));
    expect(await snapshot.rows('cells')).toHaveLength(1426);
  });
});

describe('table CSV', () => {
  it('round-trips every table through export and import', async () => {
    const a = await tempStore();
    const w = a.beginWrite();
    await w.upsertModels([
      { id: 'org--m,1', family: 'say "hi"', size: 1e9, card: { tags: ['a', 'b'] }, addedAt: 10 },
      { id: 'm2', removedAt: 20, addedAt: 11 },
    ]);
    await w.upsertDatasets([{ id: 'd1', taskType: 'nli', metric: 'accuracy', size: 3 }]);
    await w.putProxyScores([{ model: 'm2', target: 'd1', proxy: 'leep', value: -0.5, computedAt: 5 }]);
    await w.appendClustering({
      id: 'k',
      method: 'kmeans',
      params: { k: 1 },
      models: ['m2', 'org--m,1'],
      labels: [0, 0],
      representatives: new Map([[0, 'm2']]),
      createdAt: 6,
    });
    await w.appendCurves([{ model: 'm2', dataset: 'd1', settingsHash: 's1', metric: 'accuracy', values: [0.2, 0.4], seconds: [1.5, 2.5] }]);
    await w.commit('everything');
    await commitCells(a, [cell('org--m,1', 'd1', 0.7, { seed: 3, startedAt: 900, trainer: 'tfjs', backend: 'webgl' }), cell('m2', 'd1', null)]);
    const from = await a.snapshot();

    const b = await tempStore();
    const wb = b.beginWrite();
    for (const table of Object.keys(TABLES) as (keyof typeof TABLES)[]) await importTableCsv(wb, table, await exportTableCsv(from, table));
    await wb.commit('import');
    const to = await b.snapshot();
    for (const table of Object.keys(TABLES) as (keyof typeof TABLES)[]) expect(await exportTableCsv(to, table)).toEqual(await exportTableCsv(from, table));
    expect(await exportTableCsv(to, 'models')).toContain('"org--m,1","say ""hi""",1000000000,,"{""tags"":[""a"",""b""]}",10,');
  });

  it('rejects a header without a table column and a non-numeric field', async () => {
    const w = (await tempStore()).beginWrite();
    await expect(importTableCsv(w, 'proxyScores', 'model,target,proxy\nm,d,leep\n')).rejects.toThrow(/header lacks value, computedAt/);
    await expect(importTableCsv(w, 'proxyScores', 'model,target,proxy,value,computedAt\nm,d,leep,high,1\n')).rejects.toThrow(
      /line 2: value is "high", but must be a number/,
    );
  });

  it('parses quoted fields with commas, quotes and line breaks', () => {
    expect(parseCsv('a,"b,c","say ""x""\nnext"\r\n1,,3\n')).toEqual([
      ['a', 'b,c', 'say "x"\nnext'],
      ['1', '', '3'],
    ]);
  });
});

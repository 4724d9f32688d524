import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import {
  applyImport,
  cellsArrow,
  exportMatrix,
  InteropUsageError,
  longCsv,
  openExistingStore,
  parseImport,
  planImport,
  proxiesCsv,
  storeDirOf,
  storeState,
  wideCsv,
} from '../../interop';
import { openStore, type MatrixStore } from '../../matrix-store';
import { runImport } from '../../cli/import';
import { runEvaluate } from '../../cli/evaluate';
import { runRecallOnly } from '../../cli/recall-only';
import { matrixExport } from '../../cli/export';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-interop-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const PERF =
  'model,dataset,accuracy,ep1,ep2\norg/a,glue/sst2,0.9,0.8,0.88\norg/b,glue/sst2,0.8,0.7,\norg/c,glue/sst2,0.7,0.6,0.65\norg/a,glue/cola,0.6,,\norg/b,glue/cola,0.7,,\norg/c,glue/cola,,,\n';
const PROXIES = 'model,dataset,proxy,value\norg/a,glue/sst2,logme,0\norg/b,glue/sst2,logme,1\norg/c,glue/sst2,logme,0.5\n';

async function importText(store: MatrixStore, file: string, text: string, replace = false) {
  return applyImport(store, planImport(parseImport(file, text), await storeState(await store.snapshot())), { replace });
}

describe('import into the store', () => {
  it('round-trips: import → export → import gives the same store content, curves, nulls and hub-style ids included', async () => {
    const a = openStore({ dir: path.join(root, 'a') });
    await importText(a, 'perf.csv', PERF);
    await importText(a, 'logme.csv', PROXIES);
    const first = await exportMatrix(await a.snapshot());
    expect(first.cells.find((c) => c.model === 'org/c' && c.dataset === 'glue/cola')?.value).toBeNull();
    expect(first.cells.find((c) => c.model === 'org/a' && c.dataset === 'glue/sst2')?.curve).toEqual([0.8, 0.88]);
    const b = openStore({ dir: path.join(root, 'b') });
    await importText(b, 'export.csv', longCsv(first));
    await importText(b, 'proxies.csv', proxiesCsv(first));
    const second = await exportMatrix(await b.snapshot());
    expect({ ...second, version: 0 }).toEqual({ ...first, version: 0 });
    expect(longCsv(second)).toBe(longCsv(first));
    expect(wideCsv(second)).toBe('model,glue/cola,glue/sst2\norg/a,0.6,0.9\norg/b,0.7,0.8\norg/c,,0.7\n');
    const arrow = tableFromIPC(cellsArrow(second));
    expect(arrow.numRows).toBe(6);
    expect(arrow.getChild('model')?.get(0)).toBe('org/a');
    expect(arrow.schema.fields.map((f) => f.name)).toEqual(['model', 'dataset', 'metric', 'direction', 'value', 'ep1', 'ep2']);
    // The Arrow file imports back to the same cells.
    await fs.writeFile(path.join(root, 'm.arrow'), cellsArrow(second));
    await runImport(
      [path.join(root, 'm.arrow')],
      { store: path.join(root, 'c'), metric: 'accuracy', direction: 'maximize', taskType: 'imported' },
      () => undefined,
    );
    expect(longCsv(await exportMatrix(await openStore({ dir: path.join(root, 'c') }).snapshot()))).toBe(longCsv(first));
  });

  it('stores the seconds column beside each epoch of the curve, where selection reads the brute-force estimate from', async () => {
    const store = openStore({ dir: path.join(root, 'timed') });
    await importText(store, 'timed.csv', 'model,dataset,accuracy,ep1,ep2,seconds\norg/a,glue/sst2,0.9,0.8,0.88,30\norg/b,glue/sst2,0.8,0.7,0.75,\n');
    const snap = await store.snapshot();
    expect((await snap.rows('curves')).map((r) => [r.model, r.epoch, r.seconds])).toEqual([
      ['org/a', 1, 30],
      ['org/a', 2, 30],
      ['org/b', 1, null],
      ['org/b', 2, null],
    ]);
    expect([...(await snap.epochCosts())]).toEqual([['org/a', { meanSeconds: 30, epochs: 2, peakMemoryBytes: null }]]);
  });

  it('refuses changed values with their list, then supersedes them with --replace in a new version', async () => {
    const s = openStore({ dir: path.join(root, 's') });
    const v1 = (await importText(s, 'perf.csv', PERF)).version;
    const fix = 'model,dataset,accuracy\norg/a,glue/sst2,0.95\norg/b,glue/cola,0.7\n';
    await expect(importText(s, 'fix.csv', fix)).rejects.toThrow(
      'fix.csv: refused: 1 value(s) differ from store version 1; pass --replace to supersede them with a new version, or fix the file:\n  org/a on glue/sst2 (line 2): stored 0.9, file 0.95',
    );
    const r = await importText(s, 'fix.csv', fix, true);
    expect(r).toEqual({ version: v1 + 1, cells: 1, replaced: 1, proxies: 0 });
    const head = await (await s.snapshot()).performanceMatrix();
    expect(head.values[head.datasets.indexOf('glue/sst2') * 3 + head.models.indexOf('org/a')]).toBe(0.95);
    const old = await (await s.snapshot(v1)).performanceMatrix();
    expect(old.values[old.datasets.indexOf('glue/sst2') * 3 + old.models.indexOf('org/a')]).toBe(0.9);
    // The superseded pair's old curve went with its cell; the other pairs keep theirs.
    const cells = (await exportMatrix(await s.snapshot())).cells;
    expect(cells.find((c) => c.model === 'org/a' && c.dataset === 'glue/sst2')?.curve).toEqual([]);
    expect(cells.find((c) => c.model === 'org/c' && c.dataset === 'glue/sst2')?.curve).toEqual([0.6, 0.65]);
    expect(cells).toHaveLength(6);
  });

  it('refuses a file that repeats a pair with another value, and an import that changes nothing', async () => {
    const s = openStore({ dir: path.join(root, 's') });
    await expect(importText(s, 'd.csv', 'model,dataset,value\na,d,1\na,d,2\n')).rejects.toThrow(
      'd.csv: refused: line 3 repeats a on d of line 2 with another value',
    );
    await importText(s, 'perf.csv', PERF);
    await expect(importText(s, 'perf.csv', PERF)).rejects.toThrow('perf.csv: nothing to import: every value is already in store version 1');
  });

  it('never guesses a store: no --store is an error, and a mistyped one is not created', () => {
    expect(() => storeDirOf(undefined, {})).toThrow('no matrix store named: pass --store <dir> (or set MSELECT_STORE)');
    const missing = path.join(root, 'typo');
    expect(() => openExistingStore(missing)).toThrow(InteropUsageError);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('hub-style ids end to end through the commands', () => {
  it('import → evaluate → select --recall-only → export', async () => {
    const dir = path.join(root, 'hub');
    await fs.writeFile(path.join(root, 'perf.csv'), PERF.replace('org/c,glue/cola,,,', 'org/c,glue/cola,0.5,,'));
    await fs.writeFile(path.join(root, 'logme.csv'), PROXIES);
    const lines: string[] = [];
    await runImport(
      [path.join(root, 'perf.csv'), path.join(root, 'logme.csv')],
      { store: dir, metric: 'accuracy', direction: 'maximize', taskType: 'imported' },
      (l) => lines.push(l),
    );
    expect(lines.join('\n')).toContain('wrote store version 2: 0 cells, 3 proxy scores');
    const json = JSON.parse(await runEvaluate({ store: dir, minModels: 3, k: 1, json: true })) as {
      targets: string[];
      means: { method: string; regret: number }[];
    };
    expect(json.targets).toEqual(['glue/cola', 'glue/sst2']);
    expect(json.means.map((r) => r.method)).toEqual(['history-prior', 'logme', 'history-prior × exp(logme)']);
    const text = await runRecallOnly({ store: dir, target: 'glue/sst2', proxy: 'logme', recallSize: 2 });
    expect(text).toContain('Recall-only shortlist for glue/sst2, ranked by history-prior × exp(logme)');
    expect(text).toMatch(/1 +│ org\/b/);
    await expect(runEvaluate({ store: dir, minModels: 3, k: 1, targets: 'glue/ss2' })).rejects.toThrow(
      'unknown target(s) glue/ss2; the store has the datasets glue/cola, glue/sst2',
    );
    await expect(runRecallOnly({ store: dir, target: 'glue/ss2' })).rejects.toThrow('unknown target glue/ss2');
    expect(String(await matrixExport({ store: dir, format: 'wide' }))).toBe('model,glue/cola,glue/sst2\norg/a,0.6,0.9\norg/b,0.7,0.8\norg/c,0.5,0.7\n');
  });
});

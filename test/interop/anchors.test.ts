import * as fs from 'node:fs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyImport, parseImport, planImport, storeState, writeAnchorsFromStore } from '../../interop';
import { openStore } from '../../matrix-store';
import { loadAnchors } from '../../replay/load';
import { exampleFiles } from '../../scripts/make-example-matrix';

let root: string;
beforeEach(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'mselect-anchors-'));
});
afterEach(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

describe('imported curves replay through the anchors folder', () => {
  it('writes curves.csv, directions and URI-encoded proxy files that loadAnchors reads back with hub-style ids', async () => {
    const store = openStore({ dir: path.join(root, 'store') });
    for (const [file, text] of [
      [
        'perf.csv',
        'model,dataset,value,direction,ep1,ep2\norg/a,glue/sst2,0.9,maximize,0.8,0.85\norg/b,glue/sst2,0.8,maximize,0.7,0.75\norg/a,err,0.1,minimize,0.3,0.2\norg/b,glue/cola,0.6,maximize,,\n',
      ],
      ['logme.csv', 'model,dataset,proxy,value\norg/a,glue/sst2,logme,1\norg/b,glue/sst2,logme,2\n'],
    ] as const)
      await applyImport(store, planImport(parseImport(file, text), await storeState(await store.snapshot())));
    const w = await writeAnchorsFromStore(await store.snapshot(), path.join(root, 'anchors'));
    expect(w).toMatchObject({ runs: 3, withoutCurve: 1, proxyFiles: 1 });
    const a = await loadAnchors(w.dir);
    expect(a.runs.runs.map((r) => [r.model, r.dataset, r.test, r.val])).toEqual([
      ['org/a', 'err', 0.1, [0.3, 0.2]],
      ['org/a', 'glue/sst2', 0.9, [0.8, 0.85]],
      ['org/b', 'glue/sst2', 0.8, [0.7, 0.75]],
    ]);
    expect(a.directions.get('err')).toBe('minimize');
    expect(a.proxies.get('logme')?.get('glue/sst2')).toEqual(
      new Map([
        ['org/a', 1],
        ['org/b', 2],
      ]),
    );
    // No history_matrix.tsv / history_datasets.txt: the history is curves.csv's test values.
    expect(a.history.datasets).toEqual(['err', 'glue/sst2']);
  });

  it('a dataset named tweet keeps its proxy file; the tweet_eval alias applies only without one', async () => {
    const dir = path.join(root, 'a');
    mkdirSync(path.join(dir, 'proxy'), { recursive: true });
    writeFileSync(path.join(dir, 'curves.csv'), 'model,dataset,in_paper_pool,test,val_ep1\na,tweet,1,0.5,0.4\nb,tweet,1,0.6,0.5\n');
    writeFileSync(path.join(dir, 'proxy', 'leep_tweet.tsv'), 'a\tb\n-1\t-2\n');
    expect([...((await loadAnchors(dir)).proxies.get('leep')?.keys() ?? [])]).toEqual(['tweet']);
  });

  it('refuses half of the optional history pair, and reads an empty history cell as missing', async () => {
    const dir = path.join(root, 'b');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'curves.csv'), 'model,dataset,in_paper_pool,test,val_ep1\na,x,1,0.5,0.4\nb,x,1,0.6,0.5\n');
    writeFileSync(path.join(dir, 'history_datasets.txt'), 'x\n');
    await expect(loadAnchors(dir)).rejects.toThrow('history_matrix.tsv and history_datasets.txt come together; found only history_datasets.txt');
    writeFileSync(path.join(dir, 'history_matrix.tsv'), 'a\tb\n\t0.6\n');
    expect(Array.from((await loadAnchors(dir)).history.values)).toEqual([Number.NaN, 0.6]);
  });
});

describe('examples/byoh', () => {
  it('holds exactly what scripts/make-example-matrix.ts generates', () => {
    for (const [name, text] of exampleFiles()) expect(readFileSync(path.join(__dirname, '..', '..', 'examples', 'byoh', name), 'utf8')).toBe(text);
  });
});

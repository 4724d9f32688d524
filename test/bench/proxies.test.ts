import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  benchPage,
  endToEndTable,
  evaluateProxy,
  meanOverTargets,
  paperEndToEnd,
  recordedData,
  regretAtK,
  storeData,
  withPrior,
  type Row,
} from '../../bench/proxies';
import { loadAnchors } from '../../replay/load';
import { ANCHORS_DIR, describePublished } from '../replay/anchors';
import { exportTableCsv } from '../../interop';
import { openStore } from '../../matrix-store';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-proxy-bench-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const scores = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

describe('regretAtK', () => {
  // Proxy order: m0 (3), m1 (2), m2 (1), then m3 (NaN score) last; the best truth is m3's 1.0.
  const proxy = [3, 2, 1, Number.NaN];
  const truth = [0.5, 0.9, 0.7, 1.0];
  it.each([
    [1, 0.5],
    [2, 0.1],
    [3, 0.1],
    [4, 0],
  ])('top-%i', (k, regret) => {
    expect(regretAtK(proxy, truth, k)).toBeCloseTo(regret, 12);
  });

  it('ignores models without a truth and is NaN when none has one', () => {
    expect(regretAtK([5, 1], [Number.NaN, 0.4], 1)).toBe(0);
    expect(regretAtK([1], [Number.NaN], 1)).toBeNaN();
  });
});

describe('evaluateProxy', () => {
  const truth = scores({ a: 0.9, b: 0.8, c: 0.7 });
  it('scores a proxy that orders the models as fine-tuning does', () => {
    expect(evaluateProxy('t', 'p', { scores: scores({ a: 3, b: 2, c: 1 }), seconds: 1.5 }, truth)).toEqual({
      target: 't',
      proxy: 'p',
      models: 3,
      pearson: expect.closeTo(1, 12),
      spearman: expect.closeTo(1, 12),
      tau: expect.closeTo(1, 12),
      regret: 0,
      regretTop3: 0,
      seconds: 1.5,
    });
  });

  it('scores the reverse order as -1 with a top-1 regret of 20 points', () => {
    const r = evaluateProxy('t', 'p', { scores: scores({ a: 1, b: 2, c: 3 }), seconds: null }, truth);
    expect([r.pearson, r.spearman, r.tau]).toEqual([expect.closeTo(-1, 12), expect.closeTo(-1, 12), expect.closeTo(-1, 12)]);
    expect(r.regret).toBeCloseTo(20, 9);
    expect(r.regretTop3).toBeCloseTo(0, 9);
  });

  it('judges only the models of the truth; a model without a score ranks last', () => {
    const r = evaluateProxy('t', 'p', { scores: scores({ b: 2, c: 1, extra: 9 }), seconds: null }, truth);
    expect(r.models).toBe(3);
    expect(r.pearson).toBeCloseTo(1, 12);
    expect(r.regret).toBeCloseTo(10, 9);
  });
});

describe('meanOverTargets', () => {
  const row = (target: string, proxy: string, tau: number, seconds: number | null): Row => ({
    target,
    proxy,
    models: 4,
    pearson: tau,
    spearman: tau,
    tau,
    regret: 10 * tau,
    regretTop3: 0,
    seconds,
  });
  it('averages every column per proxy over the targets where it is finite, in first-seen order', () => {
    const means = meanOverTargets([row('x', 'leep', 0.2, 1), row('x', 'prior', 0.5, null), row('y', 'leep', 0.6, 3), row('y', 'prior', Number.NaN, null)]);
    expect(means.map((m) => m.proxy)).toEqual(['leep', 'prior']);
    expect(means[0]).toEqual({
      target: 'mean',
      proxy: 'leep',
      models: 4,
      pearson: expect.closeTo(0.4, 12),
      spearman: expect.closeTo(0.4, 12),
      tau: expect.closeTo(0.4, 12),
      regret: expect.closeTo(4, 12),
      regretTop3: 0,
      seconds: 2,
    });
    expect(means[1]?.tau).toBe(0.5);
    expect(means[1]?.seconds).toBeNull();
  });
});

describe('withPrior', () => {
  it('adds the prior and prior × exp(P) for the proxies asked, with their summed time', () => {
    const leep = { scores: scores({ a: -1, b: -2 }), seconds: 2 };
    const parc = { scores: scores({ a: 10, b: 20 }), seconds: 3 };
    const out = withPrior(
      new Map([
        ['leep', leep],
        ['parc', parc],
      ]),
      { scores: scores({ a: 0.5, b: 0.6 }), seconds: 0.25 },
      ['leep'],
    );
    expect([...out.keys()]).toEqual(['leep', 'parc', 'history-prior', 'history-prior × exp(leep)']);
    const combined = out.get('history-prior × exp(leep)');
    expect(combined?.seconds).toBe(2.25);
    expect(combined?.scores.get('a')).toBeCloseTo(0.5 * Math.exp(-1), 12);
    expect(combined?.scores.get('b')).toBeCloseTo(0.6 * Math.exp(-2), 12);
  });
});

/** An anchors directory: models m1..m3, datasets b1, b2 (history) and target t with LEEP scores. */
async function writeAnchors(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'proxy'), { recursive: true });
  const curves = [
    'model,dataset,in_paper_pool,test,val_ep1,val_ep2',
    'm1,t,1,0.60,0.5,0.6',
    'm2,t,1,0.80,0.7,0.8',
    'm3,t,1,0.70,0.6,0.7',
    'm1,b1,1,0.9,0.8,0.9',
  ];
  await fs.writeFile(path.join(dir, 'curves.csv'), `${curves.join('\n')}\n`);
  await fs.writeFile(path.join(dir, 'history_datasets.txt'), 'b1\nb2\nt\n');
  // m3 has no history on b1 (0 = missing); row t would leak the target and must be left out.
  await fs.writeFile(path.join(dir, 'history_matrix.tsv'), 'm1\tm2\tm3\tm4\n0.9\t0.5\t0\t0.5\n0.7\t0.5\t0.4\t0.5\n0.6\t0.8\t0.7\t0.1\n');
  await fs.writeFile(path.join(dir, 'proxy', 'leep_t.tsv'), 'm1\tm2\tm3\tm4\n-0.5\t-0.2\t-0.9\t-0.1\n');
}

describe('recordedData', () => {
  it('scores the LEEP files against recorded test accuracy, with the prior from the matrix without the target', async () => {
    await writeAnchors(root);
    const data = await recordedData(root);
    expect(data.cases.map((c) => c.target)).toEqual(['t']);
    const t = data.cases[0];
    expect(t?.truth).toEqual(scores({ m1: 0.6, m2: 0.8, m3: 0.7 }));
    expect([...(t?.proxies.keys() ?? [])]).toEqual(['leep', 'history-prior', 'history-prior × exp(leep)']);
    const prior = t?.proxies.get('history-prior')?.scores;
    expect(prior?.get('m1')).toBeCloseTo(0.8, 12);
    expect(prior?.get('m2')).toBeCloseTo(0.5, 12);
    expect(prior?.get('m3')).toBeCloseTo(0.4, 12);
    const rows = meanOverTargets(data.cases.flatMap((c) => [...c.proxies].map(([p, r]) => evaluateProxy(c.target, p, r, c.truth))));
    // LEEP orders m2 > m1 > m3 while the truth is m2 > m3 > m1: the top pick is right.
    expect(rows.find((r) => r.proxy === 'leep')?.regret).toBe(0);
    // The prior picks m1 (0.8), which fine-tunes to 0.60: 20 points below m2.
    expect(rows.find((r) => r.proxy === 'history-prior')?.regret).toBeCloseTo(20, 9);
    expect(data.endToEnd).toEqual([]);
  });
});

describe('endToEndTable', () => {
  it('gives regret / epochs per target and their means, one row per recall score', () => {
    const rows = [
      { recall: 'a', target: 'x', regret: 0, epochs: 19 },
      { recall: 'a', target: 'y', regret: 1, epochs: 22 },
      { recall: 'b', target: 'x', regret: 5, epochs: 15 },
      { recall: 'b', target: 'y', regret: 0, epochs: 16 },
    ];
    expect(endToEndTable(rows)).toEqual({
      head: ['recall by', 'x', 'y', 'mean'],
      rows: [
        ['a', '0.00 / 19.0', '1.00 / 22.0', '0.50 / 20.5'],
        ['b', '5.00 / 15.0', '0.00 / 16.0', '2.50 / 15.5'],
      ],
    });
  });
});

describePublished('paperEndToEnd on the recorded NLP runs', () => {
  it('replays two-phase-paper on the four paper targets with and without LEEP in recall', async () => {
    const rows = await paperEndToEnd(await loadAnchors(ANCHORS_DIR));
    expect(endToEndTable(rows).rows).toEqual([
      ['history-prior × exp(leep)', '0.00 / 19.0', '0.00 / 19.0', '1.00 / 21.0', '0.00 / 22.0', '0.25 / 20.3'],
      ['history-prior', '5.00 / 15.0', '0.00 / 14.0', '1.00 / 16.0', '0.00 / 17.0', '1.50 / 15.5'],
    ]);
  });
});

describe('storeData', () => {
  async function fillStore(dir: string): Promise<void> {
    const w = openStore({ dir }).beginWrite();
    const cell = (model: string, dataset: string, value: number) => ({
      model,
      dataset,
      settingsHash: 's',
      metric: 'accuracy',
      value,
      epochs: 5,
      runId: `${model}@${dataset}`,
    });
    await w.appendCells([cell('a', 't', 0.9), cell('b', 't', 0.6), cell('a', 'h', 0.7), cell('b', 'h', 0.8)]);
    await w.putProxyScores([
      { model: 'a', target: 't', proxy: 'leep@probe500#seed0', value: -0.3 },
      { model: 'b', target: 't', proxy: 'leep@probe500#seed0', value: -0.6 },
      { model: 'a', target: 't', proxy: 'logme', value: 1 },
    ]);
    await w.commit('fixture');
  }

  it('reads truth, every stored proxy and the prior from the other datasets', async () => {
    const dir = path.join(root, 'store');
    await fillStore(dir);
    const data = await storeData(dir);
    expect(data.cases.map((c) => c.target)).toEqual(['t']);
    const t = data.cases[0];
    expect(t?.truth).toEqual(scores({ a: 0.9, b: 0.6 }));
    expect([...(t?.proxies.keys() ?? [])]).toEqual([
      'leep@probe500#seed0',
      'logme',
      'history-prior',
      'history-prior × exp(leep@probe500#seed0)',
      'history-prior × exp(logme)',
    ]);
    expect(t?.proxies.get('history-prior')?.scores).toEqual(scores({ a: 0.7, b: 0.8 }));
    expect(t?.proxies.get('logme')?.scores).toEqual(scores({ a: 1 }));
  });

  it('imports table CSVs from elsewhere into the store first', async () => {
    const source = path.join(root, 'source');
    await fillStore(source);
    const snap = await openStore({ dir: source }).snapshot();
    const files = await Promise.all(
      (['cells', 'proxyScores'] as const).map(async (table) => {
        const file = path.join(root, `${table}.csv`);
        await fs.writeFile(file, await exportTableCsv(snap, table));
        return `${table}=${file}`;
      }),
    );
    const data = await storeData(path.join(root, 'copy'), { imports: files, targets: ['t'] });
    expect(data.cases[0]?.truth).toEqual(scores({ a: 0.9, b: 0.6 }));
    expect(data.cases[0]?.proxies.get('leep@probe500#seed0')?.scores).toEqual(scores({ a: -0.3, b: -0.6 }));
    const html = benchPage(
      data,
      data.cases.flatMap((c) => [...c.proxies].map(([p, r]) => evaluateProxy(c.target, p, r, c.truth))),
    );
    expect(html).toContain('Weighted Kendall τ of proxy score vs fine-tuned accuracy');
    expect(html).toContain('history-prior × exp(leep@probe500#seed0)');
  });
});

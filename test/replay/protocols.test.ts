import { loadAnchors } from '../../replay/load';
import { looCases, looTargets, paperCases, PAPER_TARGETS } from '../../replay/protocols';
import { ANCHORS_DIR, describePublished, writeTinyAnchors } from './anchors';

describe('loo protocol on a tiny directory', () => {
  it('makes every dataset with enough runs a target and keeps it out of history and curves', async () => {
    const data = await loadAnchors(writeTinyAnchors());
    expect(looTargets(data.runs, 3)).toEqual(['x', 'y']);
    const cases = looCases(data, { minModels: 3, seed: 9 });
    expect(cases.map((c) => c.task.target)).toEqual(['x', 'y']);
    const [x] = cases;
    expect(x?.task.pool).toEqual(['a', 'b', 'c']);
    expect(x?.task.maxEpochs).toBe(2);
    expect(x?.task.seed).toBe(9);
    expect([...(x?.task.proxies.keys() ?? [])]).toEqual([...data.proxies.keys()].filter((k) => data.proxies.get(k)?.has('x')));
    for (const byDataset of x?.task.proxyHistory?.values() ?? []) expect(byDataset.has('x')).toBe(false);
    expect(x?.task.direction).toBe('maximize');
    expect(x?.task.history.datasets).toEqual(['y', 'z']);
    expect(x?.task.history.models).toEqual(['a', 'b', 'c']);
    expect([...(x?.task.history.values ?? [])]).toEqual([0.8, 0.75, 0.9, 0.3, 0.4, Number.NaN]);
    expect(x?.task.curves.runs.some((r) => r.dataset === 'x')).toBe(false);
    expect([...(x?.test ?? [])]).toEqual([
      ['a', 0.6],
      ['b', 0.7],
      ['c', 0.65],
    ]);
    expect(x?.targetRuns.runs.map((r) => r.val)).toEqual([
      [0.5, 0.55],
      [0.6, 0.5],
      [0.4, 0.6],
    ]);
  });

  it('rejects minModels < 1', async () => {
    const data = await loadAnchors(writeTinyAnchors());
    expect(() => looCases(data, { minModels: 0 })).toThrow(/minModels is 0, but must be an integer >= 1/);
  });
});

describePublished('the paper and loo protocols on the published anchors', () => {
  it('paper: 40-model pool, four targets, LEEP, rounded scores, missing runs as zeros', async () => {
    const cases = paperCases(await loadAnchors(ANCHORS_DIR));
    expect(cases.map((c) => c.task.target)).toEqual([...PAPER_TARGETS]);
    const tweet = cases[0];
    expect(tweet?.task.pool.length).toBe(40);
    expect(tweet?.task.proxies.get('leep')?.size).toBe(39);
    expect(tweet?.task.history.models.length).toBe(39);
    const zeros = tweet?.targetRuns.runs.filter((r) => r.test === 0 && r.val.every((v) => v === 0)) ?? [];
    expect(zeros.length).toBe(24);
    expect(tweet?.task.curves.runs.every((r) => r.val.every((v) => Math.round(v * 100) / 100 === v))).toBe(true);
  });

  it('loo: 30 targets with at least 25 models, pool = every model run on the target', async () => {
    const data = await loadAnchors(ANCHORS_DIR);
    const cases = looCases(data);
    expect(cases.length).toBe(30);
    expect(cases.map((c) => c.task.target)).not.toContain('amazon');
    for (const c of cases) {
      expect(c.task.pool.length).toBe(data.runs.runs.filter((r) => r.dataset === c.task.target).length);
      expect(c.task.history.datasets).not.toContain(c.task.target);
    }
  });
});

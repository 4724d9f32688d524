import { evaluateRecall, recallShortlist, type EvaluationInput } from '../../evaluation';

// Three models on two history datasets and a target; hand-computed below.
//        h1   h2   t
//   a   .6   .8   .9
//   b   .7   .6   .8
//   c   .5   .7   .7
const matrix = { models: ['a', 'b', 'c'], datasets: ['h1', 'h2', 't'], values: Float64Array.from([0.6, 0.7, 0.5, 0.8, 0.6, 0.7, 0.9, 0.8, 0.7]) };
const logme = new Map([
  ['a', 0],
  ['b', 1],
  ['c', 0.5],
]);
const input: EvaluationInput = { matrix, directions: new Map(), proxies: new Map([['t', new Map([['logme', logme]])]]), k: 1 };
const row = (e: ReturnType<typeof evaluateRecall>, target: string, method: string) => e.rows.find((r) => r.target === target && r.method === method);

describe('evaluateRecall (leave one dataset out)', () => {
  const e = evaluateRecall(input);

  it('judges every dataset with enough models when no target is named', () => {
    expect(e.targets).toEqual(['h1', 'h2', 't']);
  });

  it('history prior on t: means over h1, h2 are a .70, b .65, c .60, the true order', () => {
    expect(row(e, 't', 'history-prior')).toMatchObject({
      models: 3,
      pearson: expect.closeTo(1, 9),
      spearman: expect.closeTo(1, 9),
      tau: expect.closeTo(1, 9),
      regret: 0,
      hitAtK: 1,
      unit: 'points',
    });
  });

  it('logme on t ranks b, c, a: Spearman 1 - 6·6/(3·8) = -0.5, top-1 regret 10 points', () => {
    expect(row(e, 't', 'logme')).toMatchObject({ spearman: expect.closeTo(-0.5, 9), regret: expect.closeTo(10, 9), hitAtK: 0 });
  });

  it('prior × exp(logme) on t: a .70, b .65e = 1.767, c .60e^0.5 = 0.989: picks b, regret 10 points', () => {
    expect(row(e, 't', 'history-prior × exp(logme)')).toMatchObject({ spearman: expect.closeTo(-0.5, 9), regret: expect.closeTo(10, 9) });
  });

  it('h1 (prior over h2, t: a .85, b .70, c .70) picks a: regret 10 points; h2 ties a and b at .75, picks a, the best: 0', () => {
    expect(row(e, 'h1', 'history-prior')?.regret).toBeCloseTo(10, 9);
    expect(row(e, 'h2', 'history-prior')?.regret).toBeCloseTo(0, 9);
    expect(e.means.find((r) => r.method === 'history-prior')).toMatchObject({ regret: expect.closeTo(10 / 3, 9), hitAtK: expect.closeTo(2 / 3, 9) });
  });

  it('reports regret in the metric units for percent values and warns about them', () => {
    const pct = evaluateRecall({ ...input, matrix: { ...matrix, values: matrix.values.map((v) => v * 100) } });
    expect(row(pct, 't', 'logme')).toMatchObject({ regret: expect.closeTo(10, 9), unit: 'units' });
    expect(pct.warnings).toEqual(expect.arrayContaining([expect.stringContaining('t: values look like percent')]));
  });

  it('refuses unknown or thin targets and never averages over zero targets', () => {
    expect(() => evaluateRecall({ ...input, targets: ['tt'] })).toThrow('unknown target(s) tt; the store has the datasets h1, h2, t');
    expect(() => evaluateRecall({ ...input, minModels: 4 })).toThrow('no dataset has at least 4 models with a value');
    expect(() => evaluateRecall({ ...input, targets: ['t'], minModels: 4 })).toThrow('target(s) t (3 models) have fewer than 4 models with a value');
  });
});

describe('recallShortlist', () => {
  it('ranks by prior × exp(proxy) without the target and shows why', () => {
    const s = recallShortlist({ matrix, directions: new Map(), proxies: new Map([['logme', logme]]), target: 't', proxy: 'logme', size: 3 });
    expect(s.entries.map((x) => [x.model, x.score])).toEqual([
      ['b', expect.closeTo(0.65 * Math.E, 9)],
      ['c', expect.closeTo(0.6 * Math.exp(0.5), 9)],
      ['a', expect.closeTo(0.7, 9)],
    ]);
    expect(s.entries[0]).toMatchObject({
      rank: 1,
      prior: expect.closeTo(0.65, 9),
      datasets: 2,
      proxy: 1,
      measured: 0.8,
      why: 'mean 0.6500 over 2 dataset(s) × exp(logme 1.0000)',
    });
  });

  it('ranks by the prior alone and names the stored proxies it did not use', () => {
    const s = recallShortlist({ matrix, directions: new Map(), proxies: new Map([['logme', logme]]), target: 't', proxy: null, size: 2 });
    expect(s.entries.map((x) => x.model)).toEqual(['a', 'b']);
    expect(s.notes).toContain('proxy scores stored on t: logme (rank by one with --proxy <name>)');
  });

  it('refuses an unknown target or proxy', () => {
    expect(() => recallShortlist({ matrix, directions: new Map(), proxies: new Map(), target: 'x', proxy: null })).toThrow('unknown target x');
    expect(() => recallShortlist({ matrix, directions: new Map(), proxies: new Map([['logme', logme]]), target: 't', proxy: 'leep' })).toThrow(
      'no leep scores on t; stored proxies there: logme',
    );
  });
});

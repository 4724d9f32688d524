import {
  evidenceScores,
  fitEvidenceWeights,
  MIN_EVIDENCE_DATASETS,
  neighbourPrior,
  nonNegativeLeastSquares,
  zOver,
  type ProxyHistory,
} from '../../algorithms/evidence';
import type { PerformanceMatrix } from '../../algorithms/types';

const MODELS = ['a', 'b', 'c', 'd'];

/** Rows (datasets) of results for a..d. */
function matrix(rows: number[][]): PerformanceMatrix {
  return { models: MODELS, datasets: rows.map((_, i) => `h${i}`), values: Float64Array.from(rows.flat()) };
}

/** The same proxy scores on every history dataset. */
function proxyOn(datasets: readonly string[], scores: readonly number[]): ProxyHistory {
  return new Map([['logme', new Map(datasets.map((d) => [d, new Map(MODELS.map((m, i) => [m, scores[i] ?? Number.NaN]))]))]]);
}

describe('zOver', () => {
  it('z-scores the finite scores of the models (population sd), 0 for a model without one', () => {
    // 1, 2, 3: mean 2, sd sqrt(2/3)
    const z = zOver(
      ['a', 'b', 'c', 'x'],
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
    );
    expect(z.map((v) => +v.toFixed(4))).toEqual([-1.2247, 0, 1.2247, 0]);
  });

  it('gives 0 everywhere for a flat proxy, a single score or none', () => {
    expect(
      zOver(
        ['a', 'b'],
        new Map([
          ['a', 5],
          ['b', 5],
        ]),
      ),
    ).toEqual([0, 0]);
    expect(zOver(['a', 'b'], new Map([['a', 5]]))).toEqual([0, 0]);
    expect(zOver(['a', 'b'], undefined)).toEqual([0, 0]);
  });
});

describe('nonNegativeLeastSquares', () => {
  it('recovers exact non-negative coefficients', () => {
    const x = [
      [1, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ];
    const y = x.map(([p = 0, q = 0]) => 2 * p + 0.5 * q);
    expect(nonNegativeLeastSquares(x, y).map((c) => +c.toFixed(6))).toEqual([2, 0.5]);
  });

  it('drops a column whose least-squares coefficient is negative and refits the rest', () => {
    // y = x1 - x2 exactly; without x2, y on x1 alone: sum(x1 y) / sum(x1^2) = (1*1 + 1*0 + 2*1) / (1 + 1 + 4) = 0.5
    const x = [
      [1, 0],
      [1, 1],
      [2, 1],
    ];
    const y = [1, 0, 1];
    expect(nonNegativeLeastSquares(x, y).map((c) => +c.toFixed(6))).toEqual([0.5, 0]);
  });
});

describe('fitEvidenceWeights', () => {
  // Six history datasets; d is best on h0-h2 and worst on h3-h5, so the prior says little about d.
  const rows = [
    [0.7, 0.6, 0.5, 0.9],
    [0.7, 0.6, 0.5, 0.9],
    [0.7, 0.6, 0.5, 0.9],
    [0.9, 0.8, 0.7, 0.1],
    [0.9, 0.8, 0.7, 0.1],
    [0.9, 0.8, 0.7, 0.1],
  ];
  const history = matrix(rows);

  it('weights a proxy that ranked the models as their results did on past targets', () => {
    const proxyHistory: ProxyHistory = new Map([
      ['logme', new Map(history.datasets.map((d, i) => [d, new Map(MODELS.map((m, j) => [m, rows[i]?.[j] ?? 0]))]))],
    ]);
    const w = fitEvidenceWeights(history, proxyHistory, ['logme']);
    expect(w.datasets).toBe(6);
    expect(w.proxies.get('logme')).toBeGreaterThan(0.5);
    expect(w.warnings).toEqual([]);
  });

  it('leaves out a flat proxy, with a warning, so that the evidence is the prior alone', () => {
    const w = fitEvidenceWeights(history, proxyOn(history.datasets, [1, 1, 1, 1]), ['logme']);
    expect(w.proxies.size).toBe(0);
    expect(w.warnings.join()).toMatch(/logme did not rank models better than the prior/);
  });

  it(`needs scores on ${MIN_EVIDENCE_DATASETS} history datasets before it weighs a proxy`, () => {
    const w = fitEvidenceWeights(history, proxyOn(history.datasets.slice(0, MIN_EVIDENCE_DATASETS - 1), [4, 3, 2, 1]), ['logme']);
    expect(w).toEqual({
      prior: 1,
      proxies: new Map(),
      datasets: 0,
      warnings: [expect.stringMatching(/logme has scores on 4 history dataset\(s\), fewer than the 5 needed/)],
    });
  });
});

describe('evidenceScores', () => {
  const prior = new Map([
    ['a', 1],
    ['b', 0],
    ['c', -1],
  ]);

  it('adds each weighted proxy z-score to the weighted prior', () => {
    const w = { prior: 2, proxies: new Map([['logme', 1]]), datasets: 6, warnings: [] };
    // logme 1, 2, 3 on a, b, c: z = -1.2247, 0, 1.2247
    const s = evidenceScores(
      ['a', 'b', 'c'],
      prior,
      new Map([
        [
          'logme',
          new Map([
            ['a', 1],
            ['b', 2],
            ['c', 3],
          ]),
        ],
      ]),
      w,
    );
    expect(s.map((v) => +v.toFixed(4))).toEqual([0.7753, 0, -0.7753]);
  });

  it('keeps the prior order for a flat proxy and counts the mean prior for a model without one', () => {
    const w = { prior: 1, proxies: new Map([['logme', 3]]), datasets: 6, warnings: [] };
    const s = evidenceScores(
      ['a', 'b', 'c', 'new'],
      prior,
      new Map([
        [
          'logme',
          new Map([
            ['a', 7],
            ['b', 7],
            ['c', 7],
            ['new', 7],
          ]),
        ],
      ]),
      w,
    );
    expect(s).toEqual([1, 0, -1, 0]);
  });
});

describe('neighbourPrior', () => {
  // h0's proxy profile matches the target's, h1's is reversed (left out), h2 has no scores.
  const history: PerformanceMatrix = {
    models: ['a', 'b', 'c'],
    datasets: ['h0', 'h1', 'h2'],
    values: Float64Array.from([0.1, 0.2, 0.3, 0.9, 0.5, 0.1, 0.5, 0.5, 0.9]),
  };
  const scored = new Map([
    [
      'h0',
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
    ],
    [
      'h1',
      new Map([
        ['a', 3],
        ['b', 2],
        ['c', 1],
      ]),
    ],
  ]);
  const target = new Map([
    ['a', 10],
    ['b', 20],
    ['c', 30],
  ]);

  it("averages the z-scored results of the datasets whose proxy profile correlates positively with the target's", () => {
    expect(neighbourPrior(['a', 'b', 'c'], target, history, scored).map((v) => +v.toFixed(4) + 0)).toEqual([-1.2247, 0, 1.2247]);
  });

  it('is 0 everywhere for a flat target, or when the only similar dataset is left out', () => {
    expect(
      neighbourPrior(
        ['a', 'b', 'c'],
        new Map([
          ['a', 1],
          ['b', 1],
          ['c', 1],
        ]),
        history,
        scored,
      ),
    ).toEqual([0, 0, 0]);
    expect(neighbourPrior(['a', 'b', 'c'], target, history, scored, 3, 'h0')).toEqual([0, 0, 0]);
  });
});

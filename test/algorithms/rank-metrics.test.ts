import { averageRanks, pearson, spearman, topOneRegret, weightedTau } from '../../algorithms/rank-metrics';

describe('averageRanks', () => {
  it('ranks ascending from 1 and averages ties', () => {
    expect(averageRanks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(averageRanks([7, 7, 7])).toEqual([2, 2, 2]);
    expect(averageRanks([])).toEqual([]);
  });

  it('rejects NaN', () => {
    expect(() => averageRanks([1, Number.NaN])).toThrow(/values\[1\] is NaN, but ranks need comparable numbers/);
  });
});

describe('pearson', () => {
  it('matches the hand-computed coefficient', () => {
    // dx = [-1.5, -0.5, 0.5, 1.5], dy = [-3, -1, 0, 4]: Σdxdy = 11, Σdx² = 5, Σdy² = 26.
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 15);
  });

  it('drops pairs with a non-finite value', () => {
    expect(pearson([1, 2, 3, 4, Number.NaN, 6], [2, 4, 5, 9, 100, Number.POSITIVE_INFINITY])).toBeCloseTo(11 / Math.sqrt(130), 15);
  });

  it('is ±1 for exact linear relations and NaN when undefined', () => {
    expect(pearson([1, 2, 3], [-2, -4, -6])).toBeCloseTo(-1, 15);
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNaN();
    expect(pearson([1], [2])).toBeNaN();
  });

  it('rejects arrays of different lengths', () => {
    expect(() => pearson([1, 2], [1])).toThrow(/the two score arrays have 2 and 1 entries, but must be the same length/);
  });
});

describe('spearman', () => {
  it('is 1 - 6Σd²/(n(n²-1)) without ties', () => {
    // ranks differ by 0, 1, 1, 0: 1 - 6·2/(4·15) = 0.8.
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 15);
  });

  it('uses average ranks for ties', () => {
    // x ranks [1, 2.5, 2.5, 4]: Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5.
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 15);
  });

  it('ignores monotone transforms and drops incomplete pairs', () => {
    const x = [0.3, 0.1, 0.9, 0.5, 0.7];
    const y = [2, 1, 3, 5, 4];
    expect(spearman(x, y.map(Math.exp))).toBeCloseTo(spearman(x, y), 15);
    expect(spearman([...x, Number.NaN], [...y, 0])).toBeCloseTo(spearman(x, y), 15);
    expect(spearman(x, [...y].reverse())).toBeCloseTo(-spearman(x, y), 15);
  });
});

describe('weightedTau', () => {
  it('is 1 for identical orders and -1 for exactly opposite ones, ties included', () => {
    expect(weightedTau([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 15);
    expect(weightedTau([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 15);
    expect(weightedTau([1, 1, 2, 5], [-1, -1, -2, -5])).toBeCloseTo(-1, 15);
  });

  it('averages the two lexicographic rankings (hand-computed)', () => {
    // By x: weights 1, 1/2, 1/3 for elements 0, 1, 2. Pairs 01 (w 3/2) and 02 (4/3) are
    // discordant, 12 (5/6) concordant: (-3/2 - 4/3 + 5/6) / (11/3) = -6/11.
    // By y: element 1 first, then 2, then 0: 01 (4/3) and 02 (5/6) discordant, 12 (3/2)
    // concordant: -2/11. Mean: -4/11.
    expect(weightedTau([3, 2, 1], [1, 3, 2])).toBeCloseTo(-4 / 11, 15);
    // Same scheme for x = [1, 2, 3]: both rankings give 2/11.
    expect(weightedTau([1, 2, 3], [1, 3, 2])).toBeCloseTo(2 / 11, 15);
  });

  it('leaves pairs tied on one side out of that side’s normaliser (hand-computed)', () => {
    // x = [2, 1, 1], y = [1, 2, 3]. By (x, y): ranks 0, 2, 1; pairs 01 (4/3) and 02 (3/2) are
    // discordant, 12 (5/6) is tied in x: -(17/6) / √((17/6)(22/6)) = -√(17/22).
    // By (y, x): ranks 2, 1, 0; 01 (5/6), 02 (4/3) discordant, 12 (3/2) tied in x: -√(13/22).
    expect(weightedTau([2, 1, 1], [1, 2, 3])).toBeCloseTo(-(Math.sqrt(17 / 22) + Math.sqrt(13 / 22)) / 2, 15);
  });

  it('multiplies the two weights when not additive (hand-computed)', () => {
    // By x: 01 (1/3 · 1/2) and 02 (1/3 · 1) concordant, 12 (1/2 · 1) discordant: 1/6 + 1/3 - 1/2 = 0.
    expect(weightedTau([1, 2, 3], [1, 3, 2], { additive: false })).toBeCloseTo(0, 15);
  });

  it('reproduces the values in the scipy.stats.weightedtau documentation', () => {
    const x = [12, 2, 1, 12, 2];
    const y = [1, 4, 7, 1, 0];
    expect(weightedTau(x, y)).toBeCloseTo(-0.56694968153682723, 14);
    expect(weightedTau(x, y, { additive: false })).toBeCloseTo(-0.62205716951801038, 14);
    expect(weightedTau(x, y, { weigher: () => 1 })).toBeCloseTo(-0.47140452079103173, 14);
  });

  it('treats NaN as the lowest score, as scipy does', () => {
    expect(weightedTau([12, 2, 1, 12, 2], [1, 4, 7, 1, Number.NaN])).toBeCloseTo(-0.56694968153682723, 14);
  });

  it('is NaN when a side is constant or there is a single element', () => {
    expect(weightedTau([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(weightedTau([1], [1])).toBeNaN();
  });

  it('weighs an exchange at the top more than one at the bottom', () => {
    const truth = [5, 4, 3, 2, 1];
    expect(weightedTau(truth, [4, 5, 3, 2, 1])).toBeLessThan(weightedTau(truth, [5, 4, 3, 1, 2]));
  });

  it('rejects arrays of different lengths', () => {
    expect(() => weightedTau([1, 2], [1, 2, 3])).toThrow(/have 2 and 3 entries, but must be the same length/);
  });
});

describe('topOneRegret', () => {
  it('is the best truth minus the truth of the proxy’s top model', () => {
    expect(topOneRegret([0.1, 0.9, 0.5], [0.8, 0.7, 0.9])).toBeCloseTo(0.2, 15);
    expect(topOneRegret([0.1, 0.2, 0.9], [0.8, 0.7, 0.9])).toBe(0);
  });

  it('picks the first model on a proxy tie', () => {
    expect(topOneRegret([1, 1, 0], [0.5, 0.9, 0.1])).toBeCloseTo(0.4, 15);
  });

  it('picks only among models with both values, but measures against the best truth of all', () => {
    // Model 2 has no truth, so the pick is model 1 (0.6); model 0 is best (1) although unscored.
    expect(topOneRegret([Number.NaN, 0.5, 0.9], [1, 0.6, Number.NaN])).toBeCloseTo(0.4, 15);
    expect(topOneRegret([Number.NaN], [1])).toBeNaN();
  });
});

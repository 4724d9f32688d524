import { proxyComputations, recall, recallScores, topBy } from '../../algorithms/recall';
import type { Clustering, PerformanceMatrix } from '../../algorithms/types';

// models a, b, c over 2 datasets: a = (0.8, 0.6), b = (0.6, 0.4), c = (0.6, 0.8)
const H: PerformanceMatrix = { models: ['a', 'b', 'c'], datasets: ['x', 'y'], values: Float64Array.from([0.8, 0.6, 0.6, 0.6, 0.4, 0.8]) };
const C: Clustering = { models: ['a', 'b', 'c'], labels: [0, 0, 1], representatives: new Map([[0, 'a']]) };
const LEEP = new Map([
  ['a', 0],
  ['b', Math.log(2)],
  ['c', Math.log(3)],
]);

describe('recallScores', () => {
  it('scores cluster members by mean x exp(proxy) and singletons through the representatives', () => {
    // a: 0.7 * 1; b: 0.5 * 2; c: 0.7 * cos(c, a) * exp(P(a)) = 0.7 * 0.96 * 1
    const s = recallScores(H, C, { kind: 'scores', scores: LEEP });
    expect(s[0]).toBeCloseTo(0.7, 12);
    expect(s[1]).toBeCloseTo(1.0, 12);
    expect(s[2]).toBeCloseTo(0.672, 12);
  });

  it('is the mean history alone with the prior proxy', () => {
    const s = recallScores(H, C, { kind: 'prior' });
    expect(s.map((v) => Math.round(v * 1e12) / 1e12)).toEqual([0.7, 0.5, 0.7]);
  });

  it('gives singletons NaN when no cluster has a representative', () => {
    const s = recallScores(H, { ...C, representatives: new Map() }, { kind: 'scores', scores: LEEP });
    expect(s[2]).toBeNaN();
  });

  it('rejects a missing proxy score and a clustering of other models', () => {
    expect(() => recallScores(H, C, { kind: 'scores', scores: new Map([['a', 0]]) })).toThrow(/proxy score of b is undefined/);
    expect(() => recallScores(H, { ...C, models: ['a', 'c', 'b'] }, { kind: 'scores', scores: LEEP })).toThrow(/clustering.models must equal history.models/);
  });
});

describe('recall and topBy', () => {
  it('keeps the best `size` models, best first', () => {
    expect(recall(H, C, { kind: 'scores', scores: LEEP }, 2)).toEqual(['b', 'a']);
    expect(recall(H, C, { kind: 'prior' }, 2)).toEqual(['a', 'c']);
  });

  it('topBy breaks ties by order, puts NaN last and caps at the list', () => {
    expect(topBy(['p', 'q', 'r'], [Number.NaN, 1, 1], 3)).toEqual(['q', 'r', 'p']);
    expect(topBy(['p'], [1], 5)).toEqual(['p']);
    expect(() => topBy(['p'], [1], 0)).toThrow(/size is 0, but must be an integer >= 1/);
  });

  it('counts one proxy computation per member of a multi-model cluster', () => {
    expect(proxyComputations(C, { kind: 'scores', scores: LEEP })).toBe(2);
    expect(proxyComputations(C, { kind: 'prior' })).toBe(0);
  });
});

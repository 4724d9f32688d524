import { paperDistance, paperDistanceMatrix } from '../../algorithms/cluster-paper';
import { condensedIndex } from '../../algorithms/average-linkage';
import { paperDistancesCondensed } from '../../algorithms/paper-distance';
import { modelVectors } from '../../algorithms/matrix';
import { mulberry32 } from '../../algorithms/random';
import type { PerformanceMatrix } from '../../algorithms/types';

/** n models × dims datasets; a share of cells missing (NaN) or not positive (0, -0.2). */
function randomMatrix(n: number, dims: number, seed: number, gaps: number): PerformanceMatrix {
  const r = mulberry32(seed);
  const values = Float64Array.from({ length: n * dims }, () => {
    const u = r();
    if (u < gaps / 2) return Number.NaN;
    if (u < gaps) return u < (gaps * 3) / 4 ? 0 : -0.2;
    return Math.round(r() * 1000) / 1000;
  });
  return { models: Array.from({ length: n }, (_, i) => `m${i}`), datasets: Array.from({ length: dims }, (_, d) => `d${d}`), values };
}

describe('paperDistancesCondensed', () => {
  it.each([
    [5, 0],
    [5, 0.3],
    [3, 0.2],
    [1, 0.1],
  ])('equals paperDistance bit for bit (top %p, %p of the cells unusable)', (top, gaps) => {
    const m = randomMatrix(25, 12, 11 + top, gaps);
    const want = paperDistanceMatrix(modelVectors(m), top);
    const got = paperDistancesCondensed(m, top);
    expect(got.length).toBe((25 * 24) / 2);
    for (let i = 0; i < 25; i += 1) for (let j = i + 1; j < 25; j += 1) expect(got[condensedIndex(25, i, j)]).toBe(want[i]?.[j]);
  });

  it('is +Infinity with 5 or fewer shared positive scores and 0 for equal vectors', () => {
    const m: PerformanceMatrix = {
      models: ['a', 'b', 'c'],
      datasets: ['1', '2', '3', '4', '5', '6'],
      values: Float64Array.from([0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.8, 0.8, 0.8, 0.9, 0.9, 0.9, 0.4, 0.4, Number.NaN]),
    };
    expect([...paperDistancesCondensed(m)]).toEqual([0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(paperDistance([0.5, 0.6, 0.7, 0.8, 0.9, 0.4], [0.5, 0.6, 0.7, 0.8, 0.9, Number.NaN])).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a bad topDifferences', () => {
    expect(() => paperDistancesCondensed(randomMatrix(3, 6, 1, 0), 0)).toThrow(/topDifferences is 0, but must be an integer >= 1/);
  });
});

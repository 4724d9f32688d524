import { agglomerateCondensed, condensedIndex, rowOffset, toCondensed } from '../../algorithms/average-linkage';

describe('condensed matrices', () => {
  it('index the upper triangle row by row, symmetric in (i, j)', () => {
    // n = 4: (0,1) (0,2) (0,3) (1,2) (1,3) (2,3)
    expect(
      [
        [0, 1],
        [0, 2],
        [0, 3],
        [1, 2],
        [1, 3],
        [2, 3],
      ].map(([i, j]) => condensedIndex(4, i ?? 0, j ?? 0)),
    ).toEqual([0, 1, 2, 3, 4, 5]);
    expect(condensedIndex(4, 3, 1)).toBe(4);
    expect(rowOffset(4, 2) + 3).toBe(5);
    expect([
      ...toCondensed([
        [0, 1, 2],
        [1, 0, 3],
        [2, 3, 0],
      ]),
    ]).toEqual([1, 2, 3]);
  });
});

describe('agglomerateCondensed', () => {
  it('merges by average linkage: {0,1} at 0.02, then 2 at (0.1 + 0.06) / 2 = 0.08', () => {
    expect(agglomerateCondensed(Float64Array.from([0.02, 0.1, 0.06]), 3, 0.09)).toEqual([[0, 1, 2]]);
    expect(agglomerateCondensed(Float64Array.from([0.02, 0.1, 0.06]), 3, 0.07)).toEqual([[0, 1], [2]]);
  });

  it('lists members in merge order: a later low slot joins after the slot it merged into', () => {
    // 1-2 first (0.01), then 0 with {1,2} (0.03): [0, 1, 2]; 3 stays alone
    const inf = Number.POSITIVE_INFINITY;
    const d = toCondensed([
      [0, 0.03, 0.03, inf],
      [0.03, 0, 0.01, inf],
      [0.03, 0.01, 0, inf],
      [inf, inf, inf, 0],
    ]);
    expect(agglomerateCondensed(d, 4, 0.05)).toEqual([[0, 1, 2], [3]]);
  });

  it('handles no and one item, and rejects a wrong length or threshold', () => {
    expect(agglomerateCondensed(new Float64Array(0), 0, 0.1)).toEqual([]);
    expect(agglomerateCondensed(new Float64Array(0), 1, 0.1)).toEqual([[0]]);
    expect(() => agglomerateCondensed(new Float64Array(2), 3, 0.1)).toThrow(/dist has 2 entries, but 3 items need n\(n-1\)\/2 = 3/);
    expect(() => agglomerateCondensed(new Float64Array(3), 3, Number.POSITIVE_INFINITY)).toThrow(/threshold is Infinity, but must be a finite number/);
  });
});

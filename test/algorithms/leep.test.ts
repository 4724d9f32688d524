import { empiricalConditional, leep } from '../../algorithms/leep';

describe('leep', () => {
  const theta = [
    [0.8, 0.2],
    [0.6, 0.4],
    [0.3, 0.7],
    [0.1, 0.9],
  ];
  const labels = [0, 0, 1, 1];

  it('matches the hand-computed value', () => {
    // P̂(y|z): y=0 → [0.35/0.45, 0.15/0.55] = [7/9, 3/11]; y=1 → [2/9, 8/11].
    // Expected predictions: 67/99, 57/99, 57/99, 67/99.
    expect(leep(theta, labels)).toBeCloseTo((Math.log(67 / 99) + Math.log(57 / 99)) / 2, 12);
  });

  it('builds the empirical conditional of eq. (2)', () => {
    const c = empiricalConditional(theta, labels, 2);
    expect(Array.from(c.get(0) ?? [])).toEqual([expect.closeTo(7 / 9, 12), expect.closeTo(3 / 11, 12)]);
    expect(Array.from(c.get(1) ?? [])).toEqual([expect.closeTo(2 / 9, 12), expect.closeTo(8 / 11, 12)]);
  });

  it('is 0 when the source labels determine the target labels', () => {
    expect(
      leep(
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
          [0, 1, 0],
        ],
        [1, 0, 0, 0],
      ),
    ).toBeCloseTo(0, 12);
  });

  it('is the negative label entropy for an uninformative source', () => {
    const uniform = [
      [0.5, 0.5],
      [0.5, 0.5],
      [0.5, 0.5],
      [0.5, 0.5],
    ];
    expect(leep(uniform, [0, 1, 1, 1])).toBeCloseTo(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75), 12);
  });

  it('skips source labels that carry no mass', () => {
    const withDead = theta.map(([a, b]) => [a ?? 0, 0, b ?? 0]);
    expect(leep(withDead, labels)).toBeCloseTo(leep(theta, labels), 12);
  });

  it('handles a single sample', () => {
    expect(leep([[0.25, 0.75]], [3])).toBeCloseTo(0, 12);
  });

  it.each([
    [[], [], /empty/],
    [[[0.5, 0.5]], [0, 1], /must match/],
    [[[0.5, 0.5], [1]], [0, 1], /row 1 has 1 entries/],
    [[[0.7, 0.7]], [0], /row 0 sums to 1.4/],
    [[[1.5, -0.5]], [0], /must be >= 0/],
    [[[Number.NaN, 1]], [0], /must be >= 0/],
    [[[0.5, 0.5]], [0.5], /must be an integer >= 0/],
    [[[0.5, 0.5]], [-1], /must be an integer >= 0/],
  ])('rejects malformed input %#', (p, y, message) => {
    expect(() => leep(p, y)).toThrow(message);
  });

  it('accepts rows within the sum tolerance and rejects beyond it', () => {
    // One sample: P̂(y|z) = 1 wherever there is mass, so LEEP = log Σ_z θ_z.
    expect(leep([[0.5, 0.50005]], [0])).toBeCloseTo(Math.log(1.00005), 12);
    expect(() => leep([[0.5, 0.50005]], [0], { sumTolerance: 1e-6 })).toThrow(/±0.000001/);
  });
});

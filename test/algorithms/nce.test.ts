import { argmaxRows, labelCounts, nce, nceFromProbabilities, readLabels } from '../../algorithms/nce';

describe('nce', () => {
  it('is Σ P(z,y) log P(y|z) on a hand-computed table', () => {
    // z=0 sees y=0 once and y=1 once (P(y|z) = 1/2 each); z=1 sees y=1 twice (P = 1).
    // NCE = 1/4 log 1/2 + 1/4 log 1/2 + 1/2 log 1 = -(1/2) ln 2.
    expect(nce([0, 0, 1, 1], [0, 1, 1, 1])).toBeCloseTo(-Math.log(2) / 2, 15);
  });

  it('weights each source label by its frequency', () => {
    // z=0: y=0 twice, y=1 once -> 2 ln(2/3) + ln(1/3); z=1 and z=2 are pure.
    expect(nce([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 1, 2])).toBeCloseTo((2 * Math.log(2 / 3) + Math.log(1 / 3)) / 6, 15);
  });

  it('is 0 when Z determines Y, even when several z share a y', () => {
    expect(nce([5, 5, 7, 9], [1, 1, 0, 0])).toBe(0);
  });

  it('is -H(Y) when Z is constant', () => {
    expect(nce([3, 3, 3, 3], [0, 1, 0, 1])).toBeCloseTo(-Math.log(2), 15);
  });

  it('does not depend on how either label set is numbered', () => {
    const z = [0, 0, 1, 1, 2, 2, 2];
    const y = [0, 1, 1, 1, 0, 2, 2];
    const renamedZ = z.map((v) => [7, 3, 11][v] ?? -1);
    const renamedY = y.map((v) => [2, 0, 1][v] ?? -1);
    expect(nce(renamedZ, renamedY)).toBeCloseTo(nce(z, y), 15);
  });

  it('accepts Int32Array labels', () => {
    expect(nce(Int32Array.from([0, 0, 1, 1]), Int32Array.from([0, 1, 1, 1]))).toBeCloseTo(-Math.log(2) / 2, 15);
  });

  it.each([
    [[0, 1, 2, 3], [0, 1, 2], /targetLabels has 3 entries, but must have one per sample \(4\)/],
    [[0, -1], [0, 1], /sourceLabels\[1\] is -1, but must be an integer in 0\.\.2147483647/],
    [[0, 1], [0, 1.5], /targetLabels\[1\] is 1\.5, but must be an integer/],
    [[0, Number.NaN], [0, 1], /sourceLabels\[1\] is NaN, but must be an integer/],
    [[], [], /there are 0 samples, but NCE needs at least 1/],
  ])('rejects bad labels %j / %j', (z, y, message) => {
    expect(() => nce(z, y)).toThrow(message);
  });
});

describe('nceFromProbabilities', () => {
  it('takes the argmax of each row as Z (first index on a tie)', () => {
    const probs = [
      [0.2, 0.8],
      [0.5, 0.5],
      [0.9, 0.1],
      [0.3, 0.7],
    ];
    expect([...argmaxRows(probs)]).toEqual([1, 0, 0, 1]);
    expect(nceFromProbabilities(probs, [1, 0, 0, 1])).toBe(0);
    // z=1 -> y=1 twice (pure); z=0 -> y=1 once, y=0 once: 2 · (1/4) ln(1/2).
    expect(nceFromProbabilities(probs, [1, 1, 0, 1])).toBeCloseTo(-Math.log(2) / 2, 15);
  });

  it('accepts Float64Array rows', () => {
    expect(nceFromProbabilities([Float64Array.from([0, 1]), Float64Array.from([1, 0])], [0, 1])).toBe(0);
  });

  it.each([
    [[[0.5, 0.5], [1]], /row 1 has 1 entries, but every row must have the same positive count \(2\)/],
    [[[]], /row 0 has 0 entries, but every row must have the same positive count/],
    [[[0.5, Number.NaN]], /row 0, column 1 is NaN, but must be finite/],
  ])('rejects bad probability rows %j', (probs, message) => {
    expect(() =>
      nceFromProbabilities(
        probs,
        probs.map(() => 0),
      ),
    ).toThrow(message);
  });
});

describe('label helpers', () => {
  it('readLabels copies into an Int32Array and checks the count', () => {
    const out = readLabels([2, 0, 2], 'y', 3);
    expect(out).toBeInstanceOf(Int32Array);
    expect([...out]).toEqual([2, 0, 2]);
    expect(() => readLabels([1], 'y', 2)).toThrow(/y has 1 entries, but must have one per sample \(2\)/);
  });

  it('labelCounts counts each label', () => {
    expect([...labelCounts(Int32Array.from([2, 0, 2, 2]))]).toEqual([
      [2, 3],
      [0, 1],
    ]);
  });
});

import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { parc, probeIndices } from '../../algorithms/parc';

function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

function randomFeatures(n: number, d: number, seed: number): number[][] {
  const r = uniform(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, r));
}

function naivePearson(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((v, i) => {
    ab += (v - ma) * ((b[i] ?? 0) - mb);
    aa += (v - ma) ** 2;
    bb += ((b[i] ?? 0) - mb) ** 2;
  });
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** Average rank by counting: 1 + #smaller + (#equal - 1) / 2. O(m²). */
function naiveRanks(v: readonly number[]): number[] {
  return v.map((x) => 1 + v.filter((y) => y < x).length + (v.filter((y) => y === x).length - 1) / 2);
}

/**
 * PARC the long way, as the reference code does it: PCA by SVD (sign: largest loading
 * positive; components beyond the rank are 0), standardise, 1 - corrcoef of the rows and of
 * the one-hot labels, upper triangles as plain arrays, Spearman by explicit ranks, x 100.
 */
function naiveParc(features: number[][], labels: number[], dims = 32): number {
  const n = features.length;
  const d = features[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => features.reduce((a, row) => a + (row[j] ?? 0), 0) / n);
  const xc = new Matrix(features.map((row) => row.map((v, j) => v - (mean[j] ?? 0))));
  const svd = new SingularValueDecomposition(xc, { autoTranspose: true });
  const k = Math.min(dims, n, d);
  const s0 = svd.diagonal[0] ?? 0;
  const columns = Array.from({ length: k }, (_, c) => {
    if ((svd.diagonal[c] ?? 0) <= 1e-5 * s0) return new Array<number>(n).fill(0);
    const v = svd.rightSingularVectors.getColumn(c);
    const big = v.reduce((best, x, j) => (Math.abs(x) > Math.abs(v[best] ?? 0) ? j : best), 0);
    const sign = (v[big] ?? 0) < 0 ? -1 : 1;
    const scores = xc
      .mmul(Matrix.columnVector(v))
      .getColumn(0)
      .map((x) => sign * x);
    const sd = Math.sqrt(scores.reduce((a, x) => a + x * x, 0) / n);
    return scores.map((x) => x / sd);
  });
  const rows = Array.from({ length: n }, (_, i) => columns.map((col) => col[i] ?? 0));
  const classes = Math.max(...labels) + 1;
  const oneHot = labels.map((y) => Array.from({ length: classes }, (_, c) => (c === y ? 1 : 0)));
  const fTri: number[] = [];
  const yTri: number[] = [];
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      fTri.push(1 - naivePearson(rows[i] ?? [], rows[j] ?? []));
      yTri.push(1 - naivePearson(oneHot[i] ?? [], oneHot[j] ?? []));
    }
  }
  return 100 * naivePearson(naiveRanks(fTri), naiveRanks(yTri));
}

describe('parc', () => {
  it('matches a fully hand-computed case', () => {
    // PCA keeps both (already uncorrelated) axes; standardised rows are (√2, 0), (−√2, 0),
    // (0, √2), (0, −√2). Two-entry rows correlate ±1, so D_f over the pairs
    // 12, 13, 14, 23, 24, 34 is [2, 2, 0, 0, 2, 2] and D_y is [0, 2, 2, 2, 2, 0] (C = 2 classes).
    // Average ranks: f = [4.5, 4.5, 1.5, 1.5, 4.5, 4.5], y = [1.5, 4.5, 4.5, 4.5, 4.5, 1.5];
    // centred products sum to −6 over variances 12 and 12: ρ = −0.5.
    expect(
      parc(
        [
          [2, 0],
          [-2, 0],
          [0, 1],
          [0, -1],
        ],
        [0, 0, 1, 1],
      ),
    ).toBeCloseTo(-50, 12);
  });

  it.each([
    ['n > d, 3 kept dimensions', 14, 5, 3, 3],
    ['n > d, all dimensions', 16, 6, 32, 4],
    ['n < d, a zero-variance component', 7, 10, 32, 2],
  ])('matches an explicit O(n²) implementation (%s)', (_, n, d, dims, classes) => {
    const f = randomFeatures(n, d, 100 + n + d);
    f[1] = [...(f[0] ?? [])]; // a duplicated sample: ties in the feature triangle
    const y = f.map((__, i) => (i * 7) % classes);
    expect(parc(f, y, { dimensions: dims })).toBeCloseTo(naiveParc(f, y, dims), 9);
  });

  it('reaches its maximum when every same-class pair is closer than every different-class pair', () => {
    // With D_y two-valued, Spearman is at most √(3 m0 m1 / (m² − 1)) for m0 same-class and
    // m1 different-class pairs: here 5 tight clusters of 6, m0 = 75, m1 = 360, m = 435.
    const r = uniform(77);
    const centres = Array.from({ length: 5 }, () => Array.from({ length: 4 }, () => 6 * r()));
    const y = Array.from({ length: 30 }, (_, i) => i % 5);
    const f = y.map((c) => (centres[c] ?? []).map((v) => v + 0.01 * r()));
    expect(parc(f, y)).toBeCloseTo(100 * Math.sqrt((3 * 75 * 360) / (435 ** 2 - 1)), 9);
    expect(
      parc(
        f,
        y.map((_, i) => Math.floor(i / 6)),
      ),
    ).toBeLessThan(20);
  });

  it('does not change when every feature is scaled by the same factor or shifted', () => {
    const f = randomFeatures(20, 6, 5);
    const y = f.map((_, i) => i % 4);
    const base = parc(f, y);
    expect(
      parc(
        f.map((row) => row.map((v) => 1000 * v + 3)),
        y,
      ),
    ).toBeCloseTo(base, 9);
    expect(
      parc(
        f.map((row) => row.map((v) => -0.5 * v)),
        y,
      ),
    ).toBeCloseTo(base, 9);
  });

  it('does not depend on how classes are numbered or on the order of the samples', () => {
    const f = randomFeatures(18, 5, 8);
    const y = f.map((_, i) => i % 3);
    const base = parc(f, y);
    expect(
      parc(
        f,
        y.map((c) => [5, 0, 2][c] ?? 0),
      ),
    ).toBeCloseTo(base, 12);
    const order = f.map((_, i) => (i * 5) % 18);
    expect(
      parc(
        order.map((i) => f[i] ?? []),
        order.map((i) => y[i] ?? 0),
      ),
    ).toBeCloseTo(base, 9);
  });

  it('is NaN when every feature dissimilarity is equal (a single feature, constant features)', () => {
    expect(parc([[1], [2], [3], [5]], [0, 0, 1, 1])).toBeNaN();
    expect(
      parc(
        [
          [1, 2],
          [1, 2],
          [1, 2],
          [1, 2],
        ],
        [0, 0, 1, 1],
      ),
    ).toBeNaN();
  });

  it('scores only the seeded probe subset when there are more samples than maxSamples', () => {
    const f = randomFeatures(40, 4, 12);
    const y = f.map((_, i) => i % 2);
    const idx = [...probeIndices(40, 15, 3)];
    const sub = parc(
      idx.map((i) => f[i] ?? []),
      idx.map((i) => y[i] ?? 0),
    );
    expect(parc(f, y, { maxSamples: 15, seed: 3 })).toBe(sub);
    expect(parc(f, y, { maxSamples: 40 })).toBe(parc(f, y));
  });

  it('uses randomized PCA above 256 dimensions and samples, close to the exact one on low-rank data', () => {
    const r = uniform(31);
    const n = 300;
    const d = 270;
    const basis = Array.from({ length: 6 }, () => Array.from({ length: d }, r));
    const y = Array.from({ length: n }, (_, i) => i % 3);
    const f = y.map((c) => {
      const coef = basis.map((_, k) => r() + (k === c ? 1 : 0));
      return Array.from({ length: d }, (_, j) => coef.reduce((a, w, k) => a + w * (basis[k]?.[j] ?? 0), 0) + 1e-4 * r());
    });
    const auto = parc(f, y, { dimensions: 6 });
    expect(parc(f, y, { dimensions: 6, pcaSolver: 'randomized' })).toBe(auto);
    expect(auto).toBeCloseTo(parc(f, y, { dimensions: 6, pcaSolver: 'exact' }), 6);
  });

  it.each([
    [[0, 0, 0, 0], /labels give 6 same-class and 0 different-class pairs, but PARC needs at least one of each/],
    [[0, 1, 2, 3], /labels give 0 same-class and 6 different-class pairs/],
    [[0, 1, 0], /labels has 3 entries, but must have one per sample \(4\)/],
    [[0, -1, 0, 1], /labels\[1\] is -1, but must be an integer/],
  ])('rejects labels %j', (y, message) => {
    expect(() =>
      parc(
        [
          [1, 2],
          [2, 1],
          [3, 5],
          [4, 0],
        ],
        y,
      ),
    ).toThrow(message);
  });

  it.each([
    [{ dimensions: 1 }, /dimensions is 1, but must be an integer >= 2/],
    [{ maxSamples: 2.5 }, /maxSamples is 2.5, but must be an integer >= 3/],
    [{ powerIterations: -1 }, /powerIterations is -1, but must be an integer >= 0/],
    [{ seed: 0.5 }, /seed is 0.5, but must be a safe integer/],
  ])('rejects options %j', (options, message) => {
    expect(() =>
      parc(
        [
          [1, 2],
          [2, 1],
          [3, 5],
          [4, 0],
        ],
        [0, 0, 1, 1],
        options,
      ),
    ).toThrow(message);
  });

  it('rejects an unknown PCA solver and non-finite features', () => {
    expect(() =>
      parc(
        [
          [1, 2],
          [2, 1],
          [3, 5],
          [4, 0],
        ],
        [0, 0, 1, 1],
        // @ts-expect-error 'svd' is not a solver
        { pcaSolver: 'svd' },
      ),
    ).toThrow(/pcaSolver is svd, but must be 'auto', 'exact' or 'randomized'/);
    expect(() =>
      parc(
        [
          [1, 2],
          [2, Number.NaN],
        ],
        [0, 1],
      ),
    ).toThrow(/features\[1\]\[1\] is NaN, but must be finite/);
  });
});

describe('probeIndices', () => {
  it('keeps every sample, in order, when there are at most maxSamples', () => {
    expect([...probeIndices(4, 4, 9)]).toEqual([0, 1, 2, 3]);
  });

  it('draws maxSamples distinct indices in ascending order, the same for the same seed', () => {
    const a = [...probeIndices(100, 10, 1)];
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    a.forEach((i) => expect(i >= 0 && i < 100).toBe(true));
    expect([...probeIndices(100, 10, 1)]).toEqual(a);
    expect([...probeIndices(100, 10, 2)]).not.toEqual(a);
  });

  it('rejects a bad sample count or cap', () => {
    expect(() => probeIndices(-1, 10, 0)).toThrow(/n is -1, but must be an integer >= 0/);
    expect(() => probeIndices(10, 0, 0)).toThrow(/maxSamples is 0, but must be an integer >= 1/);
  });
});

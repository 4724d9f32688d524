import { Matrix, pseudoInverse, SingularValueDecomposition } from 'ml-matrix';
import { centerColumns, hScore, ledoitWolfShrinkage, readFeatures, sampleComponents, shrinkageHScore, symmetricEigenpairs } from '../../algorithms/hscore';

/** Park–Miller generator: fixed, seeded test data. */
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

/** Independent H-score: explicit covariances with 1/n, ml-matrix SVD pseudo-inverse, trace. */
function naiveHScore(f: number[][], y: number[]): number {
  const n = f.length;
  const d = f[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => f.reduce((a, row) => a + (row[j] ?? 0), 0) / n);
  const g = f.map((_, i) => {
    const members = f.filter((__, k) => y[k] === y[i]);
    return Array.from({ length: d }, (__, j) => members.reduce((a, row) => a + (row[j] ?? 0), 0) / members.length);
  });
  const cov = (rows: number[][]): Matrix => {
    const c = Matrix.zeros(d, d);
    for (const row of rows)
      for (let a = 0; a < d; a += 1)
        for (let b = 0; b < d; b += 1) c.set(a, b, c.get(a, b) + (((row[a] ?? 0) - (mean[a] ?? 0)) * ((row[b] ?? 0) - (mean[b] ?? 0))) / n);
    return c;
  };
  return pseudoInverse(cov(f), 1e-10).mmul(cov(g)).trace();
}

describe('hScore', () => {
  it('is between-class over total variance for one feature', () => {
    // f = 0, 2, 4, 6 with classes {0, 2} and {4, 6}: var = 5, class means 1 and 5 -> between = 4.
    expect(hScore([[0], [2], [4], [6]], [0, 0, 1, 1])).toBeCloseTo(0.8, 14);
  });

  it('reaches C - 1 when a feature determines the class', () => {
    // cov f = [[5, 1], [1, 0.25]], cov g = [[4, 1], [1, 0.25]]; tr(cov f^-1 cov g) = 4 - 4 - 4 + 5 = 1.
    expect(
      hScore(
        [
          [0, 0],
          [2, 0],
          [4, 1],
          [6, 1],
        ],
        [0, 0, 1, 1],
      ),
    ).toBeCloseTo(1, 13);
  });

  it('uses the pseudo-inverse when the covariance is singular (duplicated feature)', () => {
    expect(
      hScore(
        [
          [0, 0],
          [2, 2],
          [4, 4],
          [6, 6],
        ],
        [0, 0, 1, 1],
      ),
    ).toBeCloseTo(0.8, 14);
  });

  it('is 0 when every class has the same mean or the features are constant', () => {
    expect(hScore([[1], [-1], [1], [-1]], [0, 0, 1, 1])).toBeCloseTo(0, 15);
    expect(
      hScore(
        [
          [3, 3],
          [3, 3],
          [3, 3],
        ],
        [0, 1, 1],
      ),
    ).toBe(0);
  });

  it.each([
    [8, 5, [0, 1, 2, 0, 1, 2, 0, 1]],
    [30, 6, Array.from({ length: 30 }, (_, i) => i % 4)],
  ])('matches an explicit-covariance implementation (n = %i, d = %i)', (n, d, y) => {
    const f = randomFeatures(n, d, 11 + n);
    expect(hScore(f, y)).toBeCloseTo(naiveHScore(f, y), 9);
  });

  it('is C - 1 whenever n - 1 <= d: every labelling is then linearly separable', () => {
    const f = randomFeatures(5, 8, 3);
    const y = [0, 1, 2, 0, 1];
    expect(hScore(f, y)).toBeCloseTo(2, 9);
    expect(naiveHScore(f, y)).toBeCloseTo(2, 9);
  });

  it('does not change under an invertible affine map of the features', () => {
    const f = randomFeatures(20, 3, 5);
    const y = f.map((_, i) => i % 3);
    const mapped = f.map(([a = 0, b = 0, c = 0]) => [10 * a + 7, 2 * a - b, 0.5 * c + b]);
    expect(hScore(mapped, y)).toBeCloseTo(hScore(f, y), 9);
  });

  it('treats a direction with variance at most 1e-10 of the largest as zero', () => {
    // The second feature alone separates the classes (H would be 1), but its variance is
    // 2.5e-15 of the first one's, so only the first feature counts: H = 0.8 as above.
    expect(
      hScore(
        [
          [0, 0],
          [2, 0],
          [4, 1e-7],
          [6, 1e-7],
        ],
        [0, 0, 1, 1],
      ),
    ).toBeCloseTo(0.8, 12);
    expect(
      hScore(
        [
          [0, 0],
          [2, 0],
          [4, 1e-3],
          [6, 1e-3],
        ],
        [0, 0, 1, 1],
      ),
    ).toBeCloseTo(1, 6);
  });

  it.each([
    [[[1, 2]], [0], /features has 1 rows, but a covariance needs at least 2 samples/],
    [[[1, 2], [3]], [0, 1], /features row 1 has 1 values, but every row must have the same positive count \(2\)/],
    [
      [
        [1, 2],
        [3, Number.POSITIVE_INFINITY],
      ],
      [0, 1],
      /features\[1\]\[1\] is Infinity, but must be finite/,
    ],
    [[[1], [2], [3]], [0, 1], /labels has 2 entries, but must have one per sample \(3\)/],
  ])('rejects bad input %#', (f, y, message) => {
    expect(() => hScore(f, y)).toThrow(message);
  });
});

describe('ledoitWolfShrinkage', () => {
  const x = [
    [2, 0],
    [-2, 0],
    [0, 1],
    [0, -1],
  ];

  it('matches the hand-computed Ledoit-Wolf coefficient', () => {
    // S = diag(2, 0.5), mu = 1.25, ||S||² = 4.25, delta = ((0.75)² + (0.75)²) / 2 = 0.5625,
    // beta = (sum ||x_i||^4 / n - ||S||²) / (n d) = (34 / 4 - 4.25) / 8 = 0.53125 -> 0.53125 / 0.5625 = 17 / 18.
    expect(ledoitWolfShrinkage(x)).toBeCloseTo(17 / 18, 15);
  });

  it('is 0 for a single feature and for an isotropic covariance', () => {
    expect(ledoitWolfShrinkage([[1], [4], [2]])).toBe(0);
    expect(
      ledoitWolfShrinkage([
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
      ]),
    ).toBe(0);
  });

  it.each([
    [12, 4],
    [4, 9],
  ])('matches the explicit formula on a %i x %i matrix', (n, d) => {
    const f = randomFeatures(n, d, 40 + d);
    const mean = Array.from({ length: d }, (_, j) => f.reduce((a, row) => a + (row[j] ?? 0), 0) / n);
    const xc = f.map((row) => row.map((v, j) => v - (mean[j] ?? 0)));
    const s = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (__, b) => xc.reduce((acc, row) => acc + (row[a] ?? 0) * (row[b] ?? 0), 0) / n));
    const mu = s.reduce((acc, row, a) => acc + (row[a] ?? 0), 0) / d;
    const frob = s.flat().reduce((acc, v) => acc + v * v, 0);
    const delta = s.reduce((acc, row, a) => acc + row.reduce((t, v, b) => t + (v - (a === b ? mu : 0)) ** 2, 0), 0) / d;
    const fourth = xc.reduce((acc, row) => acc + row.reduce((t, v) => t + v * v, 0) ** 2, 0);
    const beta = Math.min((fourth / n - frob) / (n * d), delta);
    expect(ledoitWolfShrinkage(f)).toBeCloseTo(beta / delta, 12);
  });

  it('does not depend on a shift of the features', () => {
    expect(ledoitWolfShrinkage(x.map(([a = 0, b = 0]) => [a + 10, b - 3]))).toBeCloseTo(17 / 18, 13);
  });
});

describe('shrinkageHScore', () => {
  const x = [
    [2, 0],
    [-2, 0],
    [0, 1],
    [0, -1],
  ];
  const y = [0, 1, 0, 1];

  it('uses the Ledoit-Wolf alpha by default', () => {
    // alpha = 17/18: Sigma_alpha = diag(93/72, 87/72), cov g = [[1, .5], [.5, .25]];
    // H = (1/18) (72/93 + 0.25 · 72/87) = 4/93 + 1/87, while the plain H-score is 1.
    expect(shrinkageHScore(x, y)).toBeCloseTo(4 / 93 + 1 / 87, 15);
    expect(hScore(x, y)).toBeCloseTo(1, 14);
  });

  it('takes a fixed alpha', () => {
    // alpha = 0.5: Sigma = diag(1.625, 0.875); H = 0.5 (1 / 1.625 + 0.25 / 0.875) = 41/91.
    expect(shrinkageHScore(x, y, { shrinkage: 0.5 })).toBeCloseTo(41 / 91, 15);
    expect(shrinkageHScore(x, y, { shrinkage: 1 })).toBe(0);
  });

  it('equals the plain H-score exactly at shrinkage 0', () => {
    const f = randomFeatures(25, 7, 9);
    const labels = f.map((_, i) => i % 3);
    expect(shrinkageHScore(f, labels, { shrinkage: 0 })).toBe(hScore(f, labels));
    const wide = randomFeatures(6, 10, 4);
    expect(shrinkageHScore(wide, [0, 0, 1, 1, 2, 2], { shrinkage: 0 })).toBe(hScore(wide, [0, 0, 1, 1, 2, 2]));
  });

  it('never exceeds the plain H-score and falls as alpha grows', () => {
    const f = randomFeatures(6, 40, 2);
    const labels = [0, 1, 0, 1, 0, 1];
    const scores = [0, 0.25, 0.5, 0.75, 1].map((shrinkage) => shrinkageHScore(f, labels, { shrinkage }));
    expect(scores[0]).toBeCloseTo(1, 9);
    scores.slice(1).forEach((s, i) => expect(s).toBeLessThan(scores[i] ?? 0));
    expect(shrinkageHScore(f, labels)).toBeLessThan(hScore(f, labels));
  });

  it.each([1.5, -0.1, Number.NaN])('rejects shrinkage %p', (shrinkage) => {
    expect(() => shrinkageHScore(x, y, { shrinkage })).toThrow(new RegExp(`shrinkage is ${shrinkage}, but must be 'ledoit-wolf' or a number in \\[0, 1\\]`));
  });

  it('rejects an unknown shrinkage estimator', () => {
    // @ts-expect-error 'oas' is not a supported estimator
    expect(() => shrinkageHScore(x, y, { shrinkage: 'oas' })).toThrow(/shrinkage is oas, but must be 'ledoit-wolf'/);
  });
});

describe('linear-algebra helpers', () => {
  it('readFeatures and centerColumns give a row-major centred copy', () => {
    const m = readFeatures([Float64Array.from([1, 4]), [3, 8]]);
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(2);
    expect([...m.data]).toEqual([1, 4, 3, 8]);
    expect([...centerColumns(m).data]).toEqual([-1, -2, 1, 2]);
  });

  it('symmetricEigenpairs returns eigenpairs largest first and drops numerical zeros', () => {
    const { values, vectors } = symmetricEigenpairs(Float64Array.from([2, 1, 1, 2]), 2, 5);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(vectors[0]?.[0] ?? 0)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(symmetricEigenpairs(Float64Array.from([1, 1, 1, 1]), 2, 5).values).toHaveLength(1);
    expect(symmetricEigenpairs(Float64Array.from([0, 0, 0, 0]), 2, 5).values).toHaveLength(0);
  });

  it.each([
    [6, 3],
    [3, 6],
  ])('sampleComponents of a %i x %i matrix: squared singular values and X v = sqrt(lambda) u', (n, d) => {
    const x = centerColumns(readFeatures(randomFeatures(n, d, 21)));
    const { values, vectors } = sampleComponents(x);
    const svd = new SingularValueDecomposition(Matrix.from1DArray(n, d, x.data), { autoTranspose: true });
    expect(values).toHaveLength(Math.min(n - 1, d));
    values.forEach((v, k) => expect(v).toBeCloseTo((svd.diagonal[k] ?? 0) ** 2, 10));
    vectors.forEach((u, k) => {
      const left = svd.leftSingularVectors.getColumn(k);
      const dot = u.reduce((a, v, i) => a + v * (left[i] ?? 0), 0);
      expect(Math.abs(dot)).toBeCloseTo(1, 9);
    });
    expect(sampleComponents(x, 1).values).toHaveLength(1);
  });
});

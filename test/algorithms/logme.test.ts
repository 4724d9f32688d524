import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { logme, logmeEvidence } from '../../algorithms/logme';
import { mulberry32 } from '../../hub/rng';

/**
 * Independent evidence: log N(y; 0, C) with C = I/β + FFᵀ/α, the marginal of the same
 * Bayesian linear model, computed with a Cholesky factorisation instead of the SVD.
 */
function marginalLogLikelihood(F: number[][], y: number[], alpha: number, beta: number): number {
  const f = new Matrix(F);
  const c = Matrix.eye(F.length)
    .mul(1 / beta)
    .add(f.mmul(f.transpose()).mul(1 / alpha));
  const chol = new CholeskyDecomposition(c);
  const l = chol.lowerTriangularMatrix;
  let logDet = 0;
  for (let i = 0; i < F.length; i++) logDet += 2 * Math.log(l.get(i, i));
  const quad = Matrix.columnVector(y)
    .transpose()
    .mmul(chol.solve(Matrix.columnVector(y)))
    .get(0, 0);
  return -0.5 * quad - 0.5 * logDet - (F.length / 2) * Math.log(2 * Math.PI);
}

/** Brute-force maximum over a log-spaced (α, β) grid, refined twice around the best cell. */
function gridMaximum(F: number[][], y: number[]): { value: number; alpha: number; beta: number } {
  let best = { value: -Infinity, la: 0, lb: 0 };
  const search = (ca: number, cb: number, half: number, step: number): void => {
    for (let la = ca - half; la <= ca + half; la += step) {
      for (let lb = cb - half; lb <= cb + half; lb += step) {
        const v = marginalLogLikelihood(F, y, Math.exp(la), Math.exp(lb));
        if (v > best.value) best = { value: v, la, lb };
      }
    }
  };
  search(0, 0, 9, 0.5);
  search(best.la, best.lb, 0.5, 0.05);
  search(best.la, best.lb, 0.05, 0.0025);
  return { value: best.value, alpha: Math.exp(best.la), beta: Math.exp(best.lb) };
}

/**
 * Features that carry some label signal (so the evidence has an interior maximum): rank
 * `rank` combinations of a noisy class code, spread over `d` columns.
 */
function signalFeatures(labels: number[], d: number, rank: number, seed: number): number[][] {
  const r = mulberry32(seed);
  const mix = Array.from({ length: rank }, () => Array.from({ length: d }, () => r() * 2 - 1));
  return labels.map((l) => {
    const base = Array.from({ length: rank }, (_, j) => (j === l % rank ? 1 : 0) + 0.6 * (r() - 0.5));
    return Array.from({ length: d }, (_, c) => base.reduce((s, b, j) => s + b * (mix[j]?.[c] ?? 0), 0));
  });
}

describe('logme', () => {
  // Hand-checked: F = 1 (n = 4, d = 1), labels [0, 0, 1, 1]. For either class, x = Uᵀy = 1,
  // ‖y‖² = 2, σ = 4; the fixed point is α = 6, β = 3 (γ = 2/3, mᵀm = 1/9, ‖Fm − y‖² = 10/9),
  // and L = 1.5 ln 3 − 2 − 2 ln 2π, i.e. L/n = −0.5 + 0.375 ln 3 − 0.5 ln 2π.
  const handValue = -0.5 + 0.375 * Math.log(3) - 0.5 * Math.log(2 * Math.PI);
  const ones = [[1], [1], [1], [1]];

  it('matches the hand-computed fixed point and evidence', () => {
    const e = logmeEvidence(ones, [1, 1, 0, 0]);
    expect(e.alpha).toBeCloseTo(6, 8);
    expect(e.beta).toBeCloseTo(3, 8);
    expect(e.evidence).toBeCloseTo(handValue, 10);
    expect(e.iterations).toBeGreaterThan(1);
    expect(e.iterations).toBeLessThan(100);
    expect(logme(ones, [0, 0, 1, 1])).toBeCloseTo(handValue, 10);
  });

  it('gives the exact evidence for n < d and rank-deficient features', () => {
    // Six identical columns: σ = 24, so α = 36 (not 6) but the evidence is unchanged.
    const wide = ones.map(() => [1, 1, 1, 1, 1, 1]);
    const e = logmeEvidence(wide, [1, 1, 0, 0]);
    expect(e.alpha).toBeCloseTo(36, 7);
    expect(e.beta).toBeCloseTo(3, 8);
    expect(e.evidence).toBeCloseTo(handValue, 10);
  });

  it.each([
    ['n > d', 12, 3, 3, 7],
    ['n < d, rank-deficient', 7, 9, 3, 3],
  ])('equals a brute-force maximum of the marginal likelihood (%s)', (_name, n, d, rank, seed) => {
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const F = signalFeatures(labels, d, rank, seed);
    let sum = 0;
    for (const c of [0, 1, 2]) {
      const y = labels.map((l) => (l === c ? 1 : 0));
      const brute = gridMaximum(F, y);
      const fixed = logmeEvidence(F, y);
      expect(fixed.evidence * n).toBeGreaterThanOrEqual(brute.value - 1e-9);
      expect(fixed.evidence * n).toBeCloseTo(brute.value, 4);
      expect(Math.log(fixed.alpha)).toBeCloseTo(Math.log(brute.alpha), 1);
      expect(Math.log(fixed.beta)).toBeCloseTo(Math.log(brute.beta), 1);
      sum += fixed.evidence;
    }
    expect(logme(F, labels)).toBeCloseTo(sum / 3, 12);
  });

  it('ranks informative features above noise', () => {
    const r = mulberry32(5);
    const labels = Array.from({ length: 40 }, (_, i) => i % 2);
    const good = labels.map((l) => [l + 0.1 * (r() - 0.5), r() - 0.5]);
    const noise = labels.map(() => [r() - 0.5, r() - 0.5]);
    expect(logme(good, labels)).toBeGreaterThan(logme(noise, labels));
  });

  it('averages over the classes present only', () => {
    expect(logme(ones, [3, 3, 7, 7])).toBeCloseTo(handValue, 10);
  });

  it.each([
    [[], [], /empty/],
    [[[1], [2]], [0], /must match/],
    [[[1, 2], [3]], [0, 1], /row 1 has 1 entries/],
    [[[1], [Number.NaN]], [0, 1], /non-finite/],
    [[[1], [2]], [0, 1.5], /must be an integer >= 0/],
  ])('rejects malformed input %#', (f, y, message) => {
    expect(() => logme(f, y)).toThrow(message);
  });

  it('takes the α → ∞ limit when the features explain nothing of y', () => {
    // y ⟂ the only feature: m = 0, β = n/‖y‖² = 1, L/n = ½ log β − ½ log 2π − ½.
    const e = logmeEvidence([[1], [-1]], [1, 1]);
    expect(e.alpha).toBe(Number.POSITIVE_INFINITY);
    expect(e.beta).toBeCloseTo(1, 12);
    expect(e.evidence).toBeCloseTo(-0.5 * Math.log(2 * Math.PI) - 0.5, 12);
    expect(e.iterations).toBeLessThanOrEqual(2);
  });

  it('matches a second hand-computed case (F = I₂, y = e₁)', () => {
    // C = (1/β + 1/α) I = vI, so L = −1/(2v) − log v − log 2π peaks at v = 1/2 along a whole
    // curve of (α, β): L = −1 + log 2 − log 2π, and L/n is half that.
    const e = logmeEvidence(
      [
        [1, 0],
        [0, 1],
      ],
      [1, 0],
    );
    expect(1 / e.alpha + 1 / e.beta).toBeCloseTo(0.5, 8);
    expect(e.evidence).toBeCloseTo((-1 + Math.log(2) - Math.log(2 * Math.PI)) / 2, 10);
  });

  it("finds the global maximum where the paper's start α = β = 1 reaches only a local one", () => {
    // Class 1 of this data lives in the direction with the smallest singular value.
    const labels = Array.from({ length: 12 }, (_, i) => i % 3);
    const F = signalFeatures(labels, 3, 3, 7);
    const y = labels.map((l) => (l === 1 ? 1 : 0));
    const noSearch = logmeEvidence(F, y, { startGrid: 0 });
    const searched = logmeEvidence(F, y);
    expect(searched.evidence).toBeGreaterThan(noSearch.evidence + 0.3);
    expect(searched.evidence * 12).toBeCloseTo(gridMaximum(F, y).value, 4);
  });

  it.each([
    [{ startGrid: 1 }, /`startGrid` is 1, but must be 0 or an integer >= 2/],
    [{ maxIterations: 0 }, /`maxIterations` is 0, but must be an integer >= 1/],
    [{ tolerance: 0 }, /`tolerance` is 0, but must be > 0/],
  ])('rejects bad options %#', (options, message) => {
    expect(() => logmeEvidence(ones, [1, 1, 0, 0], options)).toThrow(message);
  });

  it('respects maxIterations', () => {
    expect(logmeEvidence(ones, [1, 1, 0, 0], { maxIterations: 1 }).iterations).toBe(1);
  });
});

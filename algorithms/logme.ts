/**
 * LogME, the logarithm of maximum label evidence (You, Liu, Wang & Long, "LogME: Practical
 * Assessment of Pre-trained Models for Transfer Learning", ICML 2021).
 *
 * Features F (n × d, our `features`) feed a Bayesian linear model per class c with the
 * one-hot target y = [label_i = c]: prior w ~ N(0, α⁻¹ I_d), noise y | F, w ~ N(Fw, β⁻¹ I_n).
 * Its evidence (marginal likelihood, the paper's eq. 2) is
 *
 *   L(α, β) = d/2 log α + n/2 log β − n/2 log 2π − β/2 ‖Fm − y‖² − α/2 mᵀm − ½ log|A|
 *   A = αI + βFᵀF,   m = β A⁻¹ Fᵀ y.
 *
 * α and β maximise L via MacKay's fixed point (Algorithm 1), evaluated in the SVD basis
 * F = U diag(s) Vᵀ with k = min(n, d) singular values σ_i = s_i², x = Uᵀy:
 *
 *   γ = Σ βσ_i / (α + βσ_i)         mᵀm = Σ β²σ_i x_i² / (α + βσ_i)²
 *   ‖Fm − y‖² = Σ (α x_i / (α + βσ_i))² + (‖y‖² − ‖x‖²)
 *   α ← γ / mᵀm,   β ← (n − γ) / ‖Fm − y‖²
 *
 * For n < d the d − k directions with σ = 0 add (d − k) log α to log|A|, which cancels the
 * same amount of the prior term d/2 log α, so exactly
 *
 *   L = k/2 log α + n/2 log β − n/2 log 2π − β/2 ‖Fm − y‖² − α/2 mᵀm − ½ Σ_{i≤k} log(α + βσ_i).
 *
 * (The authors' reference code keeps d/2 log α while summing only k terms of log|A|, which
 * differs from the exact evidence by (d − k)/2 log α when n < d.)
 *
 * The evidence can be bimodal in t = α/β (e.g. when a class is explained only by a
 * low-variance direction); Algorithm 1 started at α = β = 1 then stops at the α → ∞ local
 * maximum. So the same fixed point starts from the best t of a log grid over the profile
 * evidence (see `profileStart`) and converges to the global maximum. LogME is the mean over
 * the classes present of L / n. Higher is better. If the evidence has no interior maximum
 * (a class perfectly fit or not fit at all) the iteration stops at `maxIterations` and
 * returns the evidence there, which approaches the supremum. Pure: no I/O, no randomness.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

export interface LogmeOptions {
  /** Stop when α/β changes by less than this relative amount. @default 1e-10 */
  tolerance?: number;
  /** Upper bound on fixed-point iterations per class. @default 1000 */
  maxIterations?: number;
  /** Points of the log-spaced t = α/β grid that picks the fixed point's start; 0 starts at α = β = 1 as in the paper. @default 161 */
  startGrid?: number;
}

export const LOGME_DEFAULTS: Required<LogmeOptions> = { tolerance: 1e-10, maxIterations: 1000, startGrid: 161 };

/** Evidence maximisation result for one target vector. */
export interface LogmeEvidence {
  /** Maximum log evidence divided by n. */
  readonly evidence: number;
  readonly alpha: number;
  readonly beta: number;
  readonly iterations: number;
}

/** The spectral quantities every class shares. */
interface Spectrum {
  readonly n: number;
  readonly u: Matrix;
  /** Squared singular values σ_i. */
  readonly sigma: number[];
}

/** LogME of features for classification labels; throws on malformed input. */
export function logme(features: readonly (readonly number[])[], labels: readonly number[], options: LogmeOptions = {}): number {
  checkLabels(features, labels);
  const spectrum = decompose(features);
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const scores = classes.map(
    (c) =>
      maximiseEvidence(
        spectrum,
        labels.map((l) => (l === c ? 1 : 0)),
        options,
      ).evidence,
  );
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

/** Maximum evidence (per sample) of a real-valued target `y` given `features`. */
export function logmeEvidence(features: readonly (readonly number[])[], y: readonly number[], options: LogmeOptions = {}): LogmeEvidence {
  if (y.length !== features.length) throw new Error(`\`y\` has ${y.length} entries and \`features\` ${features.length} rows, but they must match`);
  return maximiseEvidence(decompose(features), y, options);
}

function decompose(features: readonly (readonly number[])[]): Spectrum {
  const n = features.length;
  if (n === 0) throw new Error('`features` is empty, but must hold at least one row');
  const d = features[0]?.length ?? 0;
  features.forEach((row, i) => {
    if (row.length !== d || d === 0) throw new Error(`\`features\` row ${i} has ${row.length} entries, but every row needs ${d} > 0`);
    if (!row.every(Number.isFinite)) throw new Error(`\`features\` row ${i} holds a non-finite value`);
  });
  const svd = new SingularValueDecomposition(new Matrix(features.map((r) => [...r])), {
    autoTranspose: true,
    computeLeftSingularVectors: true,
    computeRightSingularVectors: false,
  });
  return { n, u: svd.leftSingularVectors, sigma: svd.diagonal.map((s) => s * s) };
}

function maximiseEvidence(sp: Spectrum, y: readonly number[], options: LogmeOptions): LogmeEvidence {
  const o: Required<LogmeOptions> = { ...LOGME_DEFAULTS, ...options };
  if (!(Number.isInteger(o.startGrid) && (o.startGrid === 0 || o.startGrid >= 2)))
    throw new Error(`\`startGrid\` is ${o.startGrid}, but must be 0 or an integer >= 2`);
  if (!(Number.isInteger(o.maxIterations) && o.maxIterations >= 1)) throw new Error(`\`maxIterations\` is ${o.maxIterations}, but must be an integer >= 1`);
  if (!(o.tolerance > 0)) throw new Error(`\`tolerance\` is ${o.tolerance}, but must be > 0`);
  const x = sp.u
    .transpose()
    .mmul(Matrix.columnVector([...y]))
    .to1DArray();
  const x2 = x.map((v) => v * v);
  const yy = y.reduce((s, v) => s + v * v, 0);
  const rest = Math.max(0, yy - x2.reduce((s, v) => s + v, 0));
  let { alpha, beta } = profileStart(sp, x2, rest, o.startGrid);
  let iterations = 0;
  while (iterations < o.maxIterations) {
    iterations++;
    const t = terms(sp.sigma, x2, rest, alpha, beta);
    // mᵀm = 0 means y has no component the features can explain: the optimum is α = ∞.
    const nextAlpha = t.alphaMm > 0 ? (t.gamma * alpha) / t.alphaMm : Number.POSITIVE_INFINITY;
    const nextBeta = (sp.n - t.gamma) / t.res;
    if (!(nextAlpha > 0 && nextBeta > 0 && Number.isFinite(nextBeta))) break;
    const before = alpha / beta;
    const after = nextAlpha / nextBeta;
    alpha = nextAlpha;
    beta = nextBeta;
    if (after === before || Math.abs(after - before) / before < o.tolerance) break;
  }
  return { evidence: evidence(sp, x2, rest, alpha, beta) / sp.n, alpha, beta, iterations };
}

/**
 * Starting point of the fixed point: the best t = α/β on a log grid of the profile
 * evidence, where β is eliminated in closed form, β*(t) = n / Q(t) with
 * Q(t) = ‖y‖² − ‖x‖² + Σ x_i² t / (t + σ_i), giving
 *   L(t) = n/2 log(n / Q(t)) − n/2 − n/2 log 2π − ½ Σ log(1 + σ_i / t).
 * t = ∞ (α = ∞, the "features explain nothing" limit) is a candidate too.
 */
function profileStart(sp: Spectrum, x2: readonly number[], rest: number, points: number): { alpha: number; beta: number } {
  if (points === 0) return { alpha: 1, beta: 1 };
  const top = Math.max(...sp.sigma, 0);
  const candidates = [Number.POSITIVE_INFINITY];
  if (top > 0) for (let i = 0; i < points; i++) candidates.push(top * Math.pow(10, -8 + (16 * i) / (points - 1)));
  let best = { value: Number.NEGATIVE_INFINITY, t: Number.POSITIVE_INFINITY, beta: 1 };
  for (const t of candidates) {
    let q = rest;
    let logDet = 0;
    sp.sigma.forEach((s, i) => {
      q += ((x2[i] as number) * t) / (t + s);
      logDet += Math.log1p(s / t);
    });
    const value = (sp.n / 2) * Math.log(sp.n / q) - logDet / 2;
    if (q > 0 && value > best.value) best = { value, t, beta: sp.n / q };
  }
  return { alpha: best.t * best.beta, beta: best.beta };
}

/**
 * γ, α·mᵀm and ‖Fm − y‖² at (α, β), written with q_i = βσ_i/α and r_i = 1/(1 + q_i) so
 * nothing overflows as α → ∞ (q → 0, r → 1):
 *   γ = Σ q_i r_i,   α·mᵀm = β Σ q_i x_i² r_i²,   ‖Fm − y‖² = Σ x_i² r_i² + (‖y‖² − ‖x‖²).
 */
function terms(
  sigma: readonly number[],
  x2: readonly number[],
  rest: number,
  alpha: number,
  beta: number,
): { gamma: number; alphaMm: number; res: number; logDet: number } {
  let gamma = 0;
  let alphaMm = 0;
  let res = rest;
  let logDet = 0;
  sigma.forEach((s, i) => {
    const q = (beta * s) / alpha;
    const r = 1 / (1 + q);
    const xr2 = (x2[i] as number) * r * r;
    gamma += q * r;
    alphaMm += beta * q * xr2;
    res += xr2;
    logDet += Math.log1p(q);
  });
  return { gamma, alphaMm, res, logDet };
}

/**
 * Exact log evidence L(α, β), not divided by n, with k/2 log α − ½ Σ log(α + βσ_i)
 * folded into −½ Σ log(1 + q_i) so it stays finite as α → ∞.
 */
function evidence(sp: Spectrum, x2: readonly number[], rest: number, alpha: number, beta: number): number {
  const { alphaMm, res, logDet } = terms(sp.sigma, x2, rest, alpha, beta);
  return (sp.n / 2) * Math.log(beta) - (sp.n / 2) * Math.log(2 * Math.PI) - (beta / 2) * res - alphaMm / 2 - logDet / 2;
}

function checkLabels(features: readonly (readonly number[])[], labels: readonly number[]): void {
  if (labels.length !== features.length)
    throw new Error(`\`labels\` has ${labels.length} entries and \`features\` ${features.length} rows, but they must match`);
  labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0) throw new Error(`\`labels\`[${i}] is ${l}, but must be an integer >= 0`);
  });
}

/**
 * H-score (Bao et al., "An Information-Theoretic Approach to Transferability in Task
 * Transfer Learning", ICIP 2019) and its shrinkage version (Ibrahim, Ponomareva and
 * Mazumder, "Newer is not always better: Rethinking transferability metrics, their
 * peculiarities, stability and performance", ICLR 2023):
 *
 *   H(f)   = tr( Σ_f⁺ · Σ_g ),
 *   H_α(f) = tr( Σ_α⁻¹ · (1 − α) Σ_g ),   Σ_α = (1 − α) Σ_f + α μ I,   μ = tr(Σ_f) / d,
 *
 * with f the n × d source features of the target samples, Σ_f their covariance, g_i =
 * E[f | y_i] the mean feature of sample i's class, Σ_g = cov(g) = Σ_c (n_c / n)(μ_c − μ)(μ_c − μ)ᵀ,
 * ⁺ the pseudo-inverse and α the shrinkage (Ledoit–Wolf by default). Higher is better.
 *
 * Numerics: both covariances use the 1/n normalisation, so H_α with α = 0 is exactly H.
 * (The published shrinkage code divides Σ_f by n but Σ_g by n − 1, which makes its value
 * n / (n − 1) times ours.) Writing X for the centred features and X = Σ_k √λ_k u_k v_kᵀ,
 * both scores reduce to H_α = Σ_k a_k · (1 − α)s_k / ((1 − α)s_k + αμ) with s_k = λ_k / n and
 * a_k = Σ_c (Σ_{i in c} u_ki)² / n_c, computed from one eigendecomposition of the smaller
 * Gram matrix (XᵀX or XXᵀ): O(n·d·m + m³) time for m = min(n, d), O(m²) memory. Directions
 * with λ_k ≤ 1e-10 · λ_1 are numerical zero (the Gram route keeps about half the digits) and
 * are what the pseudo-inverse drops; the published code's pinv(rcond=1e-15) can keep
 * round-off directions instead, each of which adds up to 1 to the score.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { labelCounts, readLabels, type Labels } from './nce';

/** Features: one row per sample, every row the same length. */
export type FeatureRows = readonly ArrayLike<number>[];

/** A row-major dense matrix. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Eigenvalues below this fraction of the largest are treated as exactly zero. */
export const RELATIVE_EIGEN_TOLERANCE = 1e-10;

/** Copies `features` into a row-major matrix. Throws on ragged rows, no columns, or a non-finite value. */
export function readFeatures(features: FeatureRows): DenseMatrix {
  const rows = features.length;
  const cols = features[0]?.length ?? 0;
  const data = new Float64Array(rows * cols);
  features.forEach((row, i) => {
    if (row.length !== cols || cols === 0)
      throw new Error(`features row ${i} has ${row.length} values, but every row must have the same positive count (${cols})`);
    for (let j = 0; j < cols; j += 1) {
      const v = row[j] ?? Number.NaN;
      if (!Number.isFinite(v)) throw new Error(`features[${i}][${j}] is ${v}, but must be finite`);
      data[i * cols + j] = v;
    }
  });
  return { rows, cols, data };
}

/** A copy of `m` with every column's mean subtracted. */
export function centerColumns(m: DenseMatrix): DenseMatrix {
  const means = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i += 1) for (let j = 0; j < m.cols; j += 1) means[j] = (means[j] ?? 0) + (m.data[i * m.cols + j] ?? 0) / m.rows;
  const data = m.data.map((v, k) => v - (means[k % m.cols] ?? 0));
  return { rows: m.rows, cols: m.cols, data };
}

/** XᵀX (cols × cols) when cols ≤ rows, else XXᵀ (rows × rows); symmetric, row-major. */
function smallerGram(x: DenseMatrix): { size: number; gram: Float64Array } {
  const { rows: n, cols: d, data } = x;
  const byFeatures = d <= n;
  const size = byFeatures ? d : n;
  const gram = new Float64Array(size * size);
  if (byFeatures) {
    for (let i = 0; i < n; i += 1) {
      for (let a = 0; a < d; a += 1) {
        const xa = data[i * d + a] ?? 0;
        if (xa !== 0) for (let b = a; b < d; b += 1) gram[a * d + b] = (gram[a * d + b] ?? 0) + xa * (data[i * d + b] ?? 0);
      }
    }
  } else {
    for (let i = 0; i < n; i += 1) {
      for (let j = i; j < n; j += 1) {
        let s = 0;
        for (let k = 0; k < d; k += 1) s += (data[i * d + k] ?? 0) * (data[j * d + k] ?? 0);
        gram[i * n + j] = s;
      }
    }
  }
  for (let a = 0; a < size; a += 1) for (let b = 0; b < a; b += 1) gram[a * size + b] = gram[b * size + a] ?? 0;
  return { size, gram };
}

/** Principal structure of a centred matrix X (n × d): X v_k = √λ_k u_k. */
export interface SampleComponents {
  /** λ_k, the eigenvalues of XᵀX, descending; only those above RELATIVE_EIGEN_TOLERANCE · λ_1. */
  readonly values: Float64Array;
  /** u_k, unit-length n-vectors, one per kept eigenvalue. */
  readonly vectors: Float64Array[];
}

/**
 * Eigenpairs of the symmetric `size` × `size` row-major matrix `gram`, largest first, at most
 * `maxCount`, only eigenvalues above RELATIVE_EIGEN_TOLERANCE times the largest (none when it is ≤ 0).
 */
export function symmetricEigenpairs(gram: Float64Array, size: number, maxCount: number): { values: number[]; vectors: number[][] } {
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(size, size, gram), { assumeSymmetric: true });
  const all = evd.realEigenvalues;
  const order = all.map((_, k) => k).sort((a, b) => (all[b] ?? 0) - (all[a] ?? 0) || a - b);
  const top = all[order[0] ?? 0] ?? 0;
  const kept = order.filter((k) => (all[k] ?? 0) > RELATIVE_EIGEN_TOLERANCE * top && top > 0).slice(0, maxCount);
  return { values: kept.map((k) => all[k] ?? 0), vectors: kept.map((k) => evd.eigenvectorMatrix.getColumn(k)) };
}

/** Components of `x` from its smaller Gram matrix (see `sampleComponents`). */
function componentsFromGram(x: DenseMatrix, g: { size: number; gram: Float64Array }, maxComponents: number): SampleComponents {
  const { values, vectors } = symmetricEigenpairs(g.gram, g.size, maxComponents);
  if (x.cols > x.rows) return { values: Float64Array.from(values), vectors: vectors.map((u) => Float64Array.from(u)) };
  const u = vectors.map((v, k) => {
    const out = new Float64Array(x.rows);
    const scale = 1 / Math.sqrt(values[k] ?? 1);
    for (let i = 0; i < x.rows; i += 1) {
      let s = 0;
      for (let j = 0; j < x.cols; j += 1) s += (x.data[i * x.cols + j] ?? 0) * (v[j] ?? 0);
      out[i] = s * scale;
    }
    return out;
  });
  return { values: Float64Array.from(values), vectors: u };
}

/**
 * The exact principal structure of the centred matrix `x`, from an eigendecomposition of
 * its smaller Gram matrix: at most `maxComponents` components, largest first.
 */
export function sampleComponents(x: DenseMatrix, maxComponents: number = Number.POSITIVE_INFINITY): SampleComponents {
  return componentsFromGram(x, smallerGram(x), maxComponents);
}

/**
 * Ledoit–Wolf shrinkage α ∈ [0, 1] of the feature covariance toward μI, as
 * scikit-learn's `ledoit_wolf_shrinkage` (1/n empirical covariance): with X centred,
 * S = XᵀX / n, β = (Σ_i ‖x_i‖⁴ / n − ‖S‖²_F) / (n·d), δ = ‖S − μI‖²_F / d, α = min(β, δ) / δ
 * (0 when δ = 0, e.g. a single feature). Throws when there are fewer than 2 samples.
 */
export function ledoitWolfShrinkage(features: FeatureRows): number {
  const x = centerColumns(checkedFeatures(features));
  return shrinkageFromGram(x, smallerGram(x).gram);
}

function shrinkageFromGram(x: DenseMatrix, gram: Float64Array): number {
  const { rows: n, cols: d } = x;
  let trace = 0;
  let fourth = 0;
  for (let i = 0; i < n; i += 1) {
    let sq = 0;
    for (let j = 0; j < d; j += 1) sq += (x.data[i * d + j] ?? 0) ** 2;
    trace += sq / n;
    fourth += sq * sq;
  }
  let frobenius = 0;
  for (const g of gram) frobenius += g * g;
  frobenius /= n * n;
  const delta = (frobenius - (trace * trace) / d) / d;
  const beta = Math.min((fourth / n - frobenius) / (n * d), delta);
  return delta > 0 && beta > 0 ? Math.min(1, beta / delta) : 0;
}

function checkedFeatures(features: FeatureRows): DenseMatrix {
  const m = readFeatures(features);
  if (m.rows < 2) throw new Error(`features has ${m.rows} rows, but a covariance needs at least 2 samples`);
  return m;
}

/** Σ_k a_k · (1 − α)s_k / ((1 − α)s_k + αμ): the shared core of both scores. */
function hScoreCore(x: DenseMatrix, labels: Int32Array, alpha: number, components: SampleComponents): number {
  const counts = labelCounts(labels);
  let mu = 0;
  for (const v of x.data) mu += (v * v) / (x.rows * x.cols);
  let score = 0;
  components.vectors.forEach((u, k) => {
    const sums = new Map<number, number>();
    labels.forEach((c, i) => sums.set(c, (sums.get(c) ?? 0) + (u[i] ?? 0)));
    let a = 0;
    for (const [c, s] of sums) a += (s * s) / (counts.get(c) ?? 1);
    const s = ((1 - alpha) * (components.values[k] ?? 0)) / x.rows;
    score += (a * s) / (s + alpha * mu);
  });
  return score;
}

function prepare(features: FeatureRows, labels: Labels): { x: DenseMatrix; y: Int32Array; g: { size: number; gram: Float64Array } } {
  const x = centerColumns(checkedFeatures(features));
  const y = readLabels(labels, 'labels', x.rows);
  return { x, y, g: smallerGram(x) };
}

/**
 * H-score tr(Σ_f⁺ Σ_g) of `features` (n × d) for the target `labels`: in [0, C − 1] for C
 * classes, C − 1 when every centred class indicator is a linear function of the features, 0
 * when every class has the same mean feature (or the features are constant). Deterministic.
 * Throws when n < 2, rows are ragged or non-finite, or labels are not one non-negative integer per row.
 */
export function hScore(features: FeatureRows, labels: Labels): number {
  const { x, y, g } = prepare(features, labels);
  return hScoreCore(x, y, 0, componentsFromGram(x, g, Number.POSITIVE_INFINITY));
}

export interface ShrinkageHScoreOptions {
  /** α: 'ledoit-wolf' estimates it from the features; a number in [0, 1] fixes it (0 gives the plain H-score). @default 'ledoit-wolf' */
  shrinkage?: 'ledoit-wolf' | number;
}

const SHRINKAGE_DEFAULTS: Required<ShrinkageHScoreOptions> = { shrinkage: 'ledoit-wolf' };

/**
 * Shrinkage-based H-score H_α = tr(Σ_α⁻¹ (1 − α) Σ_g) of `features` for `labels` (see the
 * file comment). With α = 0 it equals `hScore` exactly; as α → 1 it falls to 0. Deterministic.
 * Throws like `hScore`, and when `shrinkage` is neither 'ledoit-wolf' nor a number in [0, 1].
 */
export function shrinkageHScore(features: FeatureRows, labels: Labels, options: ShrinkageHScoreOptions = {}): number {
  const o = { ...SHRINKAGE_DEFAULTS, ...options };
  if (o.shrinkage !== 'ledoit-wolf' && !(o.shrinkage >= 0 && o.shrinkage <= 1)) {
    throw new Error(`shrinkage is ${String(o.shrinkage)}, but must be 'ledoit-wolf' or a number in [0, 1]`);
  }
  const { x, y, g } = prepare(features, labels);
  const alpha = o.shrinkage === 'ledoit-wolf' ? shrinkageFromGram(x, g.gram) : o.shrinkage;
  return hScoreCore(x, y, alpha, componentsFromGram(x, g, Number.POSITIVE_INFINITY));
}

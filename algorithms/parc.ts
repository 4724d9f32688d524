/**
 * PARC, Pairwise Annotation Representation Comparison (Bolya, Mittapalli and Hoffman,
 * "Scalable Diverse Model Selection for Accessible Transfer Learning", NeurIPS 2021), as
 * the authors' reference code computes it:
 *
 *   1. reduce the n × d features f to K = min(32, n, d) dimensions by PCA, then standardise
 *      each component (zero mean, unit variance; a zero-variance component stays 0);
 *   2. feature dissimilarity D_f(i, j) = 1 − Pearson(f̃_i, f̃_j) between samples' reduced
 *      vectors; label dissimilarity D_y(i, j) = 1 − Pearson(onehot(y_i), onehot(y_j)),
 *      which is 0 for the same class and C/(C − 1) otherwise;
 *   3. PARC = 100 · Spearman(triu(D_f), triu(D_y)) over the n(n − 1)/2 pairs i < j.
 *
 * The result is a percentage in [−100, 100], as the paper reports; higher is better.
 * Because D_y takes two values, the Spearman correlation (average ranks for ties) is a
 * point-biserial one: the feature dissimilarities are split into same-class and
 * different-class pairs, the two Float64Arrays are sorted, and one merge walk yields the
 * rank sums. Nothing n × n is built beyond those two arrays: 8 · n(n − 1)/2 bytes
 * (4 MB at the default 1000-sample probe cap), plus the n × K reduced features.
 *
 * Choices: a sample whose reduced vector is constant has Pearson correlation 0 with every
 * other (numpy gives NaN). PCA signs follow scikit-learn's svd_flip on the components (the
 * largest-magnitude loading of each component is positive), which matters because the row
 * correlations are not invariant to flipping one component. The PCA is exact (eigenvectors
 * of the smaller Gram matrix) when min(n, d) ≤ 256, else seeded randomized subspace
 * iteration (Halko et al. 2011; the reference code also uses randomized PCA).
 */
import { mulberry32 } from './random';
import { centerColumns, readFeatures, sampleComponents, symmetricEigenpairs, type DenseMatrix, type FeatureRows, type SampleComponents } from './hscore';
import { labelCounts, readLabels, type Labels } from './nce';

export interface ParcOptions {
  /** PCA dimensions K kept before comparing samples (the paper's 32); fewer when n or d is smaller. @default 32 */
  dimensions?: number;
  /** Probe-set cap: with more samples, a seeded uniform subset of this many is scored. @default 1000 */
  maxSamples?: number;
  /** Seed of the probe subset and of the randomized PCA. @default 0 */
  seed?: number;
  /** 'auto' is 'exact' when min(n, d) ≤ 256 and 'randomized' otherwise. @default 'auto' */
  pcaSolver?: 'auto' | 'exact' | 'randomized';
  /** Subspace (power) iterations of the randomized solver (the reference code uses 1). @default 2 */
  powerIterations?: number;
}

const DEFAULTS: Required<ParcOptions> = { dimensions: 32, maxSamples: 1000, seed: 0, pcaSolver: 'auto', powerIterations: 2 };
const EXACT_PCA_LIMIT = 256;
const OVERSAMPLING = 10;

function resolveOptions(options: ParcOptions): Required<ParcOptions> {
  const o = { ...DEFAULTS, ...options };
  const integer = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} is ${v}, but must be an integer >= ${min}`);
  };
  integer('dimensions', o.dimensions, 2);
  integer('maxSamples', o.maxSamples, 3);
  integer('powerIterations', o.powerIterations, 0);
  if (!Number.isSafeInteger(o.seed)) throw new Error(`seed is ${o.seed}, but must be a safe integer`);
  if (!['auto', 'exact', 'randomized'].includes(o.pcaSolver))
    throw new Error(`pcaSolver is ${String(o.pcaSolver)}, but must be 'auto', 'exact' or 'randomized'`);
  return o;
}

/**
 * The probe set PARC scores: all of 0..n−1 when n ≤ maxSamples, else `maxSamples` indices
 * drawn uniformly without replacement (seeded partial Fisher–Yates), in ascending order.
 */
export function probeIndices(n: number, maxSamples: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`n is ${n}, but must be an integer >= 0`);
  if (!Number.isInteger(maxSamples) || maxSamples < 1) throw new Error(`maxSamples is ${maxSamples}, but must be an integer >= 1`);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (n <= maxSamples) return all;
  const random = mulberry32(seed);
  for (let i = 0; i < maxSamples; i += 1) {
    const j = i + Math.floor(random() * (n - i));
    const t = all[i] ?? 0;
    all[i] = all[j] ?? 0;
    all[j] = t;
  }
  return all.slice(0, maxSamples).sort();
}

function norm(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** `width` column vectors of length `rows`, stored row-major (rows × width). */
interface Block {
  readonly rows: number;
  readonly width: number;
  readonly data: Float64Array;
}

/** X·B (transpose = false, B is d × w) or Xᵀ·B (transpose = true, B is n × w). */
function multiply(x: DenseMatrix, b: Block, transpose: boolean): Block {
  const { rows: n, cols: d, data } = x;
  const w = b.width;
  const out = new Float64Array((transpose ? d : n) * w);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < d; j += 1) {
      const xij = data[i * d + j] ?? 0;
      const src = transpose ? i * w : j * w;
      const dst = transpose ? j * w : i * w;
      for (let t = 0; t < w; t += 1) out[dst + t] = (out[dst + t] ?? 0) + xij * (b.data[src + t] ?? 0);
    }
  }
  return { rows: transpose ? d : n, width: w, data: out };
}

/** In place: modified Gram–Schmidt over the columns, applied twice; a column that vanishes becomes 0. */
function orthonormalize(b: Block): void {
  const { rows, width: w, data } = b;
  const dot = (s: number, t: number): number => {
    let acc = 0;
    for (let i = 0; i < rows; i += 1) acc += (data[i * w + s] ?? 0) * (data[i * w + t] ?? 0);
    return acc;
  };
  for (let t = 0; t < w; t += 1) {
    const start = Math.sqrt(dot(t, t));
    for (let pass = 0; pass < 2; pass += 1) {
      for (let s = 0; s < t; s += 1) {
        const c = dot(s, t);
        for (let i = 0; i < rows; i += 1) data[i * w + t] = (data[i * w + t] ?? 0) - c * (data[i * w + s] ?? 0);
      }
    }
    const length = Math.sqrt(dot(t, t));
    for (let i = 0; i < rows; i += 1) data[i * w + t] = length > 1e-10 * start ? (data[i * w + t] ?? 0) / length : 0;
  }
}

/** Column t of a block. */
function column(b: Block, t: number): Float64Array {
  return Float64Array.from({ length: b.rows }, (_, i) => b.data[i * b.width + t] ?? 0);
}

/** Top-k components of the centred x by randomized subspace iteration with k + 10 probes. */
function randomizedComponents(x: DenseMatrix, k: number, iterations: number, seed: number): SampleComponents {
  const width = Math.min(k + OVERSAMPLING, x.rows, x.cols);
  const random = mulberry32(seed ^ 0x5bd1e995);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let y = multiply(x, { rows: x.cols, width, data: Float64Array.from({ length: x.cols * width }, gaussian) }, false);
  orthonormalize(y);
  for (let q = 0; q < iterations; q += 1) {
    const z = multiply(x, y, true);
    orthonormalize(z);
    y = multiply(x, z, false);
    orthonormalize(y);
  }
  const b = multiply(x, y, true);
  const small = new Float64Array(width * width);
  for (let j = 0; j < b.rows; j += 1) {
    for (let s = 0; s < width; s += 1)
      for (let t = 0; t < width; t += 1) small[s * width + t] = (small[s * width + t] ?? 0) + (b.data[j * width + s] ?? 0) * (b.data[j * width + t] ?? 0);
  }
  const { values, vectors } = symmetricEigenpairs(small, width, k);
  const u = vectors.map((w) => Float64Array.from({ length: x.rows }, (_, i) => w.reduce((acc, wt, t) => acc + wt * (y.data[i * width + t] ?? 0), 0)));
  return { values: Float64Array.from(values), vectors: u };
}

/**
 * The PCA scores X·v_k with v_k = Xᵀu_k / ‖Xᵀu_k‖ signed so that its largest-magnitude
 * entry is positive. Projecting X itself (rather than using u_k) makes identical samples
 * get identical scores, so duplicates tie exactly in the dissimilarities.
 */
function pcaScores(x: DenseMatrix, components: SampleComponents): Float64Array[] {
  const k = components.vectors.length;
  const packed = new Float64Array(x.rows * k);
  components.vectors.forEach((u, t) => u.forEach((v, i) => (packed[i * k + t] = v)));
  const loadings = multiply(x, { rows: x.rows, width: k, data: packed }, true);
  for (let t = 0; t < k; t += 1) {
    const v = column(loadings, t);
    const big = v.reduce((best, vj, j) => (Math.abs(vj) > Math.abs(v[best] ?? 0) ? j : best), 0);
    const scale = Math.sign(v[big] ?? 1) / norm(v);
    for (let j = 0; j < x.cols; j += 1) loadings.data[j * k + t] = (v[j] ?? 0) * scale;
  }
  const scores = multiply(x, loadings, false);
  return Array.from({ length: k }, (_, t) => column(scores, t));
}

/**
 * Rows ready for Pearson by dot product: the K = `width` standardised components of each
 * sample (components beyond the numerical rank are 0), centred across the row and scaled
 * to unit length; a row with no spread is all zeros. Row-major n × K.
 */
function comparableRows(scores: readonly Float64Array[], n: number, width: number): Float64Array {
  const z = new Float64Array(n * width);
  scores.forEach((u, k) => {
    let mean = 0;
    for (const v of u) mean += v / n;
    let sq = 0;
    for (const v of u) sq += (v - mean) ** 2;
    const scale = 1 / Math.sqrt(sq / n);
    u.forEach((v, i) => (z[i * width + k] = (v - mean) * scale));
  });
  for (let i = 0; i < n; i += 1) {
    const row = z.subarray(i * width, (i + 1) * width);
    const mean = row.reduce((a, v) => a + v, 0) / width;
    row.forEach((v, k) => (row[k] = v - mean));
    const length = norm(row);
    row.forEach((v, k) => (row[k] = length > 1e-10 ? v / length : 0));
  }
  return z;
}

/** Same-class and different-class pair counts; throws unless both are positive. */
function pairCounts(labels: Int32Array): { same: number; different: number } {
  let same = 0;
  for (const c of labelCounts(labels).values()) same += (c * (c - 1)) / 2;
  const different = (labels.length * (labels.length - 1)) / 2 - same;
  if (same === 0 || different === 0) {
    throw new Error(`labels give ${same} same-class and ${different} different-class pairs, but PARC needs at least one of each`);
  }
  return { same, different };
}

/** 1 − Pearson of every pair i < j, split by whether the two samples share a label. */
function splitDissimilarities(
  z: Float64Array,
  width: number,
  labels: Int32Array,
  counts: { same: number; different: number },
): { same: Float64Array; different: Float64Array } {
  const same = new Float64Array(counts.same);
  const different = new Float64Array(counts.different);
  let s = 0;
  let t = 0;
  const n = labels.length;
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      let dot = 0;
      for (let k = 0; k < width; k += 1) dot += (z[i * width + k] ?? 0) * (z[j * width + k] ?? 0);
      if (labels[i] === labels[j]) same[s++] = 1 - dot;
      else different[t++] = 1 - dot;
    }
  }
  return { same, different };
}

/**
 * Spearman correlation (average ranks for ties) between the values in `same` ∪ `different`
 * and the indicator "belongs to `different`". Sorts both arrays in place. NaN when every
 * value is equal. With R̄ = (m + 1)/2: ρ = (m/2) Σ_{different}(R − R̄) / √(V_f V_y),
 * V_f = (m³ − m − Σ_ties(t³ − t))/12, V_y = (m³ − m − (m₀³ − m₀) − (m₁³ − m₁))/12.
 */
function twoGroupSpearman(same: Float64Array, different: Float64Array): number {
  same.sort();
  different.sort();
  const m0 = same.length;
  const m1 = different.length;
  const m = m0 + m1;
  const mid = (m + 1) / 2;
  let i = 0;
  let j = 0;
  let position = 0;
  let rankSum = 0;
  let ties = 0;
  while (i < m0 || j < m1) {
    const v = Math.min(same[i] ?? Number.POSITIVE_INFINITY, different[j] ?? Number.POSITIVE_INFINITY);
    const i0 = i;
    const j0 = j;
    while (i < m0 && same[i] === v) i += 1;
    while (j < m1 && different[j] === v) j += 1;
    const t = i - i0 + (j - j0);
    rankSum += (j - j0) * (position + (t + 1) / 2 - mid);
    ties += t ** 3 - t;
    position += t;
  }
  const vf = (m ** 3 - m - ties) / 12;
  const vy = (m ** 3 - m - (m0 ** 3 - m0) - (m1 ** 3 - m1)) / 12;
  return vf > 0 ? ((m / 2) * rankSum) / Math.sqrt(vf * vy) : Number.NaN;
}

function pickRows(m: DenseMatrix, rows: Int32Array): DenseMatrix {
  const data = new Float64Array(rows.length * m.cols);
  rows.forEach((r, i) => data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return { rows: rows.length, cols: m.cols, data };
}

/**
 * PARC of the source model's `features` (n × d, one row per target sample) for the target
 * `labels`, as a percentage in [−100, 100] (Spearman ρ × 100); higher means the feature
 * geometry agrees more with the label geometry. NaN when every feature dissimilarity is
 * equal (a single feature, or constant features). Deterministic for
 * a given seed. Throws on ragged or non-finite features, labels that are not one
 * non-negative integer per row or that give no same-class or no different-class pair, and
 * bad options.
 */
export function parc(features: FeatureRows, labels: Labels, options: ParcOptions = {}): number {
  const o = resolveOptions(options);
  const all = readFeatures(features);
  const allLabels = readLabels(labels, 'labels', all.rows);
  const probe = probeIndices(all.rows, o.maxSamples, o.seed);
  const y = Int32Array.from(probe, (i) => allLabels[i] ?? 0);
  const counts = pairCounts(y);
  const x = centerColumns(pickRows(all, probe));
  const width = Math.min(o.dimensions, x.rows, x.cols);
  const exact = o.pcaSolver === 'exact' || (o.pcaSolver === 'auto' && Math.min(x.rows, x.cols) <= EXACT_PCA_LIMIT);
  const components = exact ? sampleComponents(x, width) : randomizedComponents(x, width, o.powerIterations, o.seed);
  const { same, different } = splitDissimilarities(comparableRows(pcaScores(x, components), x.rows, width), width, y, counts);
  return 100 * twoGroupSpearman(same, different);
}

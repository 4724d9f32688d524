/**
 * What the target's own evidence says about each model, weighed by how much each signal told
 * on past targets.
 *
 * Signals: the history prior (../prior.ts: a model's mean standardized result on the other
 * datasets) and every proxy scored on the target (LEEP, LogME, ... computed on it, imported
 * with a brought-in hub, or recorded). Each proxy is put on one scale per dataset (z-score
 * over the models scored; a model without a score, or a flat proxy, counts 0).
 *
 * Weights are learned from the history alone, never from the target: every history dataset
 * d that has scores of a proxy is a past target in turn (leave-one-dataset-out): the prior
 * computed without d and the proxies' z-scores on d predict the models' standardized results
 * on d. One least-squares fit pooled over those datasets, with non-negative weights (a
 * signal that ranked models the wrong way on past targets is left out, not reversed), gives
 * each signal's weight. A proxy with fewer than MIN_EVIDENCE_DATASETS history datasets is
 * not used (a warning says so); with no usable proxy the evidence is the prior itself, so a
 * flat or uninformative proxy changes nothing.
 */
import type { PerformanceMatrix } from './types';
import { selectDatasets } from './matrix';
import { standardizedPrior, zScores } from './prior';

/** Proxy scores by proxy name, then dataset, then model. */
export type ProxyHistory = ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;

/** History datasets a proxy needs scores on before its weight is learned. */
export const MIN_EVIDENCE_DATASETS = 5;

/** Signal weights learned on the history (module comment). */
export interface EvidenceWeights {
  readonly prior: number;
  /** Weight per proxy used (absent: not used). */
  readonly proxies: ReadonlyMap<string, number>;
  /** History datasets the weights were fitted on (0: the prior alone, weight 1). */
  readonly datasets: number;
  /** Why a proxy asked for is not used. */
  readonly warnings: readonly string[];
}

/**
 * z-scores (population sd) of the finite scores of `models`; 0 for a model without one and
 * for every model when the scores do not vary. Pure.
 */
export function zOver(models: readonly string[], scores: ReadonlyMap<string, number> | undefined): number[] {
  const values = models.map((m) => scores?.get(m) ?? Number.NaN);
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return values.map(() => 0);
  const mu = finite.reduce((a, v) => a + v, 0) / finite.length;
  const sd = Math.sqrt(finite.reduce((a, v) => a + (v - mu) ** 2, 0) / finite.length);
  return values.map((v) => (Number.isFinite(v) && sd > 0 ? (v - mu) / sd : 0));
}

/** Solve the k x k system a x = b by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const k = b.length;
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let c = 0; c < k; c += 1) {
    let p = c;
    for (let r = c + 1; r < k; r += 1) if (Math.abs(m[r]?.[c] ?? 0) > Math.abs(m[p]?.[c] ?? 0)) p = r;
    if (Math.abs(m[p]?.[c] ?? 0) < 1e-12) return null;
    [m[c], m[p]] = [m[p] ?? [], m[c] ?? []];
    for (let r = 0; r < k; r += 1) {
      if (r === c) continue;
      const f = (m[r]?.[c] ?? 0) / (m[c]?.[c] ?? 1);
      for (let j = c; j <= k; j += 1) (m[r] as number[])[j] = (m[r]?.[j] ?? 0) - f * (m[c]?.[j] ?? 0);
    }
  }
  return m.map((row, i) => (row[k] ?? 0) / (row[i] ?? 1));
}

/**
 * Least squares of y on the columns of x without intercept, coefficients >= 0: the most
 * negative coefficient's column is dropped and the rest refitted until none is negative.
 * Columns never active get 0. Pure.
 */
export function nonNegativeLeastSquares(x: readonly (readonly number[])[], y: readonly number[]): number[] {
  const k = x[0]?.length ?? 0;
  let active = Array.from({ length: k }, (_, j) => j);
  while (active.length > 0) {
    const xtx = active.map((a) => active.map((b) => x.reduce((s, row) => s + (row[a] ?? 0) * (row[b] ?? 0), 0)));
    const xty = active.map((a) => x.reduce((s, row, i) => s + (row[a] ?? 0) * (y[i] ?? 0), 0));
    const coef = solve(xtx, xty);
    if (coef === null) {
      active = active.slice(0, -1);
      continue;
    }
    const worst = coef.reduce((w, c, i) => (c < (coef[w] ?? 0) ? i : w), 0);
    if ((coef[worst] ?? 0) >= 0) {
      const out = new Array<number>(k).fill(0);
      active.forEach((a, i) => (out[a] = coef[i] ?? 0));
      return out;
    }
    active = active.filter((_, i) => i !== worst);
  }
  return new Array<number>(k).fill(0);
}

/**
 * The weights of the prior and of `proxies` (module comment), learned on `history` and the
 * proxies' scores on history datasets. `history` must not hold the target. Pure.
 */
export function fitEvidenceWeights(history: PerformanceMatrix, proxyHistory: ProxyHistory, proxies: readonly string[], minDatasets = MIN_EVIDENCE_DATASETS): EvidenceWeights {
  const n = history.models.length;
  const warnings: string[] = [];
  const usable: { proxy: string; datasets: Set<string> }[] = [];
  for (const proxy of proxies) {
    const byDataset = proxyHistory.get(proxy);
    const datasets = new Set(history.datasets.filter((d) => [...(byDataset?.get(d)?.values() ?? [])].filter(Number.isFinite).length >= 3));
    if (datasets.size >= minDatasets) usable.push({ proxy, datasets });
    else warnings.push(`proxy ${proxy} has scores on ${datasets.size} history dataset(s), fewer than the ${minDatasets} needed to weigh it: recall and scores use the history prior alone`);
  }
  if (usable.length === 0) return { prior: 1, proxies: new Map(), datasets: 0, warnings };
  const z = zScores(history);
  const rows: number[][] = [];
  const ys: number[] = [];
  const fitted = history.datasets.filter((d) => usable.some((u) => u.datasets.has(d)));
  for (const d of fitted) {
    const di = history.datasets.indexOf(d);
    const prior = standardizedPrior(selectDatasets(history, (e) => e !== d));
    const proxyZ = usable.map((u) => (u.datasets.has(d) ? zOver(history.models, proxyHistory.get(u.proxy)?.get(d)) : history.models.map(() => 0)));
    for (let m = 0; m < n; m += 1) {
      const y = z[di * n + m] as number;
      const p = prior[m] ?? Number.NaN;
      if (!Number.isFinite(y) || !Number.isFinite(p)) continue;
      rows.push([p, ...proxyZ.map((col) => col[m] ?? 0)]);
      ys.push(y);
    }
  }
  const coef = nonNegativeLeastSquares(rows, ys);
  const weights = new Map<string, number>();
  usable.forEach((u, i) => {
    const w = coef[i + 1] ?? 0;
    if (w > 0) weights.set(u.proxy, w);
    else warnings.push(`proxy ${u.proxy} did not rank models better than the prior on ${u.datasets.size} history datasets: not used`);
  });
  return { prior: coef[0] ?? 0, proxies: weights, datasets: fitted.length, warnings };
}

/**
 * Evidence score per model of `models` on the target: w_prior · prior + Σ w_p · z_p, with
 * the z-scores of the target's proxy scores over `models` (0 where a model has none); a
 * model without a prior counts the mean prior of `models`. Higher is better. Pure.
 */
export function evidenceScores(models: readonly string[], prior: ReadonlyMap<string, number>, target: ReadonlyMap<string, ReadonlyMap<string, number>>, w: EvidenceWeights): number[] {
  const p = models.map((m) => prior.get(m) ?? Number.NaN);
  const finite = p.filter(Number.isFinite);
  const meanPrior = finite.length === 0 ? 0 : finite.reduce((a, v) => a + v, 0) / finite.length;
  const out = p.map((v) => w.prior * (Number.isFinite(v) ? v : meanPrior));
  for (const [proxy, weight] of w.proxies) {
    zOver(models, target.get(proxy)).forEach((zv, i) => (out[i] = (out[i] ?? 0) + weight * zv));
  }
  return out;
}

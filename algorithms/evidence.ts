/**
 * What the target's own evidence says about each model, weighed by how much each signal told
 * on past targets.
 *
 * Signals: the history prior (../prior.ts: a model's mean standardized result on the other
 * datasets), and for every proxy scored on the target (LEEP, LogME, ... computed on it,
 * imported with a brought-in hub, or recorded) two more: the proxy itself, put on one scale
 * per dataset (z-score over the models scored; a model without a score, or a flat proxy,
 * counts 0), and the proxy's *neighbour prior*: the standardized results on the
 * SIMILAR_DATASETS history datasets whose proxy profile (how the proxy ranks the models)
 * correlates best with the target's, weighted by that correlation. A proxy that cannot rank
 * the models well may still tell which past datasets the target resembles (same input
 * domain), and the results there name the specialists the global prior ranks low.
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
import { zOfFinite } from './stats';

/** Proxy scores by proxy name, then dataset, then model. */
export type ProxyHistory = ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;

/** History datasets a proxy needs scores on before its weight is learned. */
export const MIN_EVIDENCE_DATASETS = 5;

/** How many most similar history datasets the neighbour prior averages. */
export const SIMILAR_DATASETS = 3;

/** Signal weights learned on the history (module comment). */
export interface EvidenceWeights {
  readonly prior: number;
  /** Weight per proxy used (absent: not used). */
  readonly proxies: ReadonlyMap<string, number>;
  /** Weight of each proxy's neighbour prior (absent: not used). */
  readonly neighbours?: ReadonlyMap<string, number>;
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
  return zOfFinite(models.map((m) => scores?.get(m) ?? Number.NaN));
}

/** Pearson correlation of two equal-length vectors; 0 when either is constant. */
function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i += 1) {
    const x = (a[i] ?? 0) - ma;
    const y = (b[i] ?? 0) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * The neighbour prior of `models` (module comment) for a target whose proxy scores are
 * `target`: the `k` datasets of `history` (other than `exclude`) with scores in `scored`
 * whose proxy z-profile over `models` correlates best and positively with the target's,
 * and each model's correlation-weighted mean z-score of its results there (0 where it has
 * none, and everywhere when no dataset correlates). Pure.
 */
export function neighbourPrior(
  models: readonly string[],
  target: ReadonlyMap<string, number> | undefined,
  history: PerformanceMatrix,
  scored: ReadonlyMap<string, ReadonlyMap<string, number>> | undefined,
  k = SIMILAR_DATASETS,
  exclude?: string,
  z: Float64Array = zScores(history),
): number[] {
  const zt = zOver(models, target);
  if (zt.every((v) => v === 0)) return models.map(() => 0);
  const n = history.models.length;
  const index = new Map(history.models.map((m, i) => [m, i]));
  const near = history.datasets
    .map((d, di) => ({ di, scores: d === exclude ? undefined : scored?.get(d) }))
    .flatMap(({ di, scores }) => (scores === undefined ? [] : [{ di, sim: correlation(zt, zOver(models, scores)) }]))
    .filter((e) => e.sim > 0)
    .sort((a, b) => b.sim - a.sim || a.di - b.di)
    .slice(0, k);
  return models.map((m) => {
    const mi = index.get(m);
    let sum = 0;
    let weight = 0;
    for (const { di, sim } of near) {
      const v = mi === undefined ? Number.NaN : (z[di * n + mi] as number);
      if (!Number.isFinite(v)) continue;
      sum += sim * v;
      weight += sim;
    }
    return weight > 0 ? sum / weight : 0;
  });
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
export function fitEvidenceWeights(
  history: PerformanceMatrix,
  proxyHistory: ProxyHistory,
  proxies: readonly string[],
  minDatasets = MIN_EVIDENCE_DATASETS,
): EvidenceWeights {
  const n = history.models.length;
  const warnings: string[] = [];
  const usable: { proxy: string; datasets: Set<string> }[] = [];
  for (const proxy of proxies) {
    const byDataset = proxyHistory.get(proxy);
    const datasets = new Set(history.datasets.filter((d) => [...(byDataset?.get(d)?.values() ?? [])].filter(Number.isFinite).length >= 3));
    if (datasets.size >= minDatasets) usable.push({ proxy, datasets });
    else
      warnings.push(
        `proxy ${proxy} has scores on ${datasets.size} history dataset(s), fewer than the ${minDatasets} needed to weigh it: recall and scores use the history prior alone`,
      );
  }
  if (usable.length === 0) return { prior: 1, proxies: new Map(), datasets: 0, warnings };
  const z = zScores(history);
  const rows: number[][] = [];
  const ys: number[] = [];
  const fitted = history.datasets.filter((d) => usable.some((u) => u.datasets.has(d)));
  const none = history.models.map(() => 0);
  for (const d of fitted) {
    const di = history.datasets.indexOf(d);
    const prior = standardizedPrior(selectDatasets(history, (e) => e !== d));
    const features = usable.flatMap((u) => {
      if (!u.datasets.has(d)) return [none, none];
      const scored = proxyHistory.get(u.proxy);
      const onD = scored?.get(d);
      return [zOver(history.models, onD), neighbourPrior(history.models, onD, history, scored, SIMILAR_DATASETS, d, z)];
    });
    for (let m = 0; m < n; m += 1) {
      const y = z[di * n + m] as number;
      const p = prior[m] ?? Number.NaN;
      if (!Number.isFinite(y) || !Number.isFinite(p)) continue;
      rows.push([p, ...features.map((col) => col[m] ?? 0)]);
      ys.push(y);
    }
  }
  const coef = nonNegativeLeastSquares(rows, ys);
  const weights = new Map<string, number>();
  const neighbours = new Map<string, number>();
  usable.forEach((u, i) => {
    const w = coef[1 + 2 * i] ?? 0;
    const nb = coef[2 + 2 * i] ?? 0;
    if (w > 0) weights.set(u.proxy, w);
    if (nb > 0) neighbours.set(u.proxy, nb);
    if (w <= 0 && nb <= 0) warnings.push(`proxy ${u.proxy} did not rank models better than the prior on ${u.datasets.size} history datasets: not used`);
  });
  return { prior: coef[0] ?? 0, proxies: weights, neighbours, datasets: fitted.length, warnings };
}

/**
 * Evidence score per model of `models` on the target: w_prior · prior + Σ w_p · z_p +
 * Σ v_p · neighbour_p, with the z-scores of the target's proxy scores over `models` (0 where
 * a model has none) and each proxy's neighbour prior over `context` (needed when a
 * neighbour weight is set); a model without a prior counts the mean prior of `models`.
 * Higher is better. Pure.
 */
export function evidenceScores(
  models: readonly string[],
  prior: ReadonlyMap<string, number>,
  target: ReadonlyMap<string, ReadonlyMap<string, number>>,
  w: EvidenceWeights,
  context?: { history: PerformanceMatrix; proxyHistory: ProxyHistory },
): number[] {
  const p = models.map((m) => prior.get(m) ?? Number.NaN);
  const finite = p.filter(Number.isFinite);
  const meanPrior = finite.length === 0 ? 0 : finite.reduce((a, v) => a + v, 0) / finite.length;
  const out = p.map((v) => w.prior * (Number.isFinite(v) ? v : meanPrior));
  for (const [proxy, weight] of w.proxies) {
    zOver(models, target.get(proxy)).forEach((zv, i) => (out[i] = (out[i] ?? 0) + weight * zv));
  }
  for (const [proxy, weight] of w.neighbours ?? new Map<string, number>()) {
    if (context === undefined) throw new Error(`the neighbour prior of ${proxy} needs the history and its proxy scores`);
    neighbourPrior(models, target.get(proxy), context.history, context.proxyHistory.get(proxy)).forEach((v, i) => (out[i] = (out[i] ?? 0) + weight * v));
  }
  return out;
}

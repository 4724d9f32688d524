/**
 * Empirical-Bayes shrinkage of noisy validation scores toward what the history prior
 * predicts, plus the history-based correction of an early validation score toward the
 * final score.
 *
 * Model: for the models trained so far on the target, y_m = (validation at epoch t) +
 * g_t(m) estimates the final score, where g_t(m) = mean over m's other recorded runs of
 * (final - validation at epoch t) is m's usual gap. y_m = theta_m + noise with variance
 * sigma_t^2 (measured on other datasets), and theta_m = a + b * prior_m + residual with
 * variance tau^2. The posterior mean is fit_m + w * (y_m - fit_m), w = tau^2 / (tau^2 + sigma_t^2),
 * where a, b come from least squares (b clamped at >= 0: a better history never predicts
 * worse) and tau^2 = max(var(y - fit) - sigma_t^2, MIN_TAU2) (method of moments).
 */
import type { PerformanceMatrix, RunRecord, RunSet } from './types';
import { mean, variance } from './stats';
import { selectDatasets } from './matrix';
import { standardizedPrior } from './prior';

/** Floor of the residual variance, so that w never reaches exactly 0. */
export const MIN_TAU2 = 1e-6;

/** Mean of (final - validation at `epoch`) over runs reaching that epoch with a final score; 0 when none. */
export function historyGap(runs: readonly RunRecord[], epoch: number): number {
  const gaps = runs.flatMap((r) => {
    const v = r.val[epoch - 1];
    return v !== undefined && r.test !== null && Number.isFinite(v) && Number.isFinite(r.test) ? [r.test - v] : [];
  });
  const g = mean(gaps);
  return Number.isFinite(g) ? g : 0;
}

/**
 * sigma_t^2: within-dataset variance of final - (validation at `epoch` + gap(model)), averaged
 * over the datasets of `curves` with at least `minRuns` usable runs. NaN when there are none.
 */
export function noiseVariance(curves: RunSet, epoch: number, gap: (model: string) => number, minRuns = 10): number {
  const byDataset = new Map<string, number[]>();
  for (const r of curves.runs) {
    const v = r.val[epoch - 1];
    if (v === undefined || r.test === null || !Number.isFinite(v) || !Number.isFinite(r.test)) continue;
    byDataset.set(r.dataset, [...(byDataset.get(r.dataset) ?? []), r.test - v - gap(r.model)]);
  }
  return mean([...byDataset.values()].filter((e) => e.length >= minRuns).map(variance));
}

/** Least-squares line of y on x over pairs with finite x, slope clamped at >= 0; flat at mean(y) without such pairs. */
export function nonNegativeFit(x: readonly number[], y: readonly number[]): { a: number; b: number } {
  const pts = x.map((xi, i) => [xi, y[i] ?? Number.NaN] as const).filter(([xi, yi]) => Number.isFinite(xi) && Number.isFinite(yi));
  const mx = mean(pts.map((p) => p[0]));
  const my = mean(pts.map((p) => p[1]));
  const sxx = pts.reduce((s, [xi]) => s + (xi - mx) ** 2, 0);
  const sxy = pts.reduce((s, [xi, yi]) => s + (xi - mx) * (yi - my), 0);
  const b = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  return pts.length === 0 ? { a: mean(y), b: 0 } : { a: my - b * mx, b };
}

/**
 * tau^2 measured on the history instead of the few models of a rung: for every dataset of
 * `history` with at least `minModels` results, the variance of those results around their
 * non-negative fit on the prior computed without that dataset (how far a dataset's results
 * stray from what the prior predicts), averaged over the datasets. NaN when no dataset
 * qualifies. Pure.
 */
export function historyResidualVariance(history: PerformanceMatrix, minModels = 5): number {
  const n = history.models.length;
  const perDataset = history.datasets.flatMap((d, di) => {
    const y = history.models.map((_, m) => history.values[di * n + m] ?? Number.NaN);
    if (y.filter(Number.isFinite).length < minModels) return [];
    const x = standardizedPrior(selectDatasets(history, (e) => e !== d));
    const pts = x.map((xi, m) => [xi, y[m] ?? Number.NaN] as const).filter(([xi, yi]) => Number.isFinite(xi) && Number.isFinite(yi));
    if (pts.length < minModels) return [];
    const { a, b } = nonNegativeFit(
      pts.map((p) => p[0]),
      pts.map((p) => p[1]),
    );
    return [variance(pts.map(([xi, yi]) => yi - a - b * xi))];
  });
  return mean(perDataset);
}

/**
 * Posterior means of y shrunk toward the prior fit (module comment), with the weight w
 * given to the data. A model without a prior (NaN x) is fitted at the mean prior. `tau2`,
 * when given and finite, is the residual variance to use (e.g. historyResidualVariance)
 * instead of the method-of-moments estimate from y, which a rung of a few models makes
 * unreliable (it collapses to MIN_TAU2, and then every model scores the fit alone).
 * Throws when sigma2 is negative or not finite, or the lengths differ.
 */
export function shrinkTowardPrior(y: readonly number[], x: readonly number[], sigma2: number, tau2Given?: number): { posterior: number[]; weight: number } {
  if (!Number.isFinite(sigma2) || sigma2 < 0) throw new Error(`sigma2 is ${sigma2}, but must be a finite number >= 0`);
  if (y.length !== x.length) throw new Error(`${y.length} scores but ${x.length} priors`);
  const { a, b } = nonNegativeFit(x, y);
  const mx = mean(x);
  const fit = x.map((xi) => a + b * (Number.isFinite(xi) ? xi : Number.isFinite(mx) ? mx : 0));
  const tau2 =
    tau2Given !== undefined && Number.isFinite(tau2Given)
      ? Math.max(tau2Given, MIN_TAU2)
      : Math.max(variance(y.map((yi, i) => yi - (fit[i] ?? 0))) - sigma2, MIN_TAU2);
  const weight = Number.isFinite(tau2) ? tau2 / (tau2 + sigma2) : 1;
  return { posterior: y.map((yi, i) => (fit[i] ?? 0) + weight * (yi - (fit[i] ?? 0))), weight };
}

/**
 * How much a rung's validation scores and the target's evidence each say about the final
 * result, learned from the history's curves.
 *
 * At epoch t of a halving rung two signals rank the surviving models: their validation
 * scores after t epochs (noisy, and blind to slow starters early on) and the evidence about
 * the target (../evidence.ts: the history prior plus the target's proxy scores, weighed).
 * Every history dataset d with curves is a past target: over the models recorded on d, the
 * z-scores of the validation after t epochs and of the evidence as it was for d (computed
 * without d) predict the z-scores of the final results. One least-squares fit without
 * intercept and with non-negative coefficients, pooled over those datasets, gives the two
 * weights of epoch t. Early epochs give the evidence a large weight, late ones almost none:
 * the data decide how fast the validation takes over, nothing is tuned per target.
 *
 * A rung is then scored on the metric's scale as
 *   validation + (w_evidence / w_validation) · sd(validation) · z(evidence),
 * which ranks the models exactly as w_validation · z(validation) + w_evidence · z(evidence)
 * (with w_validation = 0: by the evidence alone).
 */
import type { RunSet } from './types';
import { nonNegativeLeastSquares } from './evidence';
import { mean, variance, zOfFinite } from './stats';

/** The two weights of one epoch and the history that gave them. */
export interface RungWeights {
  readonly validation: number;
  readonly evidence: number;
  /** History datasets the weights were fitted on (0: no curves reach the epoch; validation alone). */
  readonly datasets: number;
}

/** History datasets a fit needs; with fewer the rung ranks by validation alone. */
export const MIN_RUNG_FIT_DATASETS = 3;

/** Models of one history dataset a fit uses; smaller datasets are skipped. */
const MIN_MODELS = 3;

/**
 * The weights of epoch `epoch` (module comment). `curves` holds the history's runs of the
 * datasets measured like the target (same metric direction `direction`), without the target;
 * `evidenceOn(d)` is the evidence per model as it was for history dataset d (higher is
 * better), or null when it cannot be had there. Pure.
 */
export function fitRungWeights(
  curves: RunSet,
  epoch: number,
  evidenceOn: (dataset: string) => ReadonlyMap<string, number> | null,
  minDatasets = MIN_RUNG_FIT_DATASETS,
): RungWeights {
  const byDataset = new Map<string, { model: string; val: number; final: number }[]>();
  for (const r of curves.runs) {
    const v = r.val[epoch - 1];
    if (v === undefined || r.test === null || !Number.isFinite(v) || !Number.isFinite(r.test)) continue;
    byDataset.set(r.dataset, [...(byDataset.get(r.dataset) ?? []), { model: r.model, val: v, final: r.test }]);
  }
  const rows: number[][] = [];
  const ys: number[] = [];
  let datasets = 0;
  for (const [dataset, runs] of byDataset) {
    if (runs.length < MIN_MODELS) continue;
    const evidence = evidenceOn(dataset);
    if (evidence === null) continue;
    const zv = zOfFinite(runs.map((r) => r.val));
    const ze = zOfFinite(runs.map((r) => evidence.get(r.model) ?? Number.NaN));
    const zy = zOfFinite(runs.map((r) => r.final));
    runs.forEach((_, i) => {
      rows.push([zv[i] ?? 0, ze[i] ?? 0]);
      ys.push(zy[i] ?? 0);
    });
    datasets += 1;
  }
  if (datasets < minDatasets) return { validation: 1, evidence: 0, datasets: 0 };
  const [validation = 0, evidence = 0] = nonNegativeLeastSquares(rows, ys);
  return validation === 0 && evidence === 0 ? { validation: 1, evidence: 0, datasets } : { validation, evidence, datasets };
}

/**
 * Rung scores on the metric's scale (module comment): `values` are the rung's validation
 * scores (oriented so that higher is better), `evidence` the evidence per model in the same order. Pure.
 */
export function combineRung(values: readonly number[], evidence: readonly number[], w: RungWeights): number[] {
  const ze = zOfFinite(evidence);
  if (w.evidence === 0) return [...values];
  const mu = mean(values);
  const sd = Math.sqrt(variance(values));
  if (w.validation === 0 || !(sd > 0)) return values.map((v, i) => (Number.isFinite(v) ? mu + (ze[i] ?? 0) : v));
  return values.map((v, i) => v + (w.evidence / w.validation) * sd * (ze[i] ?? 0));
}

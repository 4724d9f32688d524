/**
 * Leave-one-dataset-out rank quality of recall scores on a performance matrix: for each target
 * dataset, the models' true values there against the history prior (mean value on every other
 * maximized dataset), every stored proxy P, and prior × exp(P) (two-phase-paper's recall score
 * with `--proxy P`), for any proxy name. Pure: the matrix and scores come in as values.
 */
import { priorByModel, selectDatasets } from '../algorithms/matrix';
import { priorTimesExpLeep } from '../algorithms/proxy-combine';
import type { Direction, PerformanceMatrix } from '../algorithms/types';
import { commonScale, datasetWarnings, pointsPerUnit, scaleOf, type Scale } from '../interop/checks';
import { meanFinite, rankQuality, type RankQuality } from './rank-quality';

export interface EvaluationInput {
  readonly matrix: PerformanceMatrix;
  /** Metric direction per dataset; unlisted = maximize. */
  readonly directions: ReadonlyMap<string, Direction>;
  /** Proxy scores: target → proxy → model → score. */
  readonly proxies: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;
  /** Targets to judge; default every dataset with at least `minModels` models. Unknown ids throw. */
  readonly targets?: readonly string[];
  /** @default 3 */
  readonly minModels?: number;
  /** k of the top-k hit rate. @default 3 */
  readonly k?: number;
}

export interface EvaluationRow extends RankQuality {
  readonly target: string;
  readonly method: string;
  /** What one unit of regret is: 'points' (fractions × 100) or the metric's own units. */
  readonly unit: 'points' | 'units';
}

export interface Evaluation {
  readonly targets: readonly string[];
  readonly rows: readonly EvaluationRow[];
  /** One row per method, target 'mean': each column averaged over the targets where it is finite; hitAtK is the hit rate. */
  readonly means: readonly EvaluationRow[];
  readonly warnings: readonly string[];
  readonly k: number;
}

/** Thrown for targets the matrix cannot judge; the message lists what it holds. */
export class EvaluationInputError extends Error {}

const column = (m: PerformanceMatrix, d: number): number[] => m.models.map((_, i) => m.values[d * m.models.length + i] ?? Number.NaN);

/** The method names, in table order, for a target with these proxies. */
export function methodsOf(proxyNames: readonly string[]): string[] {
  return ['history-prior', ...proxyNames, ...proxyNames.map((p) => `history-prior × exp(${p})`)];
}

/** Every method's scores on `target`, by model. */
export function scoresOn(input: EvaluationInput, target: string): Map<string, ReadonlyMap<string, number>> {
  const others = selectDatasets(input.matrix, (d) => d !== target && (input.directions.get(d) ?? 'maximize') === 'maximize');
  const prior = priorByModel(others);
  const byProxy = input.proxies.get(target) ?? new Map<string, ReadonlyMap<string, number>>();
  const names = [...byProxy.keys()].sort();
  const out = new Map<string, ReadonlyMap<string, number>>([['history-prior', prior]]);
  for (const p of names) out.set(p, byProxy.get(p) ?? new Map());
  for (const p of names) out.set(`history-prior × exp(${p})`, priorTimesExpLeep(prior, byProxy.get(p) ?? new Map()));
  return out;
}

/** Leave-one-dataset-out evaluation (module comment). Throws EvaluationInputError for an unknown or unjudgeable target. */
export function evaluateRecall(input: EvaluationInput): Evaluation {
  const minModels = input.minModels ?? 3;
  const k = input.k ?? 3;
  const { matrix } = input;
  const counts = new Map(matrix.datasets.map((d, i) => [d, column(matrix, i).filter(Number.isFinite).length]));
  if (input.targets) {
    const unknown = input.targets.filter((t) => !counts.has(t));
    if (unknown.length)
      throw new EvaluationInputError(`unknown target(s) ${unknown.join(', ')}; the store has the datasets ${matrix.datasets.join(', ') || '(none)'}`);
    const thin = input.targets.filter((t) => (counts.get(t) ?? 0) < minModels);
    if (thin.length)
      throw new EvaluationInputError(
        `target(s) ${thin.map((t) => `${t} (${counts.get(t) ?? 0} models)`).join(', ')} have fewer than ${minModels} models with a value; lower --min-models to judge them`,
      );
  }
  const targets = input.targets ? [...input.targets] : matrix.datasets.filter((d) => (counts.get(d) ?? 0) >= minModels);
  if (targets.length === 0)
    throw new EvaluationInputError(
      `no dataset has at least ${minModels} models with a value (datasets: ${matrix.datasets.map((d) => `${d} ${counts.get(d) ?? 0}`).join(', ') || 'none'})`,
    );
  const scales = new Map<string, Scale>(matrix.datasets.map((d, i) => [d, scaleOf(column(matrix, i))]));
  const common = commonScale(matrix.datasets.map((_, i) => column(matrix, i)));
  const warnings = [
    ...matrix.datasets
      .filter((d) => !targets.includes(d))
      .map((d) => `${d}: skipped as a target: ${counts.get(d) ?? 0} model(s) with a value, fewer than ${minModels}`),
    ...targets.flatMap((t) => datasetWarnings(t, column(matrix, matrix.datasets.indexOf(t)), { scale: common })),
  ];
  const rows: EvaluationRow[] = [];
  for (const target of targets) {
    const d = matrix.datasets.indexOf(target);
    const sign = (input.directions.get(target) ?? 'maximize') === 'minimize' ? -1 : 1;
    const truthAll = column(matrix, d);
    const scored = new Set([...(input.proxies.get(target)?.values() ?? [])].flatMap((s) => [...s.keys()]));
    // With proxy scores on the target, every method is judged on the models that have one (the bench's rule).
    const models = matrix.models.filter((m, i) => Number.isFinite(truthAll[i] ?? Number.NaN) && (scored.size === 0 || scored.has(m)));
    const truthOf = new Map(matrix.models.map((m, i) => [m, sign * (truthAll[i] ?? Number.NaN)]));
    const truth = models.map((m) => truthOf.get(m) ?? Number.NaN);
    const unit = pointsPerUnit(scales.get(target) ?? 'fraction');
    for (const [method, scores] of scoresOn(input, target)) {
      const q = rankQuality(
        models.map((m) => scores.get(m) ?? Number.NaN),
        truth,
        k,
      );
      rows.push({ ...q, regret: q.regret * unit, regretTop3: q.regretTop3 * unit, target, method, unit: unit === 100 ? 'points' : 'units' });
    }
  }
  return { targets, rows, means: meansOf(rows), warnings, k };
}

/** One row per method (first-seen order), target 'mean'. */
export function meansOf(rows: readonly EvaluationRow[]): EvaluationRow[] {
  return [...new Set(rows.map((r) => r.method))].map((method) => {
    const of = rows.filter((r) => r.method === method);
    const col = (key: 'models' | 'pearson' | 'spearman' | 'tau' | 'regret' | 'regretTop3' | 'hitAtK'): number => meanFinite(of.map((r) => r[key]));
    const unit = of.every((r) => r.unit === 'points') ? 'points' : 'units';
    return {
      target: 'mean',
      method,
      models: col('models'),
      pearson: col('pearson'),
      spearman: col('spearman'),
      tau: col('tau'),
      regret: col('regret'),
      regretTop3: col('regretTop3'),
      hitAtK: col('hitAtK'),
      unit,
    };
  });
}

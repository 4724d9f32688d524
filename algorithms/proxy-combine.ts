/**
 * Recall scores from several proxy scores per model, as configured by a
 * `ProxyCombination` (contracts/schemas/proxies.ts): one proxy alone, a weighted sum of
 * normalised proxies, or a product such as Cui et al.'s (ICDE 2024) history prior ×
 * exp(LEEP). Inputs are maps from model id to score, one map per proxy name.
 *
 * Missing values: the result has one entry per model that appears in any proxy the
 * combination names (in order of first appearance, proxies taken in configuration
 * order); a model without a finite score for some named proxy gets NaN, which recall
 * ranks last. Normalisation statistics use the finite scores of that proxy only.
 */
import { PAPER_PROXY_COMBINATION, type ProxyCombination, type ProxyName, type ProxyNormalization } from '../contracts/schemas/proxies';
import { averageRanks } from './rank-metrics';

/** Scores per proxy name, each a map from model id to score. */
export type ProxyScores = ReadonlyMap<ProxyName, ReadonlyMap<string, number>>;

/** An exhaustiveness guard for switch statements. */
function assertUnreachable(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}

/**
 * `scores` on a common scale (see ProxyNormalizationSchema): zscore uses the population
 * standard deviation; rank uses average ranks for ties. Non-finite scores stay NaN; when
 * the finite scores do not vary (or there is one), every finite score maps to 0 (except 'none').
 */
export function normalizeScores(scores: ReadonlyMap<string, number>, how: ProxyNormalization): Map<string, number> {
  const ids = [...scores.keys()].filter((id) => Number.isFinite(scores.get(id) ?? Number.NaN));
  const values = ids.map((id) => scores.get(id) ?? 0);
  const scaled = scale(values, how);
  const out = new Map<string, number>([...scores.keys()].map((id) => [id, Number.NaN]));
  ids.forEach((id, i) => out.set(id, scaled[i] ?? Number.NaN));
  return out;
}

function scale(values: readonly number[], how: ProxyNormalization): number[] {
  const n = values.length;
  switch (how) {
    case 'none':
      return [...values];
    case 'zscore': {
      const mean = values.reduce((a, v) => a + v, 0) / n;
      const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
      return values.map((v) => (sd > 0 ? (v - mean) / sd : 0));
    }
    case 'minmax': {
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      return values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
    }
    case 'rank':
      return averageRanks(values).map((r) => (n > 1 ? (r - (n + 1) / 2) / (n - 1) : 0));
    default:
      return assertUnreachable(how);
  }
}

function namedProxies(combination: ProxyCombination): ProxyName[] {
  switch (combination.kind) {
    case 'single':
      return [combination.proxy];
    case 'weighted-sum':
      return combination.terms.map((t) => t.proxy);
    case 'product':
      return combination.factors.map((f) => f.proxy);
    default:
      return assertUnreachable(combination);
  }
}

/** The scores of `proxy`; throws when the caller gave none. */
function scoresOf(scores: ProxyScores, proxy: ProxyName): ReadonlyMap<string, number> {
  const s = scores.get(proxy);
  if (s === undefined)
    throw new Error(`proxy '${proxy}' is named in the combination, but no scores were given for it (given: ${[...scores.keys()].join(', ') || 'none'})`);
  return s;
}

/** A model's finite score, or NaN. */
function valueOf(map: ReadonlyMap<string, number>, id: string): number {
  const v = map.get(id) ?? Number.NaN;
  return Number.isFinite(v) ? v : Number.NaN;
}

/**
 * The recall score of every model under `combination` (parsed by ProxyCombinationSchema):
 * - single: the proxy's score;
 * - weighted-sum: Σ_t weight_t · normalise_t(proxy_t)(model);
 * - product: Π_f transform_f(proxy_f(model)) ^ power_f, transform ∈ {identity, exp}
 *   (a negative base with a non-integer power gives NaN, as Math.pow does).
 * Higher is better. Pure; throws when a named proxy has no scores in `scores`.
 */
export function combineProxies(scores: ProxyScores, combination: ProxyCombination): Map<string, number> {
  const names = namedProxies(combination);
  const maps = names.map((p) => scoresOf(scores, p));
  const models = [...new Set(maps.flatMap((m) => [...m.keys()]))];
  switch (combination.kind) {
    case 'single':
      return new Map(models.map((id) => [id, valueOf(maps[0] ?? new Map(), id)]));
    case 'weighted-sum': {
      const normalised = combination.terms.map((t, i) => normalizeScores(maps[i] ?? new Map(), t.normalize));
      const sum = (id: string): number => combination.terms.reduce((acc, t, i) => acc + t.weight * valueOf(normalised[i] ?? new Map(), id), 0);
      return new Map(models.map((id) => [id, sum(id)]));
    }
    case 'product': {
      const factor = (id: string, i: number): number => {
        const f = combination.factors[i];
        const v = valueOf(maps[i] ?? new Map(), id);
        if (f === undefined || Number.isNaN(v)) return Number.NaN;
        return (f.transform === 'exp' ? Math.exp(v) : v) ** f.power;
      };
      return new Map(models.map((id) => [id, combination.factors.reduce((acc, _, i) => acc * factor(id, i), 1)]));
    }
    default:
      return assertUnreachable(combination);
  }
}

/**
 * Cui et al.'s recall score prior(m) · exp(LEEP(m)): the history prior (mean fine-tuned
 * accuracy) times LEEP turned back into a likelihood in (0, 1]. NaN for a model missing
 * from either map. The paper's combination run through `combineProxies`.
 */
export function priorTimesExpLeep(prior: ReadonlyMap<string, number>, leep: ReadonlyMap<string, number>): Map<string, number> {
  return combineProxies(
    new Map<ProxyName, ReadonlyMap<string, number>>([
      ['history-prior', prior],
      ['leep', leep],
    ]),
    PAPER_PROXY_COMBINATION,
  );
}

/**
 * A recall-only result for hubs without curves: the models ranked for a target by the history
 * prior (mean value on every other maximized dataset) or by prior × exp(P) for a stored proxy P,
 * the score two-phase-paper recall ranks cluster members by, with the figures behind each score.
 * Pure; the history never includes the target itself.
 */
import { selectDatasets } from '../algorithms/matrix';
import { priorTimesExpLeep } from '../algorithms/proxy-combine';
import type { Direction, PerformanceMatrix } from '../algorithms/types';

export interface ShortlistInput {
  readonly matrix: PerformanceMatrix;
  readonly directions: ReadonlyMap<string, Direction>;
  /** Proxy scores on the target: proxy → model → score. */
  readonly proxies: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly target: string;
  /** A stored proxy name, or null for the history prior alone. */
  readonly proxy: string | null;
  /** @default 5 */
  readonly size?: number;
  /** Restrict the pool to these models. */
  readonly models?: readonly string[];
}

export interface ShortlistEntry {
  readonly rank: number;
  readonly model: string;
  readonly score: number;
  readonly prior: number;
  /** Datasets the prior averages over. */
  readonly datasets: number;
  readonly proxy: number | null;
  /** The model's stored value on the target, when it was measured there (not used for ranking). */
  readonly measured: number | null;
  readonly why: string;
}

export interface Shortlist {
  readonly target: string;
  readonly score: string;
  readonly pool: number;
  readonly entries: readonly ShortlistEntry[];
  readonly notes: readonly string[];
}

/** Thrown for an unknown target or proxy; the message lists what the store has. */
export class ShortlistInputError extends Error {}

const f = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));

/** Rank the pool (module comment). Throws ShortlistInputError. */
export function recallShortlist(input: ShortlistInput): Shortlist {
  const { matrix, target } = input;
  const size = input.size ?? 5;
  if (!Number.isInteger(size) || size < 1) throw new ShortlistInputError(`size is ${size}, but must be an integer >= 1`);
  if (!matrix.datasets.includes(target) && input.proxies.size === 0) {
    throw new ShortlistInputError(
      `unknown target ${target}: the store has no cells and no proxy scores for it (datasets: ${matrix.datasets.join(', ') || 'none'}); for a new task, import its proxy scores (model,dataset,proxy,value) first`,
    );
  }
  if (input.proxy !== null && !input.proxies.has(input.proxy)) {
    throw new ShortlistInputError(`no ${input.proxy} scores on ${target}; stored proxies there: ${[...input.proxies.keys()].join(', ') || 'none'}`);
  }
  const history = selectDatasets(matrix, (d) => d !== target && (input.directions.get(d) ?? 'maximize') === 'maximize');
  const n = history.models.length;
  const stats = history.models.map((model, m) => {
    const v = history.datasets.map((_, d) => history.values[d * n + m] ?? Number.NaN).filter(Number.isFinite);
    return { model, prior: v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN, datasets: v.length };
  });
  const unknownModels = (input.models ?? []).filter((m) => !history.models.includes(m));
  if (unknownModels.length) throw new ShortlistInputError(`unknown model(s) ${unknownModels.join(', ')}: no history in the store`);
  const pool = stats.filter((s) => s.datasets > 0 && (!input.models || input.models.includes(s.model)));
  const scores = input.proxy === null ? null : (input.proxies.get(input.proxy) ?? new Map<string, number>());
  const combined = scores ? priorTimesExpLeep(new Map(pool.map((s) => [s.model, s.prior])), scores) : null;
  const t = matrix.datasets.indexOf(target);
  const measured = (model: string): number | null => {
    const v = t < 0 ? Number.NaN : (matrix.values[t * matrix.models.length + matrix.models.indexOf(model)] ?? Number.NaN);
    return Number.isFinite(v) ? v : null;
  };
  const ranked = pool
    .map((s) => ({ ...s, score: combined ? (combined.get(s.model) ?? Number.NaN) : s.prior, proxy: scores?.get(s.model) ?? null }))
    .filter((s) => Number.isFinite(s.score))
    .sort((a, b) => b.score - a.score || (a.model < b.model ? -1 : 1));
  const entries = ranked.slice(0, size).map((s, i) => ({
    rank: i + 1,
    model: s.model,
    score: s.score,
    prior: s.prior,
    datasets: s.datasets,
    proxy: s.proxy,
    measured: measured(s.model),
    why: `mean ${f(s.prior)} over ${s.datasets} dataset(s)${s.proxy === null ? '' : ` × exp(${input.proxy ?? ''} ${f(s.proxy)})`}`,
  }));
  const unscored = pool.length - ranked.length;
  const notes = [
    `${pool.length} model(s) with history on other datasets${unscored ? `; ${unscored} without a ${input.proxy ?? ''} score left out` : ''}`,
    ...(input.proxy === null && input.proxies.size
      ? [`proxy scores stored on ${target}: ${[...input.proxies.keys()].join(', ')} (rank by one with --proxy <name>)`]
      : []),
    ...(t >= 0 ? [`${target} itself is in the store: its cells are left out of every prior (the "measured" column shows them for reference)`] : []),
  ];
  return { target, score: input.proxy === null ? 'history-prior' : `history-prior × exp(${input.proxy})`, pool: pool.length, entries, notes };
}

/**
 * prior-shrink-halving: recall by the target's evidence, then successive halving on
 * validation scores corrected by each model's history and shrunk toward that evidence.
 *
 * 1. Evidence (../evidence.ts): the history prior plus the target's score of `proxy` (computed
 *    on the target, imported or recorded), each weighted by how well it ranked models on the
 *    history datasets (leave-one-dataset-out; nothing tuned per target). Without proxy scores
 *    on the target or on enough history datasets, the evidence is the prior alone, and the
 *    recall says so in a warning. `proxy=history-prior` uses the prior alone.
 * 2. Recall: the `recallSize` pool models with the best evidence, the last `proxySlots` of
 *    them replaced by the best of the rest by the proxy's own score on the target (recalled);
 *    a proxy score used costs its computation (PROXY_EPOCH_COST epoch per model scored on the
 *    target).
 * 3. Rounds: each epoch, every surviving model trains one more epoch and is scored by
 *    y = validation + its usual gap to the final score on other datasets (`trend`), then
 *    shrunk toward a fit on the evidence with an empirical-Bayes weight (`shrink`, see
 *    ../shrinkage.ts; or combined with it by weights fitted per epoch on the history,
 *    ../rung-fit.ts); from epoch `gracePeriod` on, the best max(1, floor(n / eta))
 *    (`rungKeep: ceil`: ceil(n / eta); `taper`: one ratio per epoch down to `finalists` at
 *    the budget, ../halving.ts taperCount) go on. At the budget epoch the best score is the pick.
 * 4. Tuning (`tuning: history`): before recall, each setting of PRIOR_SHRINK_MENU is replayed
 *    on the history's own datasets (../history-replay.ts), and the task runs with the one the
 *    history favours (tunedOptions).
 * Every statistic comes from task.history / task.curves / task.proxyHistory (other
 * datasets) or from the target itself; nothing is tuned per target.
 */
import type { Rung, SelectionPolicy, SelectionTask } from '../policy';
import type { OptionsOf } from '../../contracts/schemas/policy';
import { keepBest, keepTop, taperCount } from '../halving';
import { standardizedPrior } from '../prior';
import { evidenceScores, fitEvidenceWeights, MIN_EVIDENCE_DATASETS, zOver, type EvidenceWeights } from '../evidence';
import { topBy } from '../recall';
import { historyGap, historyResidualVariance, noiseVariance, shrinkTowardPrior } from '../shrinkage';
import { selectDatasets } from '../matrix';
import { combineRung, fitRungWeights, type RungWeights } from '../rung-fit';
import { runsByModel } from '../trend-filter';
import { mean, rankDescending } from '../stats';
import { comparableCurves, last, measuredLikeTarget, memo, noComparableCurvesWarning } from './rounds';
import { replayOnHistory } from '../history-replay';

type Options = OptionsOf<'prior-shrink-halving'>;

/** What the rung scores are. */
export const CORRECTED_SCORE = "score (validation + the model's usual gap to its final on other datasets, shrunk toward the target evidence; metric scale)";

/** Standardized history prior per model (z-score of its mean standardized final metric over the history datasets). */
function priorOf(task: SelectionTask): ReadonlyMap<string, number> {
  return memo(task, 'prior', () => {
    const z = standardizedPrior(task.history);
    return new Map(task.history.models.map((m, i) => [m, z[i] ?? Number.NaN]));
  });
}

/** The proxy the evidence uses, or null for the prior alone. */
function proxyOf(o: Options): string | null {
  return o.proxy === 'history-prior' ? null : o.proxy;
}

/** Signal weights learned on the history (step 1). */
function weightsOf(task: SelectionTask, o: Options): EvidenceWeights {
  const proxy = proxyOf(o);
  return memo(task, `evidence-weights:${proxy ?? ''}`, () => {
    if (proxy === null) return { prior: 1, proxies: new Map(), datasets: 0, warnings: [] };
    const scored = task.pool.filter((m) => Number.isFinite(task.proxies.get(proxy)?.get(m) ?? Number.NaN)).length;
    if (scored < 2)
      return {
        prior: 1,
        proxies: new Map(),
        datasets: 0,
        warnings: [`proxy ${proxy} has no scores on ${task.target}: recall and scores use the history prior alone`],
      };
    return fitEvidenceWeights(task.history, task.proxyHistory ?? new Map(), [proxy]);
  });
}

/** Whether the evidence uses the target's proxy scores: some proxy has a weight and is not flat on the target. */
function usesProxies(task: SelectionTask, o: Options): boolean {
  const w = weightsOf(task, o);
  const used = [...w.proxies.keys(), ...(w.neighbours?.keys() ?? [])];
  return used.some((p) => zOver(task.pool, task.proxies.get(p)).some((z) => z !== 0));
}

/** Evidence per model of the pool (step 1); the prior alone when no proxy is used. */
function evidenceOf(task: SelectionTask, o: Options): ReadonlyMap<string, number> {
  return memo(task, `evidence:${proxyOf(o) ?? ''}`, () => {
    const models = [...new Set([...task.pool, ...task.history.models])];
    const w = weightsOf(task, o);
    const prior = priorOf(task);
    // A proxy flat on the target says nothing about it: the evidence stays the prior.
    if (!usesProxies(task, o)) return prior;
    const scores = evidenceScores(models, prior, task.proxies, w, { history: task.history, proxyHistory: task.proxyHistory ?? new Map() });
    return new Map(models.map((m, i) => [m, scores[i] ?? Number.NaN]));
  });
}

/** The gap, noise and residual statistics of one task, cached per (model, epoch) and epoch. */
function statsOf(task: SelectionTask, trend: Options['trend']) {
  return memo(task, `prior-shrink:${trend}`, () => {
    const like = measuredLikeTarget(task);
    const curves = comparableCurves(task);
    const byModel = runsByModel(curves);
    const gaps = new Map<string, number>();
    const sigma2 = new Map<number, number>();
    const gap = (model: string, epoch: number): number => {
      const key = `${epoch}\u0000${model}`;
      if (!gaps.has(key)) gaps.set(key, trend === 'history-gap' ? historyGap(byModel.get(model) ?? [], epoch) : 0);
      return gaps.get(key) ?? 0;
    };
    const noise = (epoch: number): number => {
      if (!sigma2.has(epoch))
        sigma2.set(
          epoch,
          noiseVariance(curves, epoch, (m) => gap(m, epoch)),
        );
      return sigma2.get(epoch) ?? Number.NaN;
    };
    let tau2: number | undefined;
    const residual = (): number => (tau2 ??= historyResidualVariance(selectDatasets(task.history, like)));
    return { gap, noise, residual };
  });
}

/**
 * The evidence as it was for history dataset d, computed without d (the prior of the other
 * datasets, the proxies' scores on d, the neighbour prior among the other datasets); null
 * when the target's evidence uses proxies that have no scores on d.
 */
function historyEvidence(task: SelectionTask, o: Options): (dataset: string) => ReadonlyMap<string, number> | null {
  const w = weightsOf(task, o);
  const full = usesProxies(task, o);
  const proxyHistory = task.proxyHistory ?? new Map<string, ReadonlyMap<string, ReadonlyMap<string, number>>>();
  return (d) => {
    const rest = selectDatasets(task.history, (e) => e !== d);
    const z = standardizedPrior(rest);
    const prior = new Map(rest.models.map((m, i) => [m, z[i] ?? Number.NaN]));
    if (!full) return prior;
    const onD = new Map<string, ReadonlyMap<string, number>>();
    for (const p of new Set([...w.proxies.keys(), ...(w.neighbours?.keys() ?? [])])) {
      const scores = proxyHistory.get(p)?.get(d);
      if (scores !== undefined && scores.size > 0) onD.set(p, scores);
    }
    if (onD.size === 0) return null;
    const scores = evidenceScores(rest.models, prior, onD, w, { history: rest, proxyHistory });
    return new Map(rest.models.map((m, i) => [m, scores[i] ?? Number.NaN]));
  };
}

/** `shrink: history-fit`: the weights of validation and evidence at one epoch (../rung-fit.ts), learned once per task and epoch. */
function rungWeightsOf(task: SelectionTask, o: Options, epoch: number): RungWeights {
  return memo(task, `rung-weights:${proxyOf(o) ?? ''}:${o.trend}:${epoch}`, () => {
    const curves = comparableCurves(task);
    const { gap } = statsOf(task, o.trend);
    const corrected = { ...curves, runs: curves.runs.map((r) => ({ ...r, val: r.val.map((v, i) => (i === epoch - 1 ? v + gap(r.model, epoch) : v)) })) };
    return fitRungWeights(corrected, epoch, historyEvidence(task, o));
  });
}

/** Scores of the models of one rung (module comment, step 3), in rung order, and the weight the shrinkage gave the target's data (1 without shrinkage). */
export function rungScores(task: SelectionTask, rung: Rung, o: Options): { values: number[]; weight: number } {
  const { gap, noise, residual } = statsOf(task, o.trend);
  const prior = evidenceOf(task, o);
  const y = rung.curves.map((c, i) => last(c) + gap(rung.models[i] ?? '', rung.epoch));
  if (o.shrink === 'history-fit') {
    const w = rungWeightsOf(task, o, rung.epoch);
    const values = combineRung(
      y,
      rung.models.map((m) => prior.get(m) ?? Number.NaN),
      w,
    );
    return { values, weight: w.validation + w.evidence > 0 ? w.validation / (w.validation + w.evidence) : 1 };
  }
  const s2 = noise(rung.epoch);
  if (o.shrink !== 'empirical-bayes' || !Number.isFinite(s2)) return { values: y, weight: 1 };
  const r = shrinkTowardPrior(
    y,
    rung.models.map((m) => prior.get(m) ?? Number.NaN),
    s2,
    o.tau === 'history' ? residual() : undefined,
  );
  return { values: r.posterior, weight: r.weight };
}

/**
 * What the rung scores are, for the options they were computed with, and the data weight: a
 * weight near 0 means the scores sit on the evidence fit (when the evidence does not explain
 * the rung, on the rung's mean), so models may show the same score to four decimals while
 * still ranked by validation. Without a trend or shrinkage they are the validation itself.
 */
function meaningOf(o: Options, weight: number): string {
  const shrunk = o.shrink !== 'none';
  if (o.trend === 'none' && !shrunk) return "validation (the target's own validation metric, as measured after each epoch)";
  if (!shrunk) return "score (validation + the model's usual gap to its final on other datasets; metric scale)";
  const base = o.trend === 'none' ? 'score (validation, shrunk toward the target evidence; metric scale)' : CORRECTED_SCORE;
  return `${base.slice(0, -1)}; weight of the target's validation ${weight.toFixed(4)})`;
}

/**
 * The settings `tuning: history` chooses between (costs at a 5-epoch budget):
 * 1. 14 recalled, a cut after every epoch, rung scores shrunk toward the evidence
 *    (14+7+3+1+1 = 26 epochs).
 * 2. 8 recalled (7 by the evidence, 1 by the target's proxy score alone: `proxySlots`) that
 *    all train two epochs before the first cut, ranked by their corrected validation alone
 *    (8+8+4+2+1 = 23): none judged on one epoch, which on some hubs says little (slow
 *    starters, noisy first epochs), and none cut by the evidence once it has been recalled by
 *    it. With few models and early epochs the empirical-Bayes weight of the target's
 *    validation is often near 0 (../shrinkage.ts), so setting 1's early cuts rank by the
 *    evidence; this one lets the target's own curves decide.
 * 3. 8 recalled (6 by the evidence, 2 by the proxy alone) tapering to 2 finalists
 *    (8+6+4+3+2 = 23, `rungKeep: taper`), ranked by their validation as measured: the same
 *    epochs as setting 2, but the pick is made among two models trained to the budget
 *    (halving's last epoch trains one model alone and decides nothing), and no model is
 *    moved by another dataset's gap, which on a hub whose curves are far from converged at the
 *    budget says less than the target's own last epoch.
 */
export const PRIOR_SHRINK_MENU: readonly Pick<Options, 'trend' | 'shrink' | 'rungKeep' | 'finalists' | 'recallSize' | 'gracePeriod' | 'proxySlots'>[] = [
  { trend: 'history-gap', shrink: 'empirical-bayes', rungKeep: 'floor', finalists: 2, recallSize: 14, gracePeriod: 1, proxySlots: 0 },
  { trend: 'history-gap', shrink: 'none', rungKeep: 'floor', finalists: 2, recallSize: 8, gracePeriod: 2, proxySlots: 1 },
  { trend: 'none', shrink: 'none', rungKeep: 'taper', finalists: 2, recallSize: 8, gracePeriod: 1, proxySlots: 2 },
];

/**
 * Past targets `tuning: history` needs before it trusts a replay: as many as the evidence
 * weights need datasets (MIN_EVIDENCE_DATASETS), so a store of a handful of benchmarks is
 * replayed too; MIN_RELATIVE_GAIN keeps a small difference on few targets from switching.
 */
export const MIN_PAST_TARGETS = MIN_EVIDENCE_DATASETS;

/** How much less (a share of the first setting's mean regret) another setting must lose on the past targets to replace it. */
export const MIN_RELATIVE_GAIN = 0.125;

/** What replaying one menu setting on the history gave. */
export interface MenuScore {
  readonly setting: Pick<Options, 'trend' | 'shrink' | 'rungKeep' | 'finalists' | 'recallSize' | 'gracePeriod' | 'proxySlots'>;
  readonly meanRegret: number;
  readonly meanCost: number;
  readonly pastTargets: number;
  /** The metric direction of the past targets replayed: the target's, or the other one when the target's has too few. */
  readonly direction: SelectionTask['direction'];
}

/**
 * The options a task runs with: as given (`tuning: fixed`); else each menu setting is
 * replayed on the history's own datasets, and the first setting gives way to the one with the
 * least mean regret there only when that is at least MIN_RELATIVE_GAIN lower. Past targets are
 * the history datasets of the target's metric direction, or, when those are fewer than
 * MIN_PAST_TARGETS, those of the other direction (how a hub's models learn shows in both); the
 * options as given when neither has enough.
 */
export function tunedOptions(task: SelectionTask, o: Options): { options: Options; menu: readonly MenuScore[] } {
  if (o.tuning !== 'history') return { options: o, menu: [] };
  return memo(task, `tuned:${JSON.stringify(o)}`, () => {
    const replayAs = (direction: SelectionTask['direction']): MenuScore[] =>
      PRIOR_SHRINK_MENU.map((setting) => {
        const cases = replayOnHistory(fixedPolicy({ ...o, ...setting, tuning: 'fixed' }), direction === task.direction ? task : { ...task, direction });
        return { setting, meanRegret: mean(cases.map((c) => c.regret)), meanCost: mean(cases.map((c) => c.cost)), pastTargets: cases.length, direction };
      });
    // Past targets measured like the target; when those are too few, the others (the rule below compares regrets only within one metric).
    let menu = replayAs(task.direction);
    if ((menu[0]?.pastTargets ?? 0) < MIN_PAST_TARGETS) {
      const other = replayAs(task.direction === 'maximize' ? 'minimize' : 'maximize');
      if ((other[0]?.pastTargets ?? 0) >= MIN_PAST_TARGETS) menu = other;
    }
    const base = menu[0];
    if (base === undefined || base.pastTargets < MIN_PAST_TARGETS) return { options: o, menu };
    // The first setting gives way only to one that lost clearly less on the past targets.
    const best = menu.slice(1).reduce<MenuScore | null>((b, m) => (b === null || m.meanRegret < b.meanRegret ? m : b), null);
    const switched = best !== null && best.meanRegret <= (1 - MIN_RELATIVE_GAIN) * base.meanRegret;
    return { options: { ...o, ...(switched ? best.setting : base.setting) }, menu };
  });
}

/**
 * Recall (step 2): the `recallSize` pool models with the best evidence, of which the last
 * `proxySlots` go instead to the models with the best `proxyScores` on the target among the
 * rest (none when the proxy is not used). The evidence weighs the prior and the proxy as they
 * did on average over past targets, which ranks a specialist low (weak everywhere in the
 * history, strong on the target's proxy); these slots spend a bounded share of the budget
 * on looking at it. Slots the proxy cannot fill (too few scored models) go back to the
 * evidence. Pure.
 */
export function recalled(
  task: SelectionTask,
  evidence: readonly number[],
  o: Pick<Options, 'recallSize' | 'proxySlots'>,
  proxyScores: ReadonlyMap<string, number> | undefined,
): string[] {
  const size = Math.min(o.recallSize, task.pool.length);
  const byEvidence = topBy(task.pool, evidence, size);
  const slots = proxyScores === undefined ? 0 : Math.min(o.proxySlots, size - 1);
  if (slots <= 0) return byEvidence;
  const kept = byEvidence.slice(0, size - slots);
  const rest = task.pool.filter((m) => !kept.includes(m) && Number.isFinite(proxyScores?.get(m) ?? Number.NaN));
  const bySlot =
    rest.length === 0
      ? []
      : topBy(
          rest,
          rest.map((m) => proxyScores?.get(m) ?? Number.NaN),
          Math.min(slots, rest.length),
        );
  const chosen = new Set([...kept, ...bySlot]);
  const refill = byEvidence.filter((m) => !chosen.has(m)).slice(0, size - chosen.size);
  return [...kept, ...bySlot, ...refill];
}

/** The policy with every option fixed (no tuning). */
function fixedPolicy(o: Options): SelectionPolicy {
  return {
    name: 'prior-shrink-halving',
    proxyRequest(task) {
      const proxy = proxyOf(o);
      if (proxy === null || task.proxies.has(proxy)) return null;
      const scored = task.proxyHistory?.get(proxy);
      const datasets = task.history.datasets.filter((d) => d !== task.target && (scored?.get(d)?.size ?? 0) === 0);
      return { proxy, models: [...task.pool], ...(datasets.length > 0 ? { datasets } : {}) };
    },
    recall(task) {
      const evidence = evidenceOf(task, o);
      const w = weightsOf(task, o);
      const scores = task.pool.map((m) => evidence.get(m) ?? Number.NaN);
      const proxy = proxyOf(o);
      const scored = proxy === null ? undefined : task.proxies.get(proxy);
      const candidates = recalled(task, scores, o, usesProxies(task, o) ? scored : undefined);
      const proxyCharges = scored === undefined ? 0 : task.pool.filter((m) => Number.isFinite(scored.get(m) ?? Number.NaN)).length;
      const noCurves = noComparableCurvesWarning(task, 'prior-shrink-halving');
      const warnings = [...w.warnings, ...(noCurves === null ? [] : [noCurves])];
      return {
        candidates,
        scores: Object.fromEntries(task.pool.map((m, i) => [m, scores[i] ?? Number.NaN])),
        proxyCharges,
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    },
    decide(task, rung) {
      const { values, weight } = rungScores(task, rung, o);
      const n = values.length;
      const keep =
        rung.epoch < o.gracePeriod && rung.epoch < rung.budgetEpochs
          ? values.map((_, i) => i)
          : o.rungKeep === 'taper'
            ? keepTop(values, taperCount(n, rung.epoch, rung.budgetEpochs, o.finalists))
            : keepBest(values, o.eta, o.rungKeep);
      return { keep, score: { values, meaning: meaningOf(o, weight) } };
    },
    pick: (task, rung) => rankDescending(rungScores(task, rung, o).values)[0] ?? 0,
  };
}

/** The prior-shrink-halving policy with resolved options; with `tuning: history` each task first picks its setting (tunedOptions). */
export function priorShrinkHalving(o: Options, name: string): SelectionPolicy {
  const on = (task: SelectionTask): SelectionPolicy => fixedPolicy(tunedOptions(task, o).options);
  return {
    name,
    proxyRequest: (task) => fixedPolicy(o).proxyRequest(task),
    recall: (task) => on(task).recall(task),
    decide: (task, rung) => on(task).decide(task, rung),
    pick: (task, rung) => on(task).pick(task, rung),
  };
}

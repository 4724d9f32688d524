/**
 * The report of one selection: the facts a reader needs to re-derive every decision
 * (`selectionFacts`: run settings, every round's survivors with their scores and cutoff, the
 * pick's own score, each candidate's outcome, cost in epochs and GPU time), and the page that
 * shows them with plots (convergence curves labelled at their ends, recall scores named by the
 * signal that ranked them, the model clusters). `mselect report --json` prints the same facts.
 * Pure: data in, page out.
 */
import { Matrix, SVD } from 'ml-matrix';
import type { Clustering, PerformanceMatrix } from '../algorithms/types';
import type { RoundFate, RoundRecord, SelectModelResult } from '../contracts/schemas';
import { eliminationOutcome, formatSeconds } from '../contracts/progress-text';
import { escapeHtml, type PlotJson, type ReportPage } from './plot-html';

const fmt = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));

/** First two principal components of each model's history vector (missing cells = dataset mean). */
export function clusterMapCoordinates(history: PerformanceMatrix): { x: number[]; y: number[] } {
  const { models, datasets, values } = history;
  const n = models.length;
  if (n === 0 || datasets.length === 0) return { x: [], y: [] };
  const rows = models.map((_, m) => datasets.map((_, d) => values[d * n + m] ?? Number.NaN));
  for (let d = 0; d < datasets.length; d++) {
    const col = rows.map((r) => r[d] ?? Number.NaN).filter(Number.isFinite);
    const mean = col.length ? col.reduce((a, b) => a + b, 0) / col.length : 0;
    for (const r of rows) if (!Number.isFinite(r[d] ?? Number.NaN)) r[d] = mean;
  }
  const x = new Matrix(rows);
  const centered = x.clone().subRowVector(x.mean('column'));
  const svd = new SVD(centered, { autoTranspose: true });
  const u = svd.leftSingularVectors;
  const s = svd.diagonal;
  const pc = (k: number): number[] => Array.from({ length: n }, (_, i) => (k < u.columns ? u.get(i, k) * (s[k] ?? 0) : 0));
  return { x: pc(0), y: pc(1) };
}

/** Twenty colours a reader tells apart (Tableau 10 and its light companions, interleaved); beyond 20, dashes tell the cycles apart. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#ad494a',
  '#637939',
  '#8c6d31',
  '#7b4173',
  '#3182bd',
  '#e6550d',
  '#31a354',
  '#756bb1',
  '#636363',
] as const;
const DASHES = ['solid', 'dash', 'dot', 'dashdot'] as const;

/** How the target's metric is read. */
function betterText(direction: SelectModelResult['direction']): string {
  return direction === 'minimize' ? 'minimized: lower is better' : 'maximized: higher is better';
}

/** The range a metric's values can take, when its name tells (accuracy-like in [0, 1], error-like from 0 up). */
export function metricRange(metric: string | null): { min: number; max: number } | null {
  if (metric === null) return null;
  if (/^(accuracy|acc|f1|auc|roc_auc|precision|recall|top\d*_?accuracy)$/i.test(metric)) return { min: 0, max: 1 };
  if (/^(rmse|mse|mae|loss|cross[-_]?entropy|log[-_]?loss)$/i.test(metric)) return { min: 0, max: Number.POSITIVE_INFINITY };
  return null;
}

/** The name and explanation of a policy score from its meaning (`name (explanation)`), in the metric's own terms. */
export function scoreTerms(meaning: string, metric: string): { name: string; explanation: string } {
  const open = meaning.indexOf(' (');
  const short = open < 0 ? meaning : meaning.slice(0, open);
  const explanation = open < 0 ? '' : meaning.slice(open + 2).replace(/\)$/, '');
  return { name: short === 'score' ? `corrected ${metric}` : `${short} ${metric}`, explanation };
}

const PRIOR_SIGNAL = 'the history prior (z-score of the mean standardized benchmark metric)';

/** What recall ranked the pool by in this run, in words (null: the policy recalls the whole pool). */
export function recallSignal(r: SelectModelResult): string | null {
  const proxy = r.settings?.options.proxy;
  if (typeof proxy === 'string')
    return proxy === 'history-prior' ? PRIOR_SIGNAL : `the ${proxy.toUpperCase()} proxy score on the target, combined with the history prior`;
  if (r.policy === 'prior-shrink-halving') return PRIOR_SIGNAL;
  if (r.settings) return null;
  return Object.keys(r.recallScores).length > 0 ? "the policy's recall score" : null;
}

/** The recall section: the chart of the scores that ranked this run, or what recall did when there is none to draw. */
function recallSection(r: SelectModelResult, signal: string | null): ReportPage['sections'][number] {
  if (signal === null)
    return {
      html: `<h2>Recall: none</h2>\n<p>${escapeHtml(r.policy)} recalls the whole pool: every one of its ${r.poolSize} models is a candidate, so there is no recall ranking to show.</p>`,
    };
  if (Object.keys(r.recallScores).length === 0)
    return {
      html: `<h2>Recall: ranked by ${escapeHtml(signal)}</h2>\n<p>${r.candidates.length} of ${r.poolSize} models recalled; ${escapeHtml(r.policy)} records no per-model recall scores for this signal.</p>`,
    };
  const proxy = r.settings?.options.proxy;
  const axis =
    typeof proxy === 'string' && proxy !== 'history-prior' ? `${proxy.toUpperCase()} score` : signal === PRIOR_SIGNAL ? 'history prior' : 'recall score';
  return {
    title: `Recall: ranked by ${signal}`,
    traces: recallTrace(r),
    layout: { barmode: 'overlay', yaxis: { title: { text: axis } } },
    caption: `This run recalled its candidates by ${signal}; higher is better. Blue: recalled; green: the pick; grey: not recalled.${slotNote(r)}`,
  };
}

/**
 * prior-shrink-halving's proxy slots in words: the candidates recalled although a model left
 * out scored higher (they came by the proxy's own score on the target); empty when none.
 */
export function slotNote(r: SelectModelResult): string {
  if (!r.policy.startsWith('prior-shrink-halving')) return '';
  const recalled = new Set(r.candidates);
  const outside = Object.entries(r.recallScores).filter(([m, v]) => !recalled.has(m) && Number.isFinite(v));
  const top = Math.max(...outside.map(([, v]) => v));
  const bySlot = r.candidates.filter((m) => (r.recallScores[m] ?? Number.NaN) < top);
  if (bySlot.length === 0) return '';
  const proxy = r.settings?.options.proxy;
  const name = typeof proxy === 'string' ? proxy.toUpperCase() : 'proxy';
  return ` Recalled below a model left out: ${bySlot.join(', ')}, by the ${name} score on the target alone (a proxy slot for a model the history ranks low).`;
}

export interface RoundFacts {
  readonly round: number;
  readonly epoch: number;
  readonly budgetEpochs: number;
  /** What halving ranked by, in the metric's terms (`validation accuracy`, `corrected accuracy`). */
  readonly rankedBy: string;
  readonly cutoff: number | null;
  /** The policy's score in the metric's terms; null when it has none. */
  readonly scoreName: string | null;
  /** Every model of the rung, best first on `rankedBy`. */
  readonly models: readonly {
    readonly model: string;
    readonly validation: number | null;
    readonly score: number | null;
    readonly fate: RoundFate;
    readonly note: string;
  }[];
  /** Why a score outside the metric's range is not an error, when one is. */
  readonly rangeNote: string | null;
}

export interface CandidateFacts {
  readonly model: string;
  readonly epochs: number;
  readonly lastValidation: number | null;
  readonly recallScore: number | null;
  readonly gpuSeconds: number | null;
  readonly peakMemoryBytes: number | null;
  readonly outcome: string;
}

/** Everything the report shows, as data: what `mselect report --json` prints. */
export interface SelectionFacts {
  readonly target: string;
  readonly metric: string;
  readonly direction: SelectModelResult['direction'];
  readonly policy: string;
  readonly pick: {
    readonly model: string | null;
    readonly validation: number | null;
    readonly test: number | null;
    readonly score: number | null;
    readonly scoreName: string | null;
  };
  readonly run: {
    readonly workflowId: string | null;
    readonly namespace: string | null;
    readonly webUi: string | null;
    readonly startedAt: string | null;
    readonly finishedAt: string | null;
    readonly wallSeconds: number | null;
  };
  readonly settings: Readonly<Record<string, unknown>>;
  readonly cost: {
    readonly epochsSpent: number;
    readonly bruteForceEpochs: number;
    readonly epochsSavedPercent: number | null;
    readonly gpuSecondsSpent: number | null;
    readonly bruteForceGpuSeconds: number | null;
  };
  readonly recallSignal: string | null;
  /** Each policy score's explanation, once (by its name in the metric's terms). */
  readonly scores: Readonly<Record<string, string>>;
  readonly rounds: readonly RoundFacts[];
  readonly candidates: readonly CandidateFacts[];
  readonly eliminations: readonly {
    readonly model: string;
    readonly round: number;
    readonly epoch: number;
    readonly reason: string;
    readonly outcome: string;
    readonly detail: string;
  }[];
  readonly warnings: readonly string[];
  /** Validation per epoch by model, and recall scores: the data of the plots. */
  readonly curves: Readonly<Record<string, readonly number[]>>;
  readonly recallScores: Readonly<Record<string, number>>;
  readonly reportPath: string | null;
}

/** Link to a workflow in the Temporal web UI. */
export function webUiLink(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function notPickedAt(r: SelectModelResult): Set<string> {
  return new Set((r.rounds ?? []).flatMap((x) => x.models.filter((m) => m.fate === 'not-picked').map((m) => m.model)));
}

function roundFacts(x: RoundRecord, metric: string, direction: SelectModelResult['direction'], scores: Record<string, string>): RoundFacts {
  const terms = x.scoreName === null ? null : scoreTerms(x.scoreName, metric);
  if (terms) scores[terms.name] = terms.explanation;
  const rankedBy = x.rankedBy === 'score' && terms ? terms.name : `validation ${metric}`;
  const key = (m: RoundRecord['models'][number]): number | null => (x.rankedBy === 'score' && terms ? m.score : m.validation);
  const sign = direction === 'maximize' ? 1 : -1;
  const oriented = (m: RoundRecord['models'][number]): number => {
    const v = key(m);
    return v === null ? -Infinity : sign * v;
  };
  const order = [...x.models].sort((a, b) => Number(oriented(b) > oriented(a)) - Number(oriented(b) < oriented(a)));
  const note = (m: RoundRecord['models'][number]): string => {
    const v = key(m);
    if (m.fate === 'halving') return x.cutoff === null ? 'halved' : `halved: ${fmt(v)} ${direction === 'maximize' ? '<' : '>'} cutoff ${fmt(x.cutoff)}`;
    if (m.fate === 'trend-filter') return 'trend filter: a model with better validation is predicted to end better';
    if (m.fate === 'not-picked') return 'kept by the rung, not picked at the budget epoch';
    if (m.fate === 'picked') return 'the pick';
    return x.cutoff === null ? 'kept' : `kept: ${fmt(v)} ${direction === 'maximize' ? '≥' : '≤'} cutoff`;
  };
  const range = metricRange(metric);
  const outside = range && terms ? x.models.filter((m) => m.score !== null && (m.score < range.min || m.score > range.max)) : [];
  const values = outside.map((m) => m.score as number);
  const which =
    outside.length <= 3
      ? outside.map((m) => `${m.model} ${fmt(m.score)}`).join(', ')
      : `${outside.length} of ${x.models.length} scores (${fmt(Math.min(...values))} to ${fmt(Math.max(...values))})`;
  const rangeNote =
    outside.length && terms && range
      ? `${which}: outside [${range.min}, ${range.max === Infinity ? '∞' : range.max}], the range of ${metric}. The ${terms.name} is a ranking score (${terms.explanation}), not a measured ${metric}; it may leave the range.`
      : null;
  return {
    round: x.round,
    epoch: x.epoch,
    budgetEpochs: x.budgetEpochs,
    rankedBy,
    cutoff: x.cutoff,
    scoreName: terms?.name ?? null,
    models: order.map((m) => ({ ...m, note: note(m) })),
    rangeNote,
  };
}

/** The facts of a finished selection; `uiUrl`: the web UI's address, for a link to the workflow. */
export function selectionFacts(r: SelectModelResult, uiUrl?: string | null): SelectionFacts {
  const metric = r.settings?.metric ?? 'metric';
  const scores: Record<string, string> = {};
  const rounds = (r.rounds ?? []).map((x) => roundFacts(x, metric, r.direction, scores));
  const last = r.rounds?.at(-1);
  const pickRow = last?.models.find((m) => m.model === r.pick);
  const notPicked = notPickedAt(r);
  const fate = new Map(r.eliminations.map((e) => [e.model, e]));
  const models = [...new Set([...r.candidates, ...Object.keys(r.curves)])];
  const num = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
  const started = r.startedAt ? Date.parse(r.startedAt) : Number.NaN;
  const finished = r.finishedAt ? Date.parse(r.finishedAt) : Number.NaN;
  const { options, ...rest } = r.settings ?? { options: {} };
  return {
    target: r.target,
    metric,
    direction: r.direction,
    policy: r.policy,
    pick: { model: r.pick, validation: r.pickValidation, test: r.pickTest, score: pickRow?.score ?? null, scoreName: rounds.at(-1)?.scoreName ?? null },
    run: {
      workflowId: r.workflowId ?? null,
      namespace: r.namespace ?? null,
      webUi: uiUrl && r.workflowId ? webUiLink(uiUrl, r.namespace ?? 'default', r.workflowId) : null,
      startedAt: r.startedAt ?? null,
      finishedAt: r.finishedAt ?? null,
      wallSeconds: Number.isFinite(finished - started) ? (finished - started) / 1000 : null,
    },
    settings: {
      policy: r.policy,
      ...options,
      ...rest,
      budgetEpochs: r.budgetEpochs,
      storeVersion: r.storeVersion,
      backend: r.backend || null,
      poolSize: r.poolSize,
    },
    cost: {
      epochsSpent: r.epochsSpent,
      bruteForceEpochs: r.bruteForceEpochs,
      epochsSavedPercent: r.bruteForceEpochs > 0 ? Math.round(100 * (1 - r.epochsSpent / r.bruteForceEpochs)) : null,
      gpuSecondsSpent: r.gpuSecondsSpent ?? null,
      bruteForceGpuSeconds: r.bruteForceGpuSeconds ?? null,
    },
    recallSignal: recallSignal(r),
    scores,
    rounds,
    candidates: models.map((m) => {
      const e = fate.get(m);
      const curve = r.curves[m] ?? [];
      return {
        model: m,
        epochs: curve.length,
        lastValidation: num(curve.at(-1)),
        recallScore: num(r.recallScores[m]),
        gpuSeconds: num(r.gpuSeconds?.[m]),
        peakMemoryBytes: num(r.peakMemoryBytes?.[m]),
        outcome: m === r.pick ? 'the pick' : e ? (e.outcome ?? eliminationOutcome(e, notPicked.has(m))) : 'survivor',
      };
    }),
    eliminations: r.eliminations.map((e) => ({
      model: e.model,
      round: e.round,
      epoch: e.epoch,
      reason: e.reason,
      outcome: e.outcome ?? eliminationOutcome(e, notPicked.has(e.model)),
      detail: shortDetail(e.detail, r),
    })),
    warnings: [...(r.warnings ?? [])],
    curves: r.curves,
    recallScores: r.recallScores,
    reportPath: r.reportPath,
  };
}

/** An elimination detail with a policy score's long meaning cut to its name (the explanation is shown once). */
function shortDetail(detail: string, r: SelectModelResult): string {
  const metric = r.settings?.metric ?? 'metric';
  let out = detail;
  for (const x of r.rounds ?? []) if (x.scoreName && out.includes(x.scoreName)) out = out.split(x.scoreName).join(scoreTerms(x.scoreName, metric).name);
  return out;
}

/** Summary lines shared by the HTML report and the terminal. */
export function summaryLines(r: SelectModelResult): string[] {
  const f = selectionFacts(r);
  const saved = f.cost.epochsSavedPercent === null ? 'n/a' : String(f.cost.epochsSavedPercent);
  const pickScore = f.pick.score !== null && f.pick.scoreName ? `, ${f.pick.scoreName} ${fmt(f.pick.score)}` : '';
  const gpu =
    f.cost.gpuSecondsSpent === null
      ? ''
      : `; GPU time ${formatSeconds(f.cost.gpuSecondsSpent)}${f.cost.bruteForceGpuSeconds ? ` vs ~${formatSeconds(f.cost.bruteForceGpuSeconds)} for brute force` : ''}`;
  return [
    `Target ${r.target} (${r.settings?.metric ?? 'metric'} ${betterText(r.direction)}), policy ${r.policy}, store version ${r.storeVersion}, backend ${r.backend || 'n/a'}.`,
    `Pick: ${r.pick ?? 'none'} (validation ${fmt(r.pickValidation)}, test ${fmt(r.pickTest)}${pickScore}).`,
    `${r.poolSize} models in the pool, ${r.candidates.length} candidates, ${r.round} round(s); ${r.epochsSpent} epochs spent vs ${r.bruteForceEpochs} for brute force (${saved}% saved)${gpu}.`,
  ];
}

/** Label positions that keep at least `gap` apart, as close to `ys` as that allows (1-D, order kept). */
export function spreadLabels(ys: readonly number[], gap: number): number[] {
  const order = ys.map((y, i) => [y, i] as const).sort((a, b) => a[0] - b[0]);
  const placed = order.map(([y]) => y);
  const push = (): void => {
    for (let i = 1; i < placed.length; i++) placed[i] = Math.max(placed[i] as number, (placed[i - 1] as number) + gap);
  };
  push();
  // Centre each run of touching labels on its points, then push apart again.
  for (let start = 0; start < placed.length;) {
    let end = start + 1;
    while (end < placed.length && (placed[end] as number) - (placed[end - 1] as number) <= gap * (1 + 1e-9)) end += 1;
    let shift = 0;
    for (let k = start; k < end; k++) shift += ((placed[k] as number) - (order[k]?.[0] ?? 0)) / (end - start);
    for (let k = start; k < end; k++) placed[k] = (placed[k] as number) - shift;
    start = end;
  }
  push();
  const out: number[] = new Array<number>(ys.length);
  order.forEach(([, i], k) => {
    out[i] = placed[k] as number;
  });
  return out;
}

/** Colour and dash of the i-th model. */
function styleOf(i: number): { color: string; dash: string } {
  return { color: PALETTE[i % PALETTE.length] as string, dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] as string };
}

function curveTraces(r: SelectModelResult, f: SelectionFacts): { traces: PlotJson[]; annotations: PlotJson[] } {
  const outcome = new Map(f.candidates.map((c) => [c.model, c.outcome]));
  const eliminated = new Set(r.eliminations.map((e) => e.model));
  const models = [...new Set([...r.candidates, ...Object.keys(r.curves)])].filter((m) => (r.curves[m] ?? []).length > 0);
  const traces = models.map((m, i) => {
    const curve = r.curves[m] ?? [];
    const { color, dash } = styleOf(i);
    const isPick = m === r.pick;
    return {
      type: 'scatter',
      mode: 'lines+markers',
      name: m,
      x: curve.map((_, k) => k + 1),
      y: curve,
      line: { color, dash, width: isPick ? 4 : 1.5 },
      marker: {
        color,
        size: curve.map((_, k) => (eliminated.has(m) && k === curve.length - 1 ? 11 : 6)),
        symbol: curve.map((_, k) => (eliminated.has(m) && k === curve.length - 1 ? 'x' : 'circle')),
      },
      hovertemplate: `${m}<br>epoch %{x}: %{y:.4f}<br>${outcome.get(m) ?? ''}<extra></extra>`,
    };
  });
  // Direct labels at each curve's end (an eliminated model's end is where it was dropped), spread apart per epoch.
  const ends = models.map((m, i) => ({ m, i, x: (r.curves[m] ?? []).length, y: (r.curves[m] ?? []).at(-1) ?? Number.NaN })).filter((e) => Number.isFinite(e.y));
  const all = ends.map((e) => e.y);
  const span = all.length ? Math.max(...all) - Math.min(...all) : 0;
  const gap = Math.max(span, 1e-6) * 0.05;
  const annotations: PlotJson[] = [];
  for (const x of [...new Set(ends.map((e) => e.x))]) {
    const group = ends.filter((e) => e.x === x);
    const ys = spreadLabels(
      group.map((e) => e.y),
      gap,
    );
    group.forEach((e, k) => {
      const mark = e.m === r.pick ? '★ ' : eliminated.has(e.m) ? '✖ ' : '';
      annotations.push({
        x: e.x,
        y: e.y,
        ax: e.x + 0.12,
        ay: ys[k],
        axref: 'x',
        ayref: 'y',
        xanchor: 'left',
        showarrow: true,
        arrowhead: 0,
        arrowwidth: 0.8,
        arrowcolor: styleOf(e.i).color,
        text: `${mark}${escapeHtml(e.m)}`,
        font: { size: 11, color: styleOf(e.i).color },
      });
    });
  }
  return { traces, annotations };
}

function recallTrace(r: SelectModelResult): PlotJson[] {
  const entries = Object.entries(r.recallScores)
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1]);
  const recalled = new Set(r.candidates);
  const kind = (m: string): string => (m === r.pick ? 'the pick' : recalled.has(m) ? 'recalled' : 'not recalled');
  const colour = { 'the pick': 'darkgreen', recalled: 'steelblue', 'not recalled': 'lightgray' } as const;
  return (['the pick', 'recalled', 'not recalled'] as const)
    .map((k) => {
      const rows = entries.filter(([m]) => kind(m) === k);
      return { type: 'bar', name: k, x: rows.map(([m]) => m), y: rows.map(([, v]) => v), marker: { color: colour[k] } };
    })
    .filter((t) => t.x.length > 0);
}

function clusterTraces(history: PerformanceMatrix, clustering: Clustering | null, r: SelectModelResult): PlotJson[] {
  const { x, y } = clusterMapCoordinates(history);
  const label = new Map(clustering?.models.map((m, i) => [m, clustering.labels[i] ?? -1]) ?? []);
  const reps = new Set(clustering?.representatives.values() ?? []);
  const recalled = new Set(r.candidates);
  const clusters = [...new Set(history.models.map((m) => label.get(m) ?? -1))].sort((a, b) => a - b);
  return clusters.map((c, k) => {
    const idx = history.models.map((m, i) => ((label.get(m) ?? -1) === c ? i : -1)).filter((i) => i >= 0);
    const models = idx.map((i) => history.models[i] ?? '');
    return {
      type: 'scatter',
      mode: 'markers+text',
      name: c < 0 ? `no cluster (${idx.length})` : `cluster ${c} (${idx.length} model${idx.length === 1 ? '' : 's'})`,
      x: idx.map((i) => x[i]),
      y: idx.map((i) => y[i]),
      // Only the pick and the representatives are labelled on the map (the rest on hover), so labels stay apart.
      text: models.map((m) => (m === r.pick ? `★ ${m}` : reps.has(m) ? m : '')),
      textposition: idx.map((_, j) => (j % 2 === 0 ? 'top center' : 'bottom center')),
      hovertext: models.map((m) => `${m}<br>cluster ${c}${reps.has(m) ? ' (representative)' : ''}${recalled.has(m) ? '<br>recalled' : ''}`),
      hoverinfo: 'text',
      marker: {
        color: PALETTE[k % PALETTE.length],
        symbol: models.map((m) => (m === r.pick ? 'star' : 'circle')),
        size: models.map((m) => (m === r.pick ? 18 : reps.has(m) ? 13 : 8)),
        line: { width: models.map((m) => (recalled.has(m) ? 2 : 0)), color: 'black' },
      },
    };
  });
}

/** What the elimination reasons mean (the score explanations are given once, above the rounds). */
export const ELIMINATION_CAPTION =
  'Scores are on the target metric\'s own scale. "halving": below the round\'s cutoff, the worst value the round kept of the best max(1, floor(n / eta)); ' +
  '"trend filter": a model with better validation is predicted to end better; at the budget epoch the policy picks one of the models left.';

const fateColour: Record<RoundFate, string> = { kept: '#e8f4e8', picked: '#b8e0b8', halving: '#fbe3e3', 'trend-filter': '#fdebd3', 'not-picked': '#eeeeee' };

function table(head: readonly string[], rows: readonly (readonly string[])[], colours?: readonly string[]): string {
  const cell = (tag: string, v: string): string => `<${tag}>${escapeHtml(v)}</${tag}>`;
  return [
    '<table>',
    `<tr>${head.map((h) => cell('th', h)).join('')}</tr>`,
    ...rows.map((r, i) => `<tr${colours?.[i] ? ` style="background:${colours[i]}"` : ''}>${r.map((v) => cell('td', v)).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

function runHtml(f: SelectionFacts): string {
  const run = f.run;
  const id = run.workflowId === null ? 'n/a' : run.webUi ? `<a href="${escapeHtml(run.webUi)}">${escapeHtml(run.workflowId)}</a>` : escapeHtml(run.workflowId);
  const when = `started ${escapeHtml(run.startedAt ?? 'n/a')}, finished ${escapeHtml(run.finishedAt ?? 'n/a')}${run.wallSeconds === null ? '' : `, wall time ${escapeHtml(formatSeconds(run.wallSeconds))}`}`;
  const settings = Object.entries(f.settings)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  const warnings = f.warnings.map((w) => `<p class="warn">warning: ${escapeHtml(w)}</p>`).join('\n');
  return [
    `<p>Workflow ${id}${run.namespace ? ` (namespace ${escapeHtml(run.namespace)})` : ''}: ${when}.</p>`,
    `<p>Settings: ${escapeHtml(settings)}.</p>`,
    warnings,
  ].join('\n');
}

function candidatesHtml(f: SelectionFacts): string {
  const gpu = f.candidates.some((c) => c.gpuSeconds !== null);
  const mem = f.candidates.some((c) => c.peakMemoryBytes !== null);
  const head = ['candidate', 'epochs', `last validation ${f.metric}`, 'recall score', ...(gpu ? ['GPU time'] : []), ...(mem ? ['peak memory'] : []), 'outcome'];
  const rows = f.candidates.map((c) => [
    c.model,
    String(c.epochs),
    fmt(c.lastValidation),
    fmt(c.recallScore),
    ...(gpu ? [c.gpuSeconds === null ? 'n/a' : formatSeconds(c.gpuSeconds)] : []),
    ...(mem ? [c.peakMemoryBytes === null ? 'n/a' : `${(c.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB`] : []),
    c.outcome,
  ]);
  const total =
    f.cost.gpuSecondsSpent === null
      ? ''
      : `<p>GPU time in total: ${escapeHtml(formatSeconds(f.cost.gpuSecondsSpent))}${f.cost.bruteForceGpuSeconds ? `, against about ${escapeHtml(formatSeconds(f.cost.bruteForceGpuSeconds))} to fine-tune the whole pool to the budget (offline timings)` : ''}.</p>`;
  return [
    '<h2>Candidates</h2>',
    table(
      head,
      rows,
      f.candidates.map((c) => (c.outcome === 'the pick' ? fateColour.picked : '')),
    ),
    total,
  ].join('\n');
}

function roundsHtml(f: SelectionFacts): string {
  if (f.rounds.length === 0) return '';
  const explain = Object.entries(f.scores)
    .map(([name, text]) => `<li><b>${escapeHtml(name)}</b>: ${escapeHtml(text)}.</li>`)
    .join('');
  const parts = f.rounds.map((x) => {
    const head = ['model', `validation ${f.metric}`, ...(x.scoreName ? [x.scoreName] : []), 'decision'];
    const rows = x.models.map((m) => [m.model, fmt(m.validation), ...(x.scoreName ? [fmt(m.score)] : []), m.note]);
    const cut = x.cutoff === null ? 'no model fell to halving' : `cutoff ${fmt(x.cutoff)} on ${x.rankedBy}`;
    const heading = `Round ${x.round}: epoch ${x.epoch} of ${x.budgetEpochs}, ${x.models.length} models, ranked by ${escapeHtml(x.rankedBy)}; ${escapeHtml(cut)}`;
    const body = [
      table(
        head,
        rows,
        x.models.map((m) => fateColour[m.fate]),
      ),
      x.rangeNote ? `<p class="note">${escapeHtml(x.rangeNote)}</p>` : '',
    ].join('\n');
    // A round that kept everyone is folded away: nothing to re-derive there.
    if (x.models.every((m) => m.fate === 'kept')) return `<details><summary><b>${heading}: all kept</b></summary>\n${body}\n</details>`;
    return [`<h3>${heading}</h3>`, body].join('\n');
  });
  return [
    '<h2>Rounds: who stayed, who fell below the cutoff</h2>',
    `<p>Models are listed best first on the value the round ranked by. ${escapeHtml(ELIMINATION_CAPTION)}</p>`,
    explain ? `<ul>${explain}</ul>` : '',
    ...parts,
  ].join('\n');
}

const STYLE =
  '<style>table{border-collapse:collapse;font-family:monospace;margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}.warn{color:#a00}.note{color:#555;font-size:90%}</style>';

/** The report page of one selection; `uiUrl`: the web UI's address, for the link to the workflow. */
export function selectionReport(r: SelectModelResult, history: PerformanceMatrix, clustering: Clustering | null, uiUrl?: string | null): ReportPage {
  const f = selectionFacts(r, uiUrl);
  const curves = curveTraces(r, f);
  const signal = f.recallSignal;
  return {
    title: `mselect: model selection for ${r.target}`,
    headHtml: STYLE,
    summary: summaryLines(r),
    sections: [
      { html: runHtml(f) },
      { html: candidatesHtml(f) },
      { html: roundsHtml(f) },
      {
        title: `Convergence: validation ${f.metric} per epoch (✖ where a model was eliminated, ★ the pick)`,
        traces: curves.traces,
        layout: {
          annotations: curves.annotations,
          showlegend: true,
          xaxis: { title: { text: 'epoch' }, dtick: 1 },
          yaxis: { title: { text: `validation ${f.metric} (${betterText(r.direction)})` } },
        },
      },
      recallSection(r, signal),
      {
        title: 'Model clusters (PCA of benchmark performance)',
        traces: clusterTraces(history, clustering, r),
        layout: { showlegend: true, xaxis: { title: { text: 'PC 1' } }, yaxis: { title: { text: 'PC 2' } } },
        caption: 'Colour: cluster (legend); labelled and large: cluster representative; outlined: recalled; star: the pick. Hover for every model.',
      },
      {
        table: {
          title: 'Eliminations',
          head: ['model', 'round', 'epoch', 'outcome', 'detail'],
          rows: f.eliminations.map((e) => [e.model, String(e.round), String(e.epoch), e.outcome, e.detail]),
          caption: ELIMINATION_CAPTION,
        },
      },
    ],
  };
}

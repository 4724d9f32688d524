/**
 * The report of one selection as plots and tables: convergence curves of every candidate
 * with its elimination point, recall scores, and a map of the model clusters (the first two
 * principal components of the history matrix). Pure: data in, page out.
 */
import { Matrix, SVD } from 'ml-matrix';
import type { Clustering, PerformanceMatrix } from '../algorithms/types';
import type { SelectModelResult } from '../contracts/schemas';
import type { PlotJson, ReportPage } from './plot-html';

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

function curveTraces(r: SelectModelResult): PlotJson[] {
  const eliminated = new Map(r.eliminations.map((e) => [e.model, e]));
  const models = [...new Set([...r.candidates, ...Object.keys(r.curves)])];
  const lines = models.map((m) => {
    const curve = r.curves[m] ?? [];
    const isPick = m === r.pick;
    return { type: 'scatter', mode: 'lines+markers', name: m, x: curve.map((_, i) => i + 1), y: curve, line: { width: isPick ? 4 : 1.5, dash: isPick ? 'solid' : eliminated.has(m) ? 'dot' : 'solid' } };
  });
  const cuts = r.eliminations.filter((e) => e.epoch > 0);
  const marks = {
    type: 'scatter', mode: 'markers', name: 'eliminated', marker: { symbol: 'x', size: 12, color: 'crimson' },
    x: cuts.map((e) => e.epoch), y: cuts.map((e) => (r.curves[e.model] ?? [])[e.epoch - 1] ?? null),
    text: cuts.map((e) => `${e.model}: ${e.reason} (round ${e.round})<br>${e.detail}`), hoverinfo: 'text',
  };
  return [...lines, marks];
}

function recallTrace(r: SelectModelResult): PlotJson[] {
  const entries = Object.entries(r.recallScores).filter(([, v]) => Number.isFinite(v)).sort((a, b) => b[1] - a[1]);
  const recalled = new Set(r.candidates);
  return [{
    type: 'bar', x: entries.map(([m]) => m), y: entries.map(([, v]) => v),
    marker: { color: entries.map(([m]) => (m === r.pick ? 'darkgreen' : recalled.has(m) ? 'steelblue' : 'lightgray')) },
  }];
}

function clusterTraces(history: PerformanceMatrix, clustering: Clustering | null, r: SelectModelResult): PlotJson[] {
  const { x, y } = clusterMapCoordinates(history);
  const label = new Map(clustering?.models.map((m, i) => [m, clustering.labels[i] ?? -1]) ?? []);
  const reps = new Set(clustering?.representatives.values() ?? []);
  const recalled = new Set(r.candidates);
  return [{
    type: 'scatter', mode: 'markers+text', x, y,
    text: history.models.map((m) => (m === r.pick ? `★ ${m}` : reps.has(m) ? m : '')), textposition: 'top center',
    hovertext: history.models.map((m) => `${m}<br>cluster ${label.get(m) ?? 'n/a'}${reps.has(m) ? ' (representative)' : ''}${recalled.has(m) ? '<br>recalled' : ''}`),
    hoverinfo: 'text',
    marker: {
      size: history.models.map((m) => (m === r.pick ? 18 : reps.has(m) ? 13 : 8)),
      color: history.models.map((m) => label.get(m) ?? -1), colorscale: 'Portland',
      line: { width: history.models.map((m) => (recalled.has(m) ? 2 : 0)), color: 'black' },
    },
  }];
}

/** How the target's metric is read. */
function betterText(direction: SelectModelResult['direction']): string {
  return direction === 'minimize' ? 'minimized: lower is better' : 'maximized: higher is better';
}

/** What the elimination details mean: which score ranked the models, and on which scale. */
export const ELIMINATION_CAPTION =
  'Each detail gives the score the policy ranked by at that epoch, on the target metric\'s own scale: the validation score (halving), ' +
  'the predicted final metric (mean final metric, on other datasets, of the models whose validation was similar at that epoch: the paper\'s convergence-trend ' +
  'filter) or the corrected score (validation plus the model\'s usual gap to its final metric on other datasets, shrunk toward its history prior: prior-shrink-halving). ' +
  '"halving": not among the best max(1, floor(n / eta)); "trend-filter": a model with better validation is predicted to end better; at the budget epoch the policy keeps its pick.';

/** Summary lines shared by the HTML report and the terminal. */
export function summaryLines(r: SelectModelResult): string[] {
  const saved = r.bruteForceEpochs > 0 ? (100 * (1 - r.epochsSpent / r.bruteForceEpochs)).toFixed(0) : 'n/a';
  return [
    `Target ${r.target} (metric ${betterText(r.direction)}), policy ${r.policy}, store version ${r.storeVersion}, backend ${r.backend || 'n/a'}.`,
    `Pick: ${r.pick ?? 'none'} (validation ${fmt(r.pickValidation)}, test ${fmt(r.pickTest)}).`,
    `${r.poolSize} models in the pool, ${r.candidates.length} candidates, ${r.round} round(s); ${r.epochsSpent} epochs spent vs ${r.bruteForceEpochs} for brute force (${saved}% saved).`,
  ];
}

/** The report page of one selection. */
export function selectionReport(r: SelectModelResult, history: PerformanceMatrix, clustering: Clustering | null): ReportPage {
  return {
    title: `mselect: model selection for ${r.target}`,
    summary: summaryLines(r),
    sections: [
      { title: 'Convergence curves (validation per epoch) and eliminations', traces: curveTraces(r), layout: { xaxis: { title: { text: 'epoch' }, dtick: 1 }, yaxis: { title: { text: `validation metric (${betterText(r.direction)})` } } } },
      { title: 'Recall scores', traces: recallTrace(r), layout: { yaxis: { title: { text: 'score' } } }, caption: 'Score recall ranked by: the proxy (e.g. LEEP, higher is better) or the history prior (z-score of the mean standardized benchmark metric, higher is better). Blue: recalled candidates; green: the pick; grey: not recalled.' },
      { title: 'Model clusters (PCA of benchmark performance)', traces: clusterTraces(history, clustering, r), layout: { xaxis: { title: { text: 'PC 1' } }, yaxis: { title: { text: 'PC 2' } } }, caption: 'Colour: cluster; large: representative; outlined: recalled; star: pick.' },
      { table: { title: 'Eliminations', head: ['model', 'round', 'epoch', 'reason', 'detail'], rows: r.eliminations.map((e) => [e.model, String(e.round), String(e.epoch), e.reason, e.detail]), caption: ELIMINATION_CAPTION } },
    ],
  };
}

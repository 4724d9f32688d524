/**
 * An evaluation as a terminal table, JSON, and a self-contained HTML page with plots (plotly
 * inlined, so it opens offline).
 */
import Table from 'cli-table3';
import { reportHtml } from '../report/plot-html';
import type { Evaluation, EvaluationRow } from './loo';

const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const COMPACT = { style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };

export function headOf(e: Evaluation, perTarget: boolean): string[] {
  const unit = e.rows.every((r) => r.unit === 'points') ? 'points' : 'units';
  return ['recall score', 'models', 'Pearson', 'Spearman', 'weighted τ', `regret top-1 (${unit})`, perTarget ? `best in top-${e.k}` : `top-${e.k} hit rate`];
}

export function cellsOf(r: EvaluationRow, perTarget: boolean): string[] {
  return [
    r.method,
    num(r.models, 0),
    num(r.pearson, 3),
    num(r.spearman, 3),
    num(r.tau, 3),
    num(r.regret, 2),
    perTarget ? (Number.isNaN(r.hitAtK) ? '—' : r.hitAtK === 1 ? 'yes' : 'no') : num(r.hitAtK, 2),
  ];
}

function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, ...COMPACT });
  rows.forEach((r) => t.push(r));
  return t.toString();
}

/** The terminal report: the mean table first, then (with `perTarget`) one table per target, then warnings. */
export function evaluationText(e: Evaluation, o: { title: string; perTarget?: boolean }): string {
  const parts = [
    o.title,
    `leave-one-dataset-out over ${e.targets.length} target(s): ${e.targets.join(', ')}`,
    '',
    `mean over ${e.targets.length} target(s)`,
    table(
      headOf(e, false),
      e.means.map((r) => cellsOf(r, false)),
    ),
  ];
  if (o.perTarget)
    for (const t of e.targets)
      parts.push(
        '',
        t,
        table(
          headOf(e, true),
          e.rows.filter((r) => r.target === t).map((r) => cellsOf(r, true)),
        ),
      );
  if (e.warnings.length) parts.push('', ...e.warnings.map((w) => `warning: ${w}`));
  return parts.join('\n');
}

/** Plain JSON (NaN → null). */
export function evaluationJson(e: Evaluation, meta: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ ...meta, ...e }, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

/** The page: weighted τ and top-1 regret per recall score and target (grouped bars), then the tables. */
export function evaluationPage(e: Evaluation, title: string, summary: readonly string[]): string {
  const methods = e.means.map((r) => r.method);
  const bars = (key: 'tau' | 'regret') =>
    [...e.targets, 'mean'].map((target) => {
      const of = [...e.rows, ...e.means].filter((r) => r.target === target);
      return {
        type: 'bar',
        name: target,
        x: methods,
        y: methods.map((m) => {
          const v = of.find((r) => r.method === m)?.[key];
          return v !== undefined && Number.isFinite(v) ? v : null;
        }),
      };
    });
  return reportHtml({
    title,
    summary: [...summary, ...e.warnings.map((w) => `warning: ${w}`)],
    sections: [
      {
        title: 'Weighted Kendall τ of recall score vs true value, per target',
        traces: bars('tau'),
        layout: { barmode: 'group', yaxis: { title: { text: 'weighted τ' }, range: [-1, 1] } },
        caption: 'Higher is better; 1 = the score orders the models exactly as their true values do, the top weighing most.',
      },
      {
        title: 'Top-1 regret per target',
        traces: bars('regret'),
        layout: { barmode: 'group', yaxis: { title: { text: `regret (${e.rows.every((r) => r.unit === 'points') ? 'points' : 'units'})` } } },
        caption: "Lower is better: what taking the score's first pick loses against the best model.",
      },
      { table: { title: `Mean over ${e.targets.length} targets`, head: headOf(e, false), rows: e.means.map((r) => cellsOf(r, false)) } },
      ...e.targets.map((t) => ({ table: { title: t, head: headOf(e, true), rows: e.rows.filter((r) => r.target === t).map((r) => cellsOf(r, true)) } })),
    ],
  });
}

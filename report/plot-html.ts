/**
 * A self-contained HTML page with one plotly chart: the plotly.js bundle is inlined, so
 * the file opens offline. Generic: give it a title, plotly traces and an optional layout.
 */
import { readFileSync } from 'node:fs';

/** A plotly trace or layout object, as plain JSON data. */
export type PlotJson = Readonly<Record<string, unknown>>;

export interface PlotPage {
  readonly title: string;
  readonly traces: readonly PlotJson[];
  /** Merged over `{ title }`. */
  readonly layout?: PlotJson;
  /** Text shown under the chart (plain text, escaped). */
  readonly caption?: string;
}

let cachedPlotly: string | null = null;

/** The plotly.js-dist-min bundle's source, read once. Throws when the package is not installed. */
export function plotlySource(): string {
  cachedPlotly ??= readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
  return cachedPlotly;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A page of several plots under one heading, with optional HTML tables between them. */
export interface ReportPage {
  readonly title: string;
  /** Plain-text lines under the heading. */
  readonly summary?: readonly string[];
  readonly sections: readonly (PlotPage | { readonly table: { readonly title: string; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly caption?: string } })[];
}

function tableHtml(t: { title: string; head: readonly string[]; rows: readonly (readonly string[])[]; caption?: string }): string {
  const cell = (tag: string, v: string): string => `<${tag} style="border:1px solid #ccc;padding:2px 8px">${escapeHtml(v)}</${tag}>`;
  return [
    `<h2>${escapeHtml(t.title)}</h2>`,
    t.caption === undefined ? '' : `<p style="white-space:pre-wrap">${escapeHtml(t.caption)}</p>`,
    '<table style="border-collapse:collapse;font-family:monospace">',
    `<tr>${t.head.map((h) => cell('th', h)).join('')}</tr>`,
    ...t.rows.map((r) => `<tr>${r.map((v) => cell('td', v)).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

/** A multi-section report page as one self-contained HTML string (plotly inlined, works offline). */
export function reportHtml(page: ReportPage, plotly: string = plotlySource()): string {
  const body = page.sections.map((s, i) => {
    if ('table' in s) return tableHtml(s.table);
    const layout = { title: { text: s.title }, ...s.layout };
    return [
      `<div id="plot${i}" style="width:100%;height:70vh"></div>`,
      s.caption === undefined ? '' : `<p style="white-space:pre-wrap">${escapeHtml(s.caption)}</p>`,
      `<script>Plotly.newPlot('plot${i}', ${scriptJson(s.traces)}, ${scriptJson(layout)}, {responsive: true});</script>`,
    ].join('\n');
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<script>${plotly.replace(/<\/script/gi, '<\\/script')}</script>`,
    '</head><body style="font-family:sans-serif;margin:1em 2em">',
    `<h1>${escapeHtml(page.title)}</h1>`,
    ...(page.summary ?? []).map((l) => `<p>${escapeHtml(l)}</p>`),
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

/** The page as an HTML string (pure apart from reading the plotly bundle once). */
export function plotHtml(page: PlotPage, plotly: string = plotlySource()): string {
  return reportHtml({ title: page.title, sections: [page] }, plotly);
}

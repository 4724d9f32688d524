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

/** The page as an HTML string (pure apart from reading the plotly bundle once). */
export function plotHtml(page: PlotPage, plotly: string = plotlySource()): string {
  const layout = { title: { text: page.title }, ...page.layout };
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<script>${plotly.replace(/<\/script/gi, '<\\/script')}</script>`,
    '</head><body>',
    '<div id="plot" style="width:100%;height:85vh"></div>',
    page.caption === undefined ? '' : `<p style="font-family:sans-serif;white-space:pre-wrap">${escapeHtml(page.caption)}</p>`,
    `<script>Plotly.newPlot('plot', ${scriptJson(page.traces)}, ${scriptJson(layout)}, {responsive: true});</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

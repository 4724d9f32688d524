/**
 * HTML pages of plotly charts. A page loads plotly.js from a file beside it
 * (`plotly-<version>.min.js`, written once per folder by `writePage`), so it opens offline
 * and a folder of reports holds one copy of the 4.8 MB bundle, not one per page; or, on
 * request, with the bundle inlined. Generic: give it a title, plotly traces and layouts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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

/** The file name pages load plotly from: `plotly-<installed version>.min.js`. */
export function plotlyFileName(): string {
  const { version } = JSON.parse(readFileSync(require.resolve('plotly.js-dist-min/package.json'), 'utf8')) as { version: string };
  return `plotly-${version}.min.js`;
}

/** How a page loads plotly: a script file (relative to the page) or the source inlined. */
export type PlotlyScript = { readonly src: string } | { readonly inline: string };

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/**
 * Write `html` (a page made with the default plotly script) to `path`, atomically, with the
 * plotly bundle beside it unless the folder has it already.
 */
export async function writePage(path: string, html: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const plotly = join(dir, plotlyFileName());
  if (!existsSync(plotly)) await writeAtomically(plotly, plotlySource());
  await writeAtomically(path, html);
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

/** A multi-section report page as HTML, loading plotly from `plotly-<version>.min.js` beside it unless told otherwise. */
export function reportHtml(page: ReportPage, plotly: PlotlyScript = { src: plotlyFileName() }): string {
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
    'src' in plotly ? `<script src="${escapeHtml(plotly.src)}"></script>` : `<script>${plotly.inline.replace(/<\/script/gi, '<\\/script')}</script>`,
    '</head><body style="font-family:sans-serif;margin:1em 2em">',
    `<h1>${escapeHtml(page.title)}</h1>`,
    ...(page.summary ?? []).map((l) => `<p>${escapeHtml(l)}</p>`),
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

/** A one-chart page as HTML (plotly as in `reportHtml`). */
export function plotHtml(page: PlotPage, plotly?: PlotlyScript): string {
  return reportHtml({ title: page.title, sections: [page] }, plotly);
}

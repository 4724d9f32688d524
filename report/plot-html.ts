/**
 * HTML pages of plotly charts, one self-contained file each: the page inlines plotly.js's
 * basic bundle (scatter, bar and pie traces: every chart the reports draw; 1.2 MB against
 * 4.8 MB for the full bundle), so it renders offline and when copied alone. On request a page
 * loads the bundle from a file beside it instead (`writePage` then writes it once per folder).
 * Generic: give it a title, plotly traces and layouts.
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

/** The plotly.js basic bundle's source (plotly.js-basic-dist-min), read once. Throws when the package is not installed. */
export function plotlySource(): string {
  cachedPlotly ??= readFileSync(require.resolve('plotly.js-basic-dist-min/plotly-basic.min.js'), 'utf8');
  return cachedPlotly;
}

/** The file name a page made with `{ src: plotlyFileName() }` loads plotly from: `plotly-basic-<installed version>.min.js`. */
export function plotlyFileName(): string {
  const { version } = JSON.parse(readFileSync(require.resolve('plotly.js-basic-dist-min/package.json'), 'utf8')) as { version: string };
  return `plotly-basic-${version}.min.js`;
}

/** How a page loads plotly: a script file (relative to the page) or the source inlined. */
export type PlotlyScript = { readonly src: string } | { readonly inline: string };

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/**
 * Write `html` to `path`, atomically; a page that loads the plotly file beside it (made with
 * `{ src: plotlyFileName() }`) gets the file too, unless the folder has it already.
 */
export async function writePage(path: string, html: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const plotly = join(dir, plotlyFileName());
  if (html.includes(`<script src="${plotlyFileName()}"></script>`) && !existsSync(plotly)) await writeAtomically(plotly, plotlySource());
  await writeAtomically(path, html);
}

/** Text made safe inside HTML elements and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A page of several plots under one heading, with optional HTML tables between them. */
export interface ReportPage {
  readonly title: string;
  /** Plain-text lines under the heading. */
  readonly summary?: readonly string[];
  readonly sections: readonly (
    | PlotPage
    | { readonly table: { readonly title: string; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly caption?: string } }
    | { readonly html: string }
  )[];
  /** HTML under the heading, before the summary lines (built by the caller, who escapes what it puts in). */
  readonly headHtml?: string;
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

const NO_PLOTLY = 'This chart needs plotly.js, which did not load: keep the plotly file beside the page, or write the page with plotly inlined (the default).';

/** A multi-section report page as one self-contained HTML file (plotly's basic bundle inlined), unless told to load plotly from a file. */
export function reportHtml(page: ReportPage, plotly: PlotlyScript = { inline: plotlySource() }): string {
  const body = page.sections.map((s, i) => {
    if ('table' in s) return tableHtml(s.table);
    if ('html' in s) return s.html;
    const layout = { title: { text: s.title }, ...s.layout };
    return [
      `<div id="plot${i}" style="width:100%;height:70vh"></div>`,
      s.caption === undefined ? '' : `<p style="white-space:pre-wrap">${escapeHtml(s.caption)}</p>`,
      `<script>if (window.Plotly) Plotly.newPlot('plot${i}', ${scriptJson(s.traces)}, ${scriptJson(layout)}, {responsive: true}); else document.getElementById('plot${i}').textContent = ${scriptJson(NO_PLOTLY)};</script>`,
    ].join('\n');
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(page.title)}</title>`,
    'src' in plotly ? `<script src="${escapeHtml(plotly.src)}"></script>` : `<script>${plotly.inline.replace(/<\/script/gi, '<\\/script')}</script>`,
    '</head><body style="font-family:sans-serif;margin:1em 2em">',
    `<h1>${escapeHtml(page.title)}</h1>`,
    page.headHtml ?? '',
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

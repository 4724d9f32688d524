/**
 * The files `mselect import` reads, parsed and validated into plain records. Three shapes, told
 * apart by the header (docs/bring-your-own-hub.md):
 *
 * - long performance: `model, dataset` and the final value in a column named `value` or after
 *   the metric (`accuracy`, `f1`, …), optional per-epoch validation values (`ep1`, `epoch_2`,
 *   `val_ep3`, …), `split` (the split the value was measured on), `direction` and `seconds`
 *   (wall seconds of one epoch of the run, stored beside each per-epoch value);
 * - wide performance: `model` then one column per dataset (empty = never run);
 * - proxy scores: `model, dataset` (or `target`), `proxy`, `value`.
 *
 * Every problem names the file, the 1-based line and the column; an empty field is null where
 * the format allows it (a value or an epoch), and an error where it does not (an id). Pure.
 */
import type { Direction } from '../algorithms/types';
import { HUB_ID_MESSAGE, isHubId } from '../contracts/schemas/common';
import { delimiterOf, parseDelimited, type TextRow } from './delimited';

/** One problem in an input file. */
export interface ImportIssue {
  readonly file: string;
  readonly line: number;
  readonly column: string | null;
  readonly message: string;
}

export const formatIssue = (i: ImportIssue): string => `${i.file}:${i.line}${i.column === null ? '' : `: column "${i.column}"`}: ${i.message}`;

/** Thrown when a file cannot be imported; `issues` lists every problem found (up to a limit). */
export class ImportFormatError extends Error {
  constructor(readonly issues: readonly ImportIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ImportFormatError';
  }
}

/** A final value of a model on a dataset, with its optional validation curve. */
export interface ImportedCell {
  readonly model: string;
  readonly dataset: string;
  /** null = the run exists but its value was not measured. */
  readonly value: number | null;
  /** Validation value after epoch k + 1; empty when the file has no curves. */
  readonly curve: readonly number[];
  /** Wall seconds of one epoch (the `seconds` column); null or absent when not given. */
  readonly secondsPerEpoch?: number | null;
  readonly line: number;
}

export interface ImportedDataset {
  readonly id: string;
  readonly metric: string;
  readonly direction: Direction;
  readonly split: string | null;
}

export interface ImportedProxy {
  readonly model: string;
  readonly target: string;
  readonly proxy: string;
  readonly value: number;
  readonly line: number;
}

export interface ParsedImport {
  readonly file: string;
  readonly shape: 'long' | 'wide' | 'proxies';
  readonly cells: readonly ImportedCell[];
  readonly datasets: readonly ImportedDataset[];
  readonly proxies: readonly ImportedProxy[];
  /** Rows repeating an earlier (model, dataset) or (model, target, proxy): `line` repeats `first`. */
  readonly duplicates: readonly { readonly key: string; readonly line: number; readonly first: number; readonly same: boolean }[];
}

export interface ParseOptions {
  /** Metric name when the file does not name one (a `value` column, or a wide matrix). @default 'accuracy' */
  readonly metric?: string;
  /** Direction when the file has no `direction` column. @default 'maximize' */
  readonly direction?: Direction;
  /** Stop collecting issues after this many. @default 20 */
  readonly maxIssues?: number;
}

const EPOCH_COLUMN = /^(?:val_?)?ep(?:och)?_?(\d+)$/i;
const RESERVED = new Set(['model', 'dataset', 'target', 'proxy', 'value', 'metric', 'split', 'direction', 'seconds']);

class Issues {
  readonly list: ImportIssue[] = [];
  constructor(
    readonly file: string,
    readonly max: number,
  ) {}
  add(line: number, column: string | null, message: string): void {
    if (this.list.length < this.max) this.list.push({ file: this.file, line, column, message });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ImportFormatError(this.list);
  }
}

function idAt(row: TextRow, i: number, column: string, issues: Issues): string | null {
  const v = (row.fields[i] ?? '').trim();
  if (v === '') issues.add(row.line, column, 'is empty, but must name an id');
  else if (!isHubId(v)) issues.add(row.line, column, `is "${v}", which ${HUB_ID_MESSAGE}`);
  else return v;
  return null;
}

/** An empty field is null; anything else must be a finite number ("85%" is refused, not guessed). */
function numberAt(row: TextRow, i: number, column: string, issues: Issues): number | null | undefined {
  const v = (row.fields[i] ?? '').trim();
  if (v === '' || /^(na|nan|null)$/i.test(v)) return null;
  const n = Number(v);
  if (Number.isFinite(n)) return n;
  issues.add(row.line, column, `is "${v}", but must be a number (or empty for missing)`);
  return undefined;
}

function headerOf(rows: readonly TextRow[], issues: Issues): string[] {
  const header = (rows[0]?.fields ?? []).map((h) => h.trim());
  if (header.length === 0) issues.throwIfAny();
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '') issues.add(1, null, `header column ${i + 1} is empty`);
    else if (seen.has(h.toLowerCase())) issues.add(1, h, 'appears twice in the header');
    seen.add(h.toLowerCase());
  });
  return header;
}

function checkWidth(row: TextRow, width: number, issues: Issues): boolean {
  if (row.fields.length === width) return true;
  issues.add(row.line, null, `has ${row.fields.length} fields, but the header has ${width}`);
  return false;
}

interface Keyed {
  key: string;
  line: number;
  fingerprint: string;
}

function duplicatesOf(items: readonly Keyed[]): ParsedImport['duplicates'] {
  const first = new Map<string, Keyed>();
  const out: { key: string; line: number; first: number; same: boolean }[] = [];
  for (const it of items) {
    const f = first.get(it.key);
    if (f) out.push({ key: it.key, line: it.line, first: f.line, same: f.fingerprint === it.fingerprint });
    else first.set(it.key, it);
  }
  return out;
}

function parseProxies(file: string, rows: readonly TextRow[], header: string[], issues: Issues): ParsedImport {
  const col = (n: string): number => header.findIndex((h) => h.toLowerCase() === n);
  const target = col('dataset') >= 0 ? col('dataset') : col('target');
  const targetName = header[target] ?? 'dataset';
  for (const [name, i] of [
    ['dataset (or target)', target],
    ['value', col('value')],
  ] as const) {
    if (i < 0) issues.add(1, null, `a proxy-score file needs the columns model, dataset (or target), proxy, value; "${name}" is missing`);
  }
  issues.throwIfAny();
  const proxies: ImportedProxy[] = [];
  for (const row of rows.slice(1)) {
    if (!checkWidth(row, header.length, issues)) continue;
    const model = idAt(row, col('model'), 'model', issues);
    const t = idAt(row, target, targetName, issues);
    const proxy = (row.fields[col('proxy')] ?? '').trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9@._-]*$/.test(proxy)) issues.add(row.line, 'proxy', `is "${proxy}", but must be a proxy name like "logme" or "leep"`);
    const value = numberAt(row, col('value'), 'value', issues);
    if (value === null) issues.add(row.line, 'value', 'is empty, but a proxy score must be a number');
    if (model && t && value !== null && value !== undefined && proxy) proxies.push({ model, target: t, proxy, value, line: row.line });
  }
  issues.throwIfAny();
  const duplicates = duplicatesOf(proxies.map((p) => ({ key: `${p.model} on ${p.target} (${p.proxy})`, line: p.line, fingerprint: String(p.value) })));
  return { file, shape: 'proxies', cells: [], datasets: [], proxies, duplicates };
}

function directionAt(row: TextRow, i: number, fallback: Direction, issues: Issues): Direction {
  if (i < 0) return fallback;
  const v = (row.fields[i] ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (v === 'maximize' || v === 'minimize') return v;
  issues.add(row.line, 'direction', `is "${v}", but must be maximize or minimize (or empty)`);
  return fallback;
}

function parseLong(file: string, rows: readonly TextRow[], header: string[], issues: Issues, o: Required<ParseOptions>): ParsedImport {
  const col = (n: string): number => header.findIndex((h) => h.toLowerCase() === n);
  const epochCols = header
    .map((h, i) => ({ i, m: EPOCH_COLUMN.exec(h) }))
    .filter((e) => e.m !== null)
    .map((e) => ({ i: e.i, epoch: Number(e.m?.[1]), name: header[e.i] ?? '' }));
  epochCols.forEach((e, k) => e.epoch !== k + 1 && issues.add(1, e.name, `is epoch ${e.epoch}, but the per-epoch columns must count 1, 2, 3, … in order`));
  const others = header.map((h, i) => ({ h, i })).filter(({ h, i }) => !RESERVED.has(h.toLowerCase()) && !epochCols.some((e) => e.i === i));
  let valueCol = col('value');
  let metricName = o.metric;
  if (valueCol < 0) {
    if (others.length !== 1) {
      issues.add(
        1,
        null,
        others.length === 0
          ? 'has no value column: name it "value" or after the metric (e.g. "accuracy")'
          : `has ${others.length} candidate value columns (${others.map((x) => x.h).join(', ')}); keep one, or name it "value"`,
      );
    } else {
      valueCol = others[0]?.i ?? -1;
      metricName = others[0]?.h ?? o.metric;
    }
  } else if (others.length > 0) {
    issues.add(
      1,
      others[0]?.h ?? null,
      'is not a column mselect knows (model, dataset, value or a metric name, metric, split, direction, seconds, ep1, ep2, …)',
    );
  }
  if (col('seconds') >= 0 && epochCols.length === 0)
    issues.add(1, 'seconds', 'gives seconds per epoch, but the file has no per-epoch columns (ep1, ep2, …) to store them with');
  issues.throwIfAny();
  const metricCol = col('metric');
  const cells: ImportedCell[] = [];
  const datasets = new Map<string, ImportedDataset & { line: number }>();
  for (const row of rows.slice(1)) {
    if (!checkWidth(row, header.length, issues)) continue;
    const model = idAt(row, col('model'), 'model', issues);
    const dataset = idAt(row, col('dataset'), 'dataset', issues);
    const value = numberAt(row, valueCol, header[valueCol] ?? 'value', issues);
    const curveRaw = epochCols.map((e) => ({ e, v: numberAt(row, e.i, e.name, issues) }));
    const lastFilled = curveRaw.reduce((n, c, k) => (c.v !== null ? k + 1 : n), 0);
    const gap = curveRaw.slice(0, lastFilled).find((c) => c.v === null);
    if (gap) issues.add(row.line, gap.e.name, 'is empty but a later epoch is not');
    const metric = metricCol >= 0 && (row.fields[metricCol] ?? '').trim() !== '' ? (row.fields[metricCol] ?? '').trim() : metricName;
    const direction = directionAt(row, col('direction'), o.direction, issues);
    const split = col('split') >= 0 ? (row.fields[col('split')] ?? '').trim() || null : null;
    const seconds = col('seconds') >= 0 ? numberAt(row, col('seconds'), 'seconds', issues) : null;
    if (seconds !== null && seconds !== undefined && seconds < 0) issues.add(row.line, 'seconds', `is ${seconds}, but seconds per epoch cannot be negative`);
    if (model === null || dataset === null || value === undefined) continue;
    const d = datasets.get(dataset);
    if (!d) datasets.set(dataset, { id: dataset, metric, direction, split, line: row.line });
    else {
      if (d.metric !== metric)
        issues.add(row.line, metricCol >= 0 ? 'metric' : null, `is "${metric}", but line ${d.line} gives ${dataset} the metric "${d.metric}"`);
      if (d.direction !== direction) issues.add(row.line, 'direction', `is ${direction}, but line ${d.line} gives ${dataset} the direction ${d.direction}`);
      if (d.split !== split)
        issues.add(row.line, 'split', `is "${split ?? ''}", but line ${d.line} gives ${dataset} the split "${d.split ?? ''}"; one split per dataset`);
    }
    cells.push({
      model,
      dataset,
      value,
      curve: curveRaw.slice(0, lastFilled).map((c) => c.v ?? Number.NaN),
      line: row.line,
      ...(seconds !== null && seconds !== undefined ? { secondsPerEpoch: seconds } : {}),
    });
  }
  issues.throwIfAny();
  const duplicates = duplicatesOf(cells.map((c) => ({ key: `${c.model} on ${c.dataset}`, line: c.line, fingerprint: JSON.stringify([c.value, c.curve]) })));
  return { file, shape: 'long', cells, datasets: [...datasets.values()].map(({ line: _line, ...d }) => d), proxies: [], duplicates };
}

function parseWide(file: string, rows: readonly TextRow[], header: string[], issues: Issues, o: Required<ParseOptions>): ParsedImport {
  const modelCol = header.findIndex((h) => h.toLowerCase() === 'model');
  const dsCols = header.map((h, i) => ({ h, i })).filter(({ i }) => i !== modelCol);
  dsCols.forEach(({ h }) => !isHubId(h) && issues.add(1, h, `is not a dataset id: it ${HUB_ID_MESSAGE}`));
  if (dsCols.length === 0) issues.add(1, null, 'a wide matrix needs a "model" column and one column per dataset');
  issues.throwIfAny();
  const cells: ImportedCell[] = [];
  for (const row of rows.slice(1)) {
    if (!checkWidth(row, header.length, issues)) continue;
    const model = idAt(row, modelCol, header[modelCol] ?? 'model', issues);
    for (const { h, i } of dsCols) {
      const v = numberAt(row, i, h, issues);
      // A wide matrix has a slot for every pair: empty means never run, not "run, value unknown".
      if (model !== null && v !== undefined && v !== null) cells.push({ model, dataset: h, value: v, curve: [], line: row.line });
    }
  }
  issues.throwIfAny();
  const duplicates = duplicatesOf(cells.map((c) => ({ key: `${c.model} on ${c.dataset}`, line: c.line, fingerprint: String(c.value) })));
  const datasets = dsCols.map(({ h }) => ({ id: h, metric: o.metric, direction: o.direction, split: null }));
  return { file, shape: 'wide', cells, datasets, proxies: [], duplicates };
}

/**
 * Parse one import file (module comment). `file` names it in messages; CSV or TSV by its
 * extension, else by its first line. Throws ImportFormatError listing every problem found.
 */
export function parseImport(file: string, text: string, options: ParseOptions = {}): ParsedImport {
  const o: Required<ParseOptions> = { metric: options.metric ?? 'accuracy', direction: options.direction ?? 'maximize', maxIssues: options.maxIssues ?? 20 };
  const issues = new Issues(file, o.maxIssues);
  const rows = parseDelimited(text, delimiterOf(file, text));
  if (rows.length === 0) issues.add(1, null, 'is empty: a header line and at least one row are needed');
  issues.throwIfAny();
  const header = headerOf(rows, issues);
  issues.throwIfAny();
  if (rows.length < 2) issues.add(2, null, 'has a header but no rows');
  const has = (n: string): boolean => header.some((h) => h.toLowerCase() === n);
  if (!has('model')) issues.add(1, null, `has no "model" column (header: ${header.join(', ')})`);
  issues.throwIfAny();
  if (has('proxy')) return parseProxies(file, rows, header, issues);
  if (has('dataset')) return parseLong(file, rows, header, issues, o);
  return parseWide(file, rows, header, issues, o);
}

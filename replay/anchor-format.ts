/**
 * Text formats of the recorded two-phase selection data (see the anchors README):
 * `curves.csv`, `history_matrix.tsv`, `history_datasets.txt` and `proxy/<name>.tsv`.
 * Pure parsing and formatting, no I/O, so the matrix store can reuse it for CSV interop.
 * Every parse error names the source and the 1-based line.
 */
import type { Direction, PerformanceMatrix, RunRecord, RunSet } from '../algorithms/types';

/** Thrown when a text does not follow its format; `source` and `line` say where. */
export class AnchorFormatError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${source}:${line}: ${detail}`);
    this.name = 'AnchorFormatError';
  }
}

const FIXED_COLUMNS = ['model', 'dataset', 'in_paper_pool', 'test'] as const;

/** Lines without their terminators (LF or CRLF); a trailing empty line is dropped. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parseNumber(cell: string, source: string, line: number, what: string): number {
  const value = cell.trim() === '' ? Number.NaN : Number(cell);
  if (!Number.isFinite(value)) throw new AnchorFormatError(source, line, `${what} is "${cell}", but must be a finite number`);
  return value;
}

function valColumnCount(header: string[], source: string): number {
  FIXED_COLUMNS.forEach((name, i) => {
    if (header[i] !== name) throw new AnchorFormatError(source, 1, `column ${i + 1} is "${header[i] ?? ''}", but must be "${name}"`);
  });
  const vals = header.slice(FIXED_COLUMNS.length);
  vals.forEach((name, k) => {
    if (name !== `val_ep${k + 1}`) throw new AnchorFormatError(source, 1, `column ${k + 5} is "${name}", but must be "val_ep${k + 1}"`);
  });
  if (vals.length === 0) throw new AnchorFormatError(source, 1, 'no val_ep1.. columns');
  return vals.length;
}

/** Validation cells: numbers up to the first empty cell, empty after it (a shorter run). */
function parseVal(cells: string[], source: string, line: number): number[] {
  const firstEmpty = cells.findIndex((c) => c.trim() === '');
  const filled = firstEmpty < 0 ? cells : cells.slice(0, firstEmpty);
  if (firstEmpty >= 0 && cells.slice(firstEmpty).some((c) => c.trim() !== '')) {
    throw new AnchorFormatError(source, line, `val_ep${firstEmpty + 1} is empty but a later epoch is not`);
  }
  if (filled.length === 0) throw new AnchorFormatError(source, line, 'val_ep1 is empty: a run needs at least one epoch');
  return filled.map((c, k) => parseNumber(c, source, line, `val_ep${k + 1}`));
}

function parseCurveRow(cells: string[], width: number, source: string, line: number): { run: RunRecord; inPool: boolean } {
  if (cells.length !== width) throw new AnchorFormatError(source, line, `${cells.length} cells, but the header has ${width}`);
  const [model = '', dataset = '', pool = '', test = ''] = cells;
  if (model === '' || dataset === '') throw new AnchorFormatError(source, line, 'model and dataset must not be empty');
  if (pool !== '0' && pool !== '1') throw new AnchorFormatError(source, line, `in_paper_pool is "${pool}", but must be 0 or 1`);
  const testValue = test.trim() === '' ? null : parseNumber(test, source, line, 'test');
  const val = parseVal(cells.slice(FIXED_COLUMNS.length), source, line);
  return { run: { model, dataset, val, test: testValue }, inPool: pool === '1' };
}

/**
 * Parse `curves.csv` (`model,dataset,in_paper_pool,test,val_ep1..val_epN`). Models and
 * datasets are listed in order of first appearance. An empty `test` is null.
 * Throws AnchorFormatError on a bad header, a bad cell, a duplicate (model, dataset) pair
 * or a model whose in_paper_pool flag differs between rows.
 */
export function parseCurvesCsv(text: string, source = 'curves.csv'): { runs: RunSet; inPaperPool: Set<string> } {
  const lines = splitLines(text);
  const header = (lines[0] ?? '').split(',');
  const width = FIXED_COLUMNS.length + valColumnCount(header, source);
  const runs: RunRecord[] = [];
  const poolFlag = new Map<string, boolean>();
  const seen = new Set<string>();
  lines.slice(1).forEach((text, i) => {
    const line = i + 2;
    if (text.trim() === '') return;
    const { run, inPool } = parseCurveRow(text.split(','), width, source, line);
    const key = `${run.model}\u0000${run.dataset}`;
    if (seen.has(key)) throw new AnchorFormatError(source, line, `duplicate run ${run.model} on ${run.dataset}`);
    if (poolFlag.has(run.model) && poolFlag.get(run.model) !== inPool) {
      throw new AnchorFormatError(source, line, `in_paper_pool of ${run.model} differs from its earlier rows`);
    }
    seen.add(key);
    poolFlag.set(run.model, inPool);
    runs.push(run);
  });
  const models = [...new Set(runs.map((r) => r.model))];
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  const inPaperPool = new Set(models.filter((m) => poolFlag.get(m) === true));
  return { runs: { models, datasets, runs }, inPaperPool };
}

/** Tab-separated cells of a line, trimmed (the published files use CRLF and stray spaces). */
function tabCells(line: string): string[] {
  return line.split('\t').map((c) => c.trim());
}

/**
 * Parse `history_matrix.tsv`: line 1 = model names, then one row per entry of `datasetNames`
 * in that order. A cell of exactly 0 (the published files' convention) or an empty cell means "never run" and becomes NaN.
 * Throws AnchorFormatError on a row count or width mismatch or a non-numeric cell.
 */
export function parseHistoryMatrix(tsv: string, datasetNames: readonly string[], source = 'history_matrix.tsv'): PerformanceMatrix {
  const lines = splitLines(tsv);
  const models = tabCells(lines[0] ?? '');
  if (models.some((m) => m === '')) throw new AnchorFormatError(source, 1, 'empty model name');
  if (lines.length - 1 !== datasetNames.length) {
    throw new AnchorFormatError(source, lines.length, `${lines.length - 1} data rows, but ${datasetNames.length} dataset names were given`);
  }
  const values = new Float64Array(models.length * datasetNames.length);
  lines.slice(1).forEach((text, d) => {
    const cells = tabCells(text);
    if (cells.length !== models.length) throw new AnchorFormatError(source, d + 2, `${cells.length} cells, but line 1 names ${models.length} models`);
    cells.forEach((c, m) => {
      // The published files write a missing cell as 0; an empty cell is missing too.
      const v = c === '' ? Number.NaN : parseNumber(c, source, d + 2, `cell ${m + 1}`);
      values[d * models.length + m] = v === 0 ? Number.NaN : v;
    });
  });
  return { models, datasets: [...datasetNames], values };
}

/**
 * Parse a proxy score file (`proxy/leep_<target>.tsv`): line 1 = model names, line 2 = scores.
 * Throws AnchorFormatError on a width mismatch, a duplicate model or a non-numeric score.
 */
export function parseProxyScores(tsv: string, source = 'proxy.tsv'): Map<string, number> {
  const lines = splitLines(tsv).filter((l) => l.trim() !== '');
  if (lines.length !== 2) throw new AnchorFormatError(source, Math.min(lines.length, 2) + 1, `${lines.length} lines, but must be 2 (names, scores)`);
  const names = tabCells(lines[0] ?? '');
  const scores = tabCells(lines[1] ?? '');
  if (scores.length !== names.length) throw new AnchorFormatError(source, 2, `${scores.length} scores, but line 1 names ${names.length} models`);
  const out = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === '' || out.has(name)) throw new AnchorFormatError(source, 1, `model name "${name}" is empty or repeated`);
    out.set(name, parseNumber(scores[i] ?? '', source, 2, `score of ${name}`));
  });
  return out;
}

/** Parse a one-name-a-line list (`history_datasets.txt`); blank lines are skipped. */
export function parseNameList(text: string): string[] {
  return splitLines(text)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/**
 * Format runs as `curves.csv`, the inverse of parseCurvesCsv: one row per run in `runs.runs`
 * order, `val_ep` columns up to the longest run (shorter runs leave trailing cells empty),
 * numbers at full precision, `in_paper_pool` = 1 for models in `inPaperPool`.
 * Throws Error when a model or dataset name contains a comma or a line break.
 */
export function formatCurvesCsv(runs: RunSet, inPaperPool: ReadonlySet<string> = new Set()): string {
  const epochs = runs.runs.reduce((n, r) => Math.max(n, r.val.length), 0);
  const header = [...FIXED_COLUMNS, ...Array.from({ length: epochs }, (_, k) => `val_ep${k + 1}`)].join(',');
  const rows = runs.runs.map((r) => {
    if (/[,\r\n]/.test(r.model + r.dataset)) throw new Error(`model "${r.model}" or dataset "${r.dataset}" contains a comma or line break`);
    const val = Array.from({ length: epochs }, (_, k) => (k < r.val.length ? String(r.val[k]) : ''));
    return [r.model, r.dataset, inPaperPool.has(r.model) ? '1' : '0', r.test === null ? '' : String(r.test), ...val].join(',');
  });
  return [header, ...rows].join('\n') + '\n';
}

/**
 * Parse `datasets.tsv` (optional): header `dataset<TAB>direction`, then one dataset a line
 * with `maximize` or `minimize`. Throws AnchorFormatError on a bad header, a bad direction
 * or a dataset listed twice.
 */
export function parseDatasetDirections(tsv: string, source = 'datasets.tsv'): Map<string, Direction> {
  const lines = splitLines(tsv);
  const header = tabCells(lines[0] ?? '');
  if (header[0] !== 'dataset' || header[1] !== 'direction')
    throw new AnchorFormatError(source, 1, `header is "${lines[0] ?? ''}", but must be "dataset<TAB>direction"`);
  const out = new Map<string, Direction>();
  lines.slice(1).forEach((text, i) => {
    if (text.trim() === '') return;
    const [dataset = '', direction = ''] = tabCells(text);
    if (dataset === '' || out.has(dataset)) throw new AnchorFormatError(source, i + 2, `dataset "${dataset}" is empty or repeated`);
    if (direction !== 'maximize' && direction !== 'minimize')
      throw new AnchorFormatError(source, i + 2, `direction is "${direction}", but must be maximize or minimize`);
    out.set(dataset, direction);
  });
  return out;
}

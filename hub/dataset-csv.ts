/**
 * CSV encoding of a dataset split: a header row, then one row per sample with the
 * feature columns first and an integer `label` column last (any position is accepted
 * on read). Values are plain numbers; quoting is not supported.
 */
import type { DatasetSplit, RawTable } from './dataset-types';

/** Serialise a split as CSV with columns f0..f(d-1), label. */
export function encodeCsv(split: DatasetSplit): string {
  const header = [...Array.from({ length: split.d }, (_, i) => `f${i}`), 'label'].join(',');
  const lines = [header];
  for (let r = 0; r < split.n; r++) {
    const row = Array.from(split.x.subarray(r * split.d, (r + 1) * split.d), (v) => String(v));
    lines.push([...row, String(split.target ? split.target[r] : split.y[r])].join(','));
  }
  return lines.join('\n') + '\n';
}

/** Parse CSV text; throws naming the line for a wrong number of fields or a non-number. */
export function decodeCsv(text: string): RawTable {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const labelAt = header.indexOf('label');
  if (labelAt < 0) throw new Error('header has no `label` column');
  const width = header.length - 1;
  const x: number[] = [];
  const labels: number[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`line ${i + 2} has ${cells.length} fields, header has ${header.length}`);
    cells.forEach((cell, c) => {
      const v = cell.trim() === '' ? Number.NaN : Number(cell);
      if (c === labelAt) labels.push(v);
      else x.push(v);
    });
  });
  return { rows: labels.length, width, x: Float32Array.from(x), labels: Float64Array.from(labels) };
}

/**
 * Arrow IPC input for `mselect import`: a table with the same columns as the CSV shapes (long,
 * wide or proxies) is turned into the equivalent CSV text, so one parser validates both. In
 * messages, line n is the table's row n - 1 (the column names count as line 1, as a CSV header).
 */
import { tableFromIPC } from 'apache-arrow';
import { formatCsv } from './delimited';

export const isArrowFile = (file: string): boolean => /\.(arrow|feather|ipc)$/i.test(file);

/** One table cell as CSV text: null, undefined and NaN are empty (missing). */
export const cellText = (v: unknown): string =>
  v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : typeof v === 'bigint' ? v.toString() : String(v);

/** CSV text of an Arrow IPC file or stream. Throws when the bytes are not Arrow IPC. */
export function arrowToCsv(bytes: Uint8Array): string {
  const t = tableFromIPC(bytes);
  const names = t.schema.fields.map((f) => f.name);
  const columns = names.map((n) => t.getChild(n));
  const rows: string[][] = [names];
  for (let i = 0; i < t.numRows; i++) rows.push(columns.map((c) => cellText(c?.get(i))));
  return formatCsv(rows);
}

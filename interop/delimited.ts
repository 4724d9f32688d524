/**
 * Delimited text (CSV per RFC 4180, or TSV) split into rows that remember their 1-based line,
 * so every validation message can name the file, the line and the column. Pure, no I/O.
 */

/** One record: its fields and the line it starts on (a quoted field may span lines). */
export interface TextRow {
  readonly line: number;
  readonly fields: readonly string[];
}

export type Delimiter = ',' | '\t';

/** Tab when the file name ends in .tsv/.tab or the first line holds a tab and no comma; else comma. */
export function delimiterOf(fileName: string, text: string): Delimiter {
  if (/\.(tsv|tab)$/i.test(fileName)) return '\t';
  if (/\.csv$/i.test(fileName)) return ',';
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}

/** Split `text` into rows; blank lines are skipped; a byte-order mark is dropped. */
export function parseDelimited(text: string, delimiter: Delimiter): TextRow[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: TextRow[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRow = (): void => {
    row.push(field);
    if (!(row.length === 1 && row[0]?.trim() === '')) rows.push({ line: start, fields: row });
    row = [];
    field = '';
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] ?? '';
    if (quoted) {
      if (ch === '\n') line++;
      if (ch !== '"') field += ch;
      else if (src[i + 1] === '"') field += src[i++];
      else quoted = false;
    } else if (ch === '"' && field === '' && delimiter === ',') {
      quoted = true;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRow();
      line++;
      start = line;
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** A field as CSV: quoted when it holds a comma, quote, line break or edge space. */
export function csvField(field: string): string {
  return /[",\r\n]/.test(field) || field !== field.trim() ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Rows as CSV text with a trailing newline. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

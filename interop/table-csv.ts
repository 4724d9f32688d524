/**
 * Any store table as CSV (RFC 4180): the header is the table's column names, an empty field is
 * null, JSON columns hold JSON text, timestamps are milliseconds since the Unix epoch. Export
 * writes the deduplicated rows of a snapshot; import appends through a writer.
 */
import type { CellRecordInput, DatasetRecordInput, ModelRecordInput, ProxyScoreInput, StoreTable } from '../contracts/schemas/store';
import { InvalidStoreInputError, TABLES, type ColumnSpec, type Snapshot, type Writer } from '../matrix-store';

function quote(field: string): string {
  return /[",\r\n]/.test(field) || field !== field.trim() ? `"${field.replace(/"/g, '""')}"` : field;
}

function fieldOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The deduplicated rows of `table` as CSV text. Throws StoreCorrupt. */
export async function exportTableCsv(snapshot: Snapshot, table: StoreTable): Promise<string> {
  const names = TABLES[table].columns.map((c) => c.name);
  const rows = await snapshot.rows(table);
  return [names, ...rows.map((r) => names.map((n) => fieldOf(r[n])))].map((f) => f.map(quote).join(',')).join('\n') + '\n';
}

/** Split CSV text into rows of fields (quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') field += text[i++];
      else quoted = false;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      endField();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

function valueOf(c: ColumnSpec, field: string, line: number): unknown {
  if (field === '' && c.kind !== 'str' && c.kind !== 'dict') return null;
  switch (c.kind) {
    case 'json':
      try {
        return JSON.parse(field) as unknown;
      } catch {
        throw new InvalidStoreInputError(`line ${line}: ${c.name} is not JSON`);
      }
    case 'bool':
      return field === 'true' || field === '1';
    case 'dict':
    case 'str':
      return field;
    default: {
      const n = Number(field);
      if (Number.isNaN(n)) throw new InvalidStoreInputError(`line ${line}: ${c.name} is "${field}", but must be a number`);
      return n;
    }
  }
}

/** Rows of a table's CSV as records keyed by column name. Throws InvalidInput for another header or a bad field. */
function recordsOf(table: StoreTable, text: string): Record<string, unknown>[] {
  const [header = [], ...rows] = parseCsv(text);
  const columns = TABLES[table].columns;
  const missing = columns.filter((c) => !header.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new InvalidStoreInputError(`the ${table} CSV header lacks ${missing.join(', ')}`);
  return rows.map((fields, i) => {
    if (fields.length !== header.length) throw new InvalidStoreInputError(`line ${i + 2}: ${fields.length} fields, but the header has ${header.length}`);
    return Object.fromEntries(columns.map((c) => [c.name, valueOf(c, fields[header.indexOf(c.name)] ?? '', i + 2)]));
  });
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  items.forEach((t) => {
    const k = key(t);
    const group = groups.get(k);
    if (group) group.push(t);
    else groups.set(k, [t]);
  });
  return [...groups.values()];
}

/**
 * Append the rows of a table's CSV (as `exportTableCsv` writes it) to `writer`; commit is the
 * caller's. Curve points are grouped into curves, clustering rows into clusterings.
 * Throws InvalidInput for a malformed text or rows the table's schema rejects.
 */
export async function importTableCsv(writer: Writer, table: StoreTable, text: string): Promise<void> {
  // Records are shaped by the header only; the writer validates each against its zod schema.
  const records = recordsOf(table, text);
  switch (table) {
    case 'models':
      return writer.upsertModels(records as unknown as ModelRecordInput[]);
    case 'datasets':
      return writer.upsertDatasets(records as unknown as DatasetRecordInput[]);
    case 'cells':
      return writer.appendCells(records as unknown as CellRecordInput[]);
    case 'proxyScores':
      return writer.putProxyScores(records as unknown as ProxyScoreInput[]);
    case 'curves': {
      const curves = groupBy(records, (r) => JSON.stringify([r.model, r.dataset, r.settingsHash, r.metric]));
      return writer.appendCurves(
        curves.map((points) => {
          const head = points[0] as Record<string, unknown>;
          return {
            model: head.model as string,
            dataset: head.dataset as string,
            settingsHash: head.settingsHash as string,
            metric: head.metric as string,
            epochs: points.map((p) => p.epoch as number),
            values: points.map((p) => p.value as number),
            seconds: points.map((p) => p.seconds as number | null),
            peakMemoryBytes: points.map((p) => (p.peakMemoryBytes ?? null) as number | null),
          };
        }),
      );
    }
    case 'clusterings':
      for (const rows of groupBy(records, (r) => String(r.id))) {
        const head = rows[0] as Record<string, unknown>;
        const representatives = new Map(rows.filter((r) => r.representative === true).map((r) => [r.cluster as number, r.model as string]));
        await writer.appendClustering({
          id: head.id as string,
          method: head.method as string,
          params: head.params as Record<string, unknown>,
          createdAt: head.createdAt as number,
          models: rows.map((r) => r.model as string),
          labels: rows.map((r) => r.cluster as number),
          representatives,
        });
      }
  }
}

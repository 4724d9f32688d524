/**
 * Parquet in and out (hyparquet, hyparquet-writer: pure JavaScript, no native code).
 *
 * Input for `mselect import`: a table with the same columns as the CSV shapes (long, wide or
 * proxies) is turned into the equivalent CSV text, so one parser validates every format (as
 * arrow-input.ts does for Arrow IPC). In messages, line n is the table's row n - 1 (the column
 * names count as line 1, as a CSV header). Snappy, gzip, zstd, brotli and lz4 pages are read
 * (hyparquet-compressors), which covers the defaults of DuckDB, pandas/pyarrow, Polars and Spark.
 *
 * Output for `mselect export matrix --format parquet | wide-parquet`: the long and the wide
 * shape, with the columns of their CSV twins; a missing value is a null.
 *
 * The libraries are loaded when a Parquet file is read or written, not by every command.
 */
import { cellText } from './arrow-input';
import { formatCsv } from './delimited';
import type { ExportedMatrix } from './export';
import { pairKey } from './plan';

export const isParquetFile = (file: string): boolean => /\.(parquet|pq)$/i.test(file);

/** The bytes as an ArrayBuffer of their own (hyparquet reads ArrayBuffers). */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** CSV text of a Parquet file. Throws when the bytes are not Parquet or use an unsupported encoding. */
export async function parquetToCsv(bytes: Uint8Array): Promise<string> {
  const [{ parquetMetadata, parquetReadObjects, parquetSchema }, { compressors }] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  const file = arrayBufferOf(bytes);
  const metadata = parquetMetadata(file);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const rows = await parquetReadObjects({ file, metadata, compressors });
  return formatCsv([names, ...rows.map((r) => names.map((n) => cellText(r[n])))]);
}

const nullable = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
const bytesOf = (b: ArrayBuffer): Uint8Array => new Uint8Array(b);

/** Long Parquet: `model, dataset, metric, direction, value, ep1..epN` (null = missing), the columns of the long CSV. */
export async function cellsParquet(m: ExportedMatrix): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const epochs = m.cells.reduce((n, c) => Math.max(n, c.curve.length), 0);
  return bytesOf(
    parquetWriteBuffer({
      columnData: [
        { name: 'model', data: m.cells.map((c) => c.model), type: 'STRING', nullable: false },
        { name: 'dataset', data: m.cells.map((c) => c.dataset), type: 'STRING', nullable: false },
        { name: 'metric', data: m.cells.map((c) => c.metric), type: 'STRING', nullable: false },
        { name: 'direction', data: m.cells.map((c) => c.direction), type: 'STRING', nullable: false },
        { name: 'value', data: m.cells.map((c) => nullable(c.value)), type: 'DOUBLE' },
        ...Array.from({ length: epochs }, (_, k) => ({ name: `ep${k + 1}`, data: m.cells.map((c) => nullable(c.curve[k])), type: 'DOUBLE' as const })),
      ],
    }),
  );
}

/** Wide Parquet: `model` then one column per dataset (null = never run or no value), the columns of the wide CSV. */
export async function wideParquet(m: ExportedMatrix): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const datasets = [...new Set(m.cells.map((c) => c.dataset))].sort();
  const models = [...new Set(m.cells.map((c) => c.model))].sort();
  const at = new Map(m.cells.map((c) => [pairKey(c.model, c.dataset), c.value]));
  return bytesOf(
    parquetWriteBuffer({
      columnData: [
        { name: 'model', data: models, type: 'STRING', nullable: false },
        ...datasets.map((d) => ({ name: d, data: models.map((model) => nullable(at.get(pairKey(model, d)))), type: 'DOUBLE' as const })),
      ],
    }),
  );
}

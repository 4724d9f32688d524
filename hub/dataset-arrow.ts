/**
 * Arrow IPC encoding of a dataset split: a `features` column of FixedSizeList<Float32>
 * plus an Int32 `label` column (Float32: the target of a regression split). Reading also accepts "wide" tables whose features are
 * all numeric columns other than `label`.
 */
import { Field, FixedSizeList, Float32, Int32, makeData, makeVector, Table, tableFromIPC, tableToIPC, type Vector } from 'apache-arrow';
import type { DatasetSplit, RawTable } from './dataset-types';

/** Serialise a split as an Arrow IPC file. */
export function encodeArrow(split: DatasetSplit): Uint8Array {
  const child = makeData({ type: new Float32(), length: split.n * split.d, data: split.x });
  const type = new FixedSizeList(split.d, new Field('value', new Float32(), false));
  const features = makeData({ type, length: split.n, nullCount: 0, child });
  const label = split.target
    ? makeVector(makeData({ type: new Float32(), length: split.n, data: split.target }))
    : makeVector(makeData({ type: new Int32(), length: split.n, data: split.y }));
  return tableToIPC(new Table({ features: makeVector(features), label }), 'file');
}

/** Decode an Arrow IPC file (file or stream format); throws with a plain message on bad content. */
export function decodeArrow(bytes: Uint8Array): RawTable {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new Error(`not a readable Arrow IPC file (${(err as Error).message})`);
  }
  if (table.schema.fields.length === 0) throw new Error('not a readable Arrow IPC file (no schema found)');
  const label = table.getChild('label');
  if (!label) throw new Error('has no `label` column');
  const labels = numericColumn(label, 'label');
  const features = table.getChild('features');
  if (features && features.type instanceof FixedSizeList) return fromList(features, labels);
  return fromWide(table, labels);
}

function fromList(col: Vector, labels: Float64Array): RawTable {
  const width = (col.type as FixedSizeList).listSize;
  const x = new Float32Array(col.length * width);
  let row = 0;
  for (const chunk of col.data) {
    if (chunk.nullCount > 0) throw new Error(`column features has ${chunk.nullCount} null rows`);
    const child = chunk.children[0];
    if (!child) throw new Error('column features has no values');
    const values = child.values as ArrayLike<number>;
    const start = chunk.offset * width + child.offset;
    for (let i = 0; i < chunk.length * width; i++) x[row * width + i] = Number(values[start + i]);
    row += chunk.length;
  }
  return { rows: col.length, width, x, labels };
}

function fromWide(table: Table, labels: Float64Array): RawTable {
  const names = table.schema.fields.map((f) => f.name).filter((n) => n !== 'label');
  const rows = table.numRows;
  const x = new Float32Array(rows * names.length);
  names.forEach((name, c) => {
    const col = table.getChild(name);
    if (!col) return;
    const values = numericColumn(col, name);
    for (let r = 0; r < rows; r++) x[r * names.length + c] = values[r] ?? Number.NaN;
  });
  return { rows, width: names.length, x, labels };
}

/** A numeric column as float64 (nulls become NaN so validation names the row). */
function numericColumn(col: Vector, name: string): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v: unknown = col.get(i);
    if (v === null || v === undefined) out[i] = Number.NaN;
    else if (typeof v === 'number' || typeof v === 'bigint') out[i] = Number(v);
    else throw new Error(`column ${name} is not numeric (${String(col.type)})`);
  }
  return out;
}

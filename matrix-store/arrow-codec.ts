/**
 * ColumnSet ⇄ Arrow record batches. Encoding gathers rows through an optional permutation one
 * batch at a time (no second full copy of a table); every dictionary column shares one
 * dictionary across the batches of a file, as the IPC file format requires. Decoding keeps
 * numbers as views on the IPC buffer where possible.
 */
import { makeData, RecordBatch, Struct, Type, Utf8, vectorFromArray, type Data, type DataType, type Schema, type Vector } from 'apache-arrow';
import { ColumnSet, storageOf, type Column } from './columns';
import type { TableSpec } from './schema';

type AnyData = Data<DataType>;

/** Row ids `[lo, hi)` of the output, through `order` when given. */
function gather<T extends Float64Array | Int32Array | Uint8Array>(values: T, order: Uint32Array | null, lo: number, hi: number): T {
  if (!order) return values.subarray(lo, hi) as T;
  const out = new (values.constructor as new (n: number) => T)(hi - lo);
  for (let i = lo; i < hi; i++) out[i - lo] = values[order[i] ?? 0] ?? 0;
  return out;
}

/** Pack one-byte flags into an Arrow bitmap; returns the bitmap and how many flags are 0. */
function packBits(flags: Uint8Array): { bits: Uint8Array; zeros: number } {
  const bits = new Uint8Array((flags.length + 7) >> 3);
  let zeros = 0;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i]) bits[i >> 3] = (bits[i >> 3] ?? 0) | (1 << (i & 7));
    else zeros++;
  }
  return { bits, zeros };
}

function unpackBits(bits: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const j = i + offset;
    out[i] = ((bits[j >> 3] ?? 0) >> (j & 7)) & 1;
  }
  return out;
}

/**
 * One column slice as Arrow data. makeData's props type follows the static column type, which a
 * schema built at run time cannot name; the `kind` switch is what matches props to type.
 */
function encodeColumn(c: Column, type: DataType, dictionary: Vector | null, order: Uint32Array | null, lo: number, hi: number): AnyData {
  const length = hi - lo;
  switch (c.kind) {
    case 'dict':
      return makeData({ type, length, nullCount: 0, data: gather(c.index, order, lo, hi), dictionary: dictionary ?? undefined } as never);
    case 'str': {
      const values = order ? Array.from(order.subarray(lo, hi), (r) => c.values[r] ?? null) : c.values.slice(lo, hi);
      return vectorFromArray(values, new Utf8()).data[0] as AnyData;
    }
    case 'bool':
      return makeData({ type, length, nullCount: 0, data: packBits(gather(c.values, order, lo, hi)).bits } as never);
    default: {
      const values = gather(c.values, order, lo, hi);
      const validity = c.valid ? packBits(gather(c.valid, order, lo, hi)) : null;
      const data = type.typeId === Type.Timestamp ? BigInt64Array.from(values, (v) => BigInt(Math.round(v))) : values;
      return makeData({ type, length, data, nullCount: validity?.zeros ?? 0, nullBitmap: validity?.zeros ? validity.bits : undefined } as never);
    }
  }
}

/**
 * Encode rows as record batches of at most `batchRows` rows: all rows in order, or the row
 * ids listed in `order`. Yields nothing for zero rows.
 */
export function* encodeBatches(set: ColumnSet, schema: Schema, batchRows: number, order: Uint32Array | null = null): Generator<RecordBatch> {
  const total = order ? order.length : set.rows;
  const columns = set.spec.columns.map((spec) => set.column(spec.name));
  const dictionaries = columns.map((c) => (c.kind === 'dict' ? vectorFromArray(c.dict as string[], new Utf8()) : null));
  for (let lo = 0; lo < total; lo += batchRows) {
    const hi = Math.min(total, lo + batchRows);
    const children = columns.map((c, i) => encodeColumn(c, schema.fields[i]?.type as DataType, dictionaries[i] ?? null, order, lo, hi));
    yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: hi - lo, nullCount: 0, children }));
  }
}

function validity(data: AnyData): Uint8Array | null {
  return data.nullCount > 0 && data.nullBitmap ? unpackBits(data.nullBitmap, data.offset, data.length) : null;
}

/** Strings of a dictionary; `cache` (keyed by the caller, e.g. per file and column) avoids decoding it per batch. */
function dictionaryStrings(data: AnyData, cache: Map<string, readonly string[]> | null, key: string): readonly string[] {
  const hit = cache?.get(key);
  if (hit) return hit;
  const strings = (data.dictionary?.toArray() ?? []) as string[];
  cache?.set(key, strings);
  return strings;
}

function decodeColumn(data: AnyData, storage: Exclude<Column['kind'], 'str'>, cache: Map<string, readonly string[]> | null, cacheKey: string): Column {
  const { offset, length } = data;
  const values = data.values as Float64Array | Int32Array | BigInt64Array | Uint8Array;
  switch (storage) {
    case 'dict':
      return { kind: 'dict', dict: dictionaryStrings(data, cache, cacheKey), index: (values as Int32Array).subarray(offset, offset + length) };
    case 'bool':
      return { kind: 'bool', values: unpackBits(values as Uint8Array, offset, length) };
    case 'i32':
      return { kind: 'i32', values: (values as Int32Array).subarray(offset, offset + length), valid: validity(data) };
    case 'f64': {
      const slice = values.subarray(offset, offset + length);
      const f64 = slice instanceof BigInt64Array ? Float64Array.from(slice, (v) => Number(v)) : (slice as Float64Array);
      return { kind: 'f64', values: f64, valid: validity(data) };
    }
  }
}

/** A column of `rows` nulls: a nullable column added after the fragment was written. */
function nullColumn(storage: Column['kind'], rows: number): Column {
  switch (storage) {
    case 'f64':
      return { kind: 'f64', values: new Float64Array(rows), valid: new Uint8Array(rows) };
    case 'i32':
      return { kind: 'i32', values: new Int32Array(rows), valid: new Uint8Array(rows) };
    case 'str':
      return { kind: 'str', values: new Array<string | null>(rows).fill(null) };
    default:
      throw new Error(`a ${storage} column cannot be null`);
  }
}

/**
 * Decode a record batch of `spec`'s table (a nullable column added in a later schema version, `since`, reads as null when the batch lacks it). Throws Error when a column is missing or has
 * another type (the caller turns that into StoreCorrupt or SchemaVersionMismatch).
 */
export function decodeBatch(spec: TableSpec, batch: RecordBatch, cache: Map<string, readonly string[]> | null = null, cachePrefix = ''): ColumnSet {
  const columns = new Map<string, () => Column>();
  spec.columns.forEach((c) => {
    const child = batch.getChild(c.name);
    const data = child?.data[0];
    if (!child && c.since !== undefined && c.nullable) return void columns.set(c.name, () => nullColumn(storageOf(c.kind), batch.numRows));
    if (!child || !data) throw new Error(`column ${c.name} is missing`);
    const storage = storageOf(c.kind);
    const expected =
      c.kind === 'dict'
        ? Type.Dictionary
        : storage === 'str'
          ? Type.Utf8
          : c.kind === 'ts'
            ? Type.Timestamp
            : storage === 'f64'
              ? Type.Float
              : storage === 'i32'
                ? Type.Int
                : Type.Bool;
    if (data.type.typeId !== expected) throw new Error(`column ${c.name} is ${String(data.type)}, not ${c.kind}`);
    columns.set(c.name, () =>
      storage === 'str' ? { kind: 'str', values: child.toArray() as (string | null)[] } : decodeColumn(data, storage, cache, `${cachePrefix}#${c.name}`),
    );
  });
  return new ColumnSet(spec, batch.numRows, columns);
}

/**
 * Columnar rows in memory: typed arrays for numbers, dictionary indices for ids. Writers
 * buffer into a `TableBuilder`; readers decode record batches into a `ColumnSet`; merges and
 * compaction work on index permutations, never on one JS object per row.
 */
import type { ColumnKind, TableSpec } from './schema';

/** `dict` holds the distinct strings, `index` one entry per row. `valid` is null when no row is null. */
export type Column =
  | { readonly kind: 'dict'; readonly dict: readonly string[]; readonly index: Int32Array }
  | { readonly kind: 'str'; readonly values: readonly (string | null)[] }
  | { readonly kind: 'f64'; readonly values: Float64Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'i32'; readonly values: Int32Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'bool'; readonly values: Uint8Array };

type Storage = Column['kind'];
export type DictColumn = Extract<Column, { kind: 'dict' }>;
export type F64Column = Extract<Column, { kind: 'f64' }>;
export type I32Column = Extract<Column, { kind: 'i32' }>;

/** How a column kind is held in memory: JSON as text, timestamps as float64 milliseconds. */
export function storageOf(kind: ColumnKind): Storage {
  if (kind === 'json') return 'str';
  if (kind === 'ts') return 'f64';
  return kind;
}

/** The rows of one table, column by column. */
export class ColumnSet {
  private readonly decoded = new Map<string, Column>();

  /** `columns` may hold thunks: a decoded fragment converts a column only when it is first used. */
  constructor(
    readonly spec: TableSpec,
    readonly rows: number,
    private readonly columns: ReadonlyMap<string, Column | (() => Column)>,
  ) {}

  column(name: string): Column {
    const done = this.decoded.get(name);
    if (done) return done;
    const c = this.columns.get(name);
    if (!c) throw new Error(`table ${this.spec.name} has no column ${name}`);
    const column = typeof c === 'function' ? c() : c;
    this.decoded.set(name, column);
    return column;
  }

  dict(name: string): DictColumn {
    return this.typed(name, 'dict');
  }

  f64(name: string): F64Column {
    return this.typed(name, 'f64');
  }

  i32(name: string): I32Column {
    return this.typed(name, 'i32');
  }

  private typed<K extends Storage>(name: string, kind: K): Extract<Column, { kind: K }> {
    const c = this.column(name);
    if (c.kind !== kind) throw new Error(`column ${this.spec.name}.${name} is ${c.kind}, not ${kind}`);
    return c as Extract<Column, { kind: K }>;
  }

  /** The value of one cell as a plain JS value (null for a null cell); for small tables and tests. */
  value(name: string, row: number): string | number | boolean | null {
    const c = this.column(name);
    switch (c.kind) {
      case 'dict':
        return c.dict[c.index[row] ?? -1] ?? null;
      case 'str':
        return c.values[row] ?? null;
      case 'bool':
        return c.values[row] === 1;
      default:
        return c.valid && c.valid[row] === 0 ? null : (c.values[row] ?? null);
    }
  }
}

/** Renumber a dictionary in string order, rewriting `index` in place. */
function sortedDict(dict: string[], index: Int32Array): Column {
  const byString = dict.map((_, i) => i).sort((a, b) => ((dict[a] ?? '') < (dict[b] ?? '') ? -1 : 1));
  const newId = new Int32Array(dict.length);
  byString.forEach((old, i) => (newId[old] = i));
  for (let i = 0; i < index.length; i++) index[i] = newId[index[i] ?? 0] ?? 0;
  return { kind: 'dict', dict: byString.map((old) => dict[old] ?? ''), index };
}

/** A growable typed array. */
class Grow<T extends Float64Array | Int32Array | Uint8Array> {
  length = 0;
  constructor(public data: T) {}

  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const next = new (this.data.constructor as new (n: number) => T)(Math.max(2 * this.data.length, this.length + extra));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  push(v: number): void {
    this.reserve(1);
    this.data[this.length++] = v;
  }

  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** Builds one column; numbers track nulls lazily (no validity array until the first null). */
class ColumnBuilder {
  private readonly dictIds = new Map<string, number>();
  private readonly strings: (string | null)[] = [];
  private readonly nums: Grow<Float64Array> | Grow<Int32Array> | Grow<Uint8Array>;
  private valid: Grow<Uint8Array> | null = null;

  constructor(readonly storage: Storage) {
    this.nums = storage === 'f64' ? new Grow(new Float64Array(64)) : storage === 'bool' ? new Grow(new Uint8Array(64)) : new Grow(new Int32Array(64));
  }

  /** Append `n` copies of one value. */
  pushRepeated(value: string | number | boolean | null, n: number): void {
    if (this.storage === 'str') {
      for (let i = 0; i < n; i++) this.strings.push(value as string | null);
      return;
    }
    const v = this.storage === 'dict' ? this.dictId(value as string) : value === null ? 0 : Number(value);
    this.markValidity(value !== null, n);
    this.nums.reserve(n);
    this.nums.data.fill(v, this.nums.length, this.nums.length + n);
    this.nums.length += n;
  }

  /** Append numbers; a null entry is a null row (NaN stays NaN). */
  pushNumbers(values: ArrayLike<number | null>): void {
    const typed = ArrayBuffer.isView(values);
    for (let i = 0; !typed && i < values.length; i++) {
      if (values[i] === null) {
        for (let j = 0; j < values.length; j++) this.pushRepeated(values[j] ?? null, 1);
        return;
      }
    }
    this.markValidity(true, values.length);
    this.nums.reserve(values.length);
    if (typed) this.nums.data.set(values as unknown as ArrayLike<number>, this.nums.length);
    else for (let i = 0; i < values.length; i++) this.nums.data[this.nums.length + i] = values[i] ?? 0;
    this.nums.length += values.length;
  }

  /** Append a whole decoded column of the same storage (dictionary indices are remapped). */
  appendColumn(c: Column): void {
    if (c.kind === 'str') {
      for (const v of c.values) this.strings.push(v);
      return;
    }
    const n = c.kind === 'dict' ? c.index.length : c.values.length;
    this.nums.reserve(n);
    if (c.kind === 'dict') {
      const map = Int32Array.from(c.dict, (s) => this.dictId(s));
      for (let i = 0; i < n; i++) this.nums.data[this.nums.length++] = map[c.index[i] ?? 0] ?? 0;
      return;
    }
    const valid = c.kind === 'bool' ? null : c.valid;
    if (valid) this.markValidity(false, 0);
    if (this.valid) {
      this.valid.reserve(n);
      if (valid) this.valid.data.set(valid, this.valid.length);
      else this.valid.data.fill(1, this.valid.length, this.valid.length + n);
      this.valid.length += n;
    }
    this.nums.data.set(c.values, this.nums.length);
    this.nums.length += n;
  }

  /** Reserve room for `n` more rows. */
  reserve(n: number): void {
    if (this.storage !== 'str') this.nums.reserve(n);
  }

  /** The column; `sortDictionary` renumbers dictionary entries in string order (so index order = id order). */
  build(sortDictionary = false): Column {
    const valid = this.valid ? this.valid.view() : null;
    switch (this.storage) {
      case 'dict':
        return sortDictionary
          ? sortedDict([...this.dictIds.keys()], this.nums.view() as Int32Array)
          : { kind: 'dict', dict: [...this.dictIds.keys()], index: this.nums.view() as Int32Array };
      case 'str':
        return { kind: 'str', values: this.strings };
      case 'f64':
        return { kind: 'f64', values: this.nums.view() as Float64Array, valid };
      case 'i32':
        return { kind: 'i32', values: this.nums.view() as Int32Array, valid };
      case 'bool':
        return { kind: 'bool', values: this.nums.view() as Uint8Array };
    }
  }

  private dictId(s: string): number {
    let id = this.dictIds.get(s);
    if (id === undefined) this.dictIds.set(s, (id = this.dictIds.size));
    return id;
  }

  /** Record `n` more rows as valid or null; `markValidity(false, 0)` only starts tracking. */
  private markValidity(isValid: boolean, n: number): void {
    if (isValid && !this.valid) return;
    if (!this.valid) {
      this.valid = new Grow(new Uint8Array(Math.max(64, this.nums.length + n)));
      this.valid.data.fill(1, 0, this.nums.length);
      this.valid.length = this.nums.length;
    }
    this.valid.reserve(n);
    this.valid.data.fill(isValid ? 1 : 0, this.valid.length, this.valid.length + n);
    this.valid.length += n;
  }
}

/** Buffers rows of one table. Values must already be validated against the table's record schema. */
export class TableBuilder {
  rows = 0;
  private readonly builders: Map<string, ColumnBuilder>;

  constructor(readonly spec: TableSpec) {
    this.builders = new Map(spec.columns.map((c) => [c.name, new ColumnBuilder(storageOf(c.kind))]));
  }

  /** Append one row; JSON columns take any value and store its JSON text. */
  appendRow(record: Readonly<Record<string, unknown>>): void {
    for (const c of this.spec.columns) {
      const raw = record[c.name];
      const value = c.kind === 'json' ? JSON.stringify(raw ?? {}) : raw === undefined ? null : raw;
      this.builder(c.name).pushRepeated(value as string | number | boolean | null, 1);
    }
    this.rows += 1;
  }

  /** Append `n` rows that share `fixed` values and take the number columns from `arrays`. */
  appendRows(n: number, fixed: Readonly<Record<string, string | number | null>>, arrays: Readonly<Record<string, ArrayLike<number | null>>>): void {
    for (const c of this.spec.columns) {
      const array = arrays[c.name];
      if (array) this.builder(c.name).pushNumbers(array);
      else this.builder(c.name).pushRepeated(fixed[c.name] ?? null, n);
    }
    this.rows += n;
  }

  /** Append every row of a decoded set of the same table. */
  appendSet(set: ColumnSet): void {
    for (const c of this.spec.columns) this.builder(c.name).appendColumn(set.column(c.name));
    this.rows += set.rows;
  }

  /** Reserve room for `n` more rows, so appending a known total never copies. */
  reserve(n: number): void {
    for (const b of this.builders.values()) b.reserve(n);
  }

  /** The rows; `sortDictionaries` renumbers every dictionary in string order. */
  build(sortDictionaries = false): ColumnSet {
    return new ColumnSet(this.spec, this.rows, new Map([...this.builders].map(([name, b]) => [name, b.build(sortDictionaries)])));
  }

  private builder(name: string): ColumnBuilder {
    const b = this.builders.get(name);
    if (!b) throw new Error(`table ${this.spec.name} has no column ${name}`);
    return b;
  }
}

/**
 * The Arrow layout of every store table: column types, the deduplication key and rule, and
 * the schema metadata each fragment file carries (`mselect.table`, `mselect.schema_version`).
 * Field names match the zod records of `contracts/schemas/store.ts`.
 */
import { Bool, Dictionary, Field, Float64, Int32, Schema, TimestampMillisecond, Utf8, type DataType } from 'apache-arrow';
import type { StoreTable } from '../contracts/schemas/store';

/**
 * Bumped whenever a column is added, removed or changes type. Version 2 added
 * `curves.peakMemoryBytes`. Fragments, manifests and stores of every version from
 * OLDEST_READABLE_SCHEMA_VERSION on are read (a column added later reads as null); this code
 * writes STORE_SCHEMA_VERSION, which older code refuses (SchemaVersionMismatch) rather than
 * drop a column it does not know when it compacts.
 */
export const STORE_SCHEMA_VERSION = 2;
export const OLDEST_READABLE_SCHEMA_VERSION = 1;

/** True when this code reads data of schema version `v`. */
export function readableSchemaVersion(v: number): boolean {
  return Number.isInteger(v) && v >= OLDEST_READABLE_SCHEMA_VERSION && v <= STORE_SCHEMA_VERSION;
}

/**
 * `dict`: dictionary-encoded utf8 (ids, names), never null. `str`: utf8. `json`: utf8 holding
 * JSON. `f64`/`i32`: numbers. `ts`: UTC milliseconds. `bool`: never null.
 */
export type ColumnKind = 'dict' | 'str' | 'json' | 'f64' | 'i32' | 'ts' | 'bool';

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  /** The schema version that added the column (nullable): fragments written before it read it as null. @default 1 */
  readonly since?: number;
}

/**
 * `key`: the columns that identify a row. `keep`: which of several rows with one key survives
 * ('first' for results, so re-running is idempotent; 'last' for records and caches, so an
 * upsert replaces). `order`: rows come back sorted by key, or in commit order.
 * `range`: the column whose min/max per batch lets a reader skip batches.
 */
export interface TableSpec {
  readonly name: StoreTable;
  readonly columns: readonly ColumnSpec[];
  readonly key: readonly string[];
  readonly keep: 'first' | 'last';
  readonly order: 'key' | 'commit';
  readonly range: string | null;
}

const col = (name: string, kind: ColumnKind, nullable = false, since?: number): ColumnSpec => ({
  name,
  kind,
  nullable,
  ...(since === undefined ? {} : { since }),
});

export const TABLES: Readonly<Record<StoreTable, TableSpec>> = {
  models: {
    name: 'models',
    columns: [
      col('id', 'dict'),
      col('family', 'str', true),
      col('size', 'f64', true),
      col('source', 'str', true),
      col('card', 'json'),
      col('addedAt', 'ts'),
      col('removedAt', 'ts', true),
    ],
    key: ['id'],
    keep: 'last',
    order: 'key',
    range: 'id',
  },
  datasets: {
    name: 'datasets',
    columns: [col('id', 'dict'), col('taskType', 'str'), col('metric', 'str'), col('direction', 'str'), col('size', 'f64', true)],
    key: ['id'],
    keep: 'last',
    order: 'key',
    range: null,
  },
  cells: {
    name: 'cells',
    columns: [
      col('model', 'dict'),
      col('dataset', 'dict'),
      col('settingsHash', 'dict'),
      col('metric', 'dict'),
      col('value', 'f64', true),
      col('epochs', 'i32'),
      col('trainer', 'dict'),
      col('backend', 'dict'),
      col('seed', 'i32', true),
      col('runId', 'str'),
      col('startedAt', 'ts', true),
      col('finishedAt', 'ts'),
    ],
    key: ['model', 'dataset', 'settingsHash'],
    keep: 'first',
    order: 'commit',
    range: 'model',
  },
  curves: {
    name: 'curves',
    columns: [
      col('model', 'dict'),
      col('dataset', 'dict'),
      col('settingsHash', 'dict'),
      col('metric', 'dict'),
      col('epoch', 'i32'),
      col('value', 'f64'),
      col('seconds', 'f64', true),
      col('peakMemoryBytes', 'f64', true, 2),
    ],
    key: ['model', 'dataset', 'settingsHash', 'metric', 'epoch'],
    keep: 'first',
    order: 'key',
    range: 'model',
  },
  clusterings: {
    name: 'clusterings',
    columns: [
      col('id', 'dict'),
      col('method', 'dict'),
      col('params', 'json'),
      col('model', 'dict'),
      col('cluster', 'i32'),
      col('representative', 'bool'),
      col('createdAt', 'ts'),
    ],
    key: ['id', 'model'],
    keep: 'first',
    order: 'commit',
    range: 'model',
  },
  proxyScores: {
    name: 'proxyScores',
    columns: [col('model', 'dict'), col('target', 'dict'), col('proxy', 'dict'), col('value', 'f64'), col('computedAt', 'ts')],
    key: ['model', 'target', 'proxy'],
    keep: 'last',
    order: 'key',
    range: 'model',
  },
};

/** The Arrow type of a column kind. Dictionaries use int32 indices and one dictionary per file. */
export function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case 'dict':
      return new Dictionary(new Utf8(), new Int32());
    case 'str':
    case 'json':
      return new Utf8();
    case 'f64':
      return new Float64();
    case 'i32':
      return new Int32();
    case 'ts':
      return new TimestampMillisecond('UTC');
    case 'bool':
      return new Bool();
    default:
      return assertUnreachable(kind);
  }
}

/** The Arrow schema of a table's fragment files, with the table name and schema version as metadata. */
export function arrowSchema(spec: TableSpec): Schema {
  const fields = spec.columns.map((c, i) => {
    const type = c.kind === 'dict' ? new Dictionary(new Utf8(), new Int32(), i) : arrowType(c.kind);
    return new Field(c.name, type, c.nullable);
  });
  return new Schema(
    fields,
    new Map([
      ['mselect.table', spec.name],
      ['mselect.schema_version', String(STORE_SCHEMA_VERSION)],
    ]),
  );
}

export function assertUnreachable(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}

/**
 * The matrix store's public surface: open a store, write versions, read snapshots as the
 * in-memory types of `algorithms/types.ts`, compact, prune and verify (CSV in and out: interop/table-csv.ts,
 * interop/anchor-csv.ts). Layout and guarantees: docs/matrix-store.md.
 */
export { openStore, openStoreOn, openStoreUrl, MatrixStore, type VersionInfo } from './store';
export { resolveStoreDir } from './layout';
export { Writer } from './writer';
export { Snapshot, type StoredModel, type StoredClustering, type DatasetColumn } from './snapshot';
export type { GridOptions } from './cell-grid';
export type { CurveSeries, ModelCurves, CurveFilter, EpochCost } from './curve-reads';
export type { CompactResult, CompactedTable, PruneResult } from './maintenance';
export { settingsHash } from './settings-hash';
export { STORE_SCHEMA_VERSION, TABLES, type ColumnSpec } from './schema';
export { StoreError, StoreCorruptError, SchemaVersionError, VersionNotFoundError, InvalidStoreInputError, CommitContentionError, toFailure } from './errors';

/**
 * The matrix store's public surface: open a store, write versions, read snapshots as the
 * in-memory types of `algorithms/types.ts`, compact, prune, verify, and move data in and out
 * as CSV. Layout and guarantees: docs/matrix-store.md.
 */
export { openStore, openStoreOn, openStoreUrl, MatrixStore, type VersionInfo } from './store';
export { resolveStoreDir } from './layout';
export { Writer } from './writer';
export { Snapshot, type StoredModel, type StoredClustering, type DatasetColumn } from './snapshot';
export type { GridOptions } from './cell-grid';
export type { CurveSeries, ModelCurves, CurveFilter, EpochCost } from './curve-reads';
export type { CompactResult, CompactedTable, PruneResult } from './maintenance';
export { settingsHash } from './settings-hash';
export { importAnchorCurves, exportAnchorCurves, type AnchorImportOptions } from './anchor-csv';
export { exportTableCsv, importTableCsv, parseCsv } from './table-csv';
export { STORE_SCHEMA_VERSION, TABLES } from './schema';
export {
  StoreError, StoreCorruptError, SchemaVersionError, VersionNotFoundError, InvalidStoreInputError, CommitContentionError, toFailure,
} from './errors';

/**
 * Bring your own hub: performance matrices and proxy scores in and out of the matrix store as
 * plain CSV/TSV (long or wide), JSON, Arrow IPC and Parquet (docs/bring-your-own-hub.md).
 */
export {
  parseImport,
  formatIssue,
  ImportFormatError,
  type ParsedImport,
  type ImportIssue,
  type ImportedCell,
  type ImportedDataset,
  type ImportedProxy,
} from './parse-import';
export { planImport, describePlan, conflictsOf, type ImportPlan, type StoreState } from './plan';
export { applyImport, openExistingStore, storeDirOf, storeState, InteropUsageError, IMPORTED_SETTINGS, type ApplyResult } from './store-io';
export { scaleOf, chanceLevel, datasetWarnings, commonScale, pointsPerUnit, type Scale } from './checks';
export { parseDelimited, delimiterOf, formatCsv, csvField } from './delimited';
export { exportMatrix, longCsv, wideCsv, proxiesCsv, cellsArrow, selectionCsv, selectionRows, type ExportedMatrix, type ExportedCell } from './export';
export { writeAnchorsFromStore, type AnchorsWritten } from './anchors';
export { arrowToCsv, isArrowFile } from './arrow-input';
export { parquetToCsv, isParquetFile, cellsParquet, wideParquet } from './parquet';
export { importAnchorCurves, exportAnchorCurves, type AnchorImportOptions } from './anchor-csv';
export { exportTableCsv, importTableCsv, parseCsv } from './table-csv';

/**
 * The in-memory forms of a dataset split, shared by the loader (datasets.ts) and the file
 * codecs (dataset-arrow.ts, dataset-csv.ts) without an import cycle between them.
 */

/** One split in memory: `x` is row-major [n, d], `y` holds class indices. */
export interface DatasetSplit {
  readonly x: Float32Array;
  /** Class indices (classification); zeros in a regression split. */
  readonly y: Int32Array;
  /** The real-valued targets of a regression split; absent in a classification split. */
  readonly target?: Float32Array;
  readonly n: number;
  readonly d: number;
}

/** Raw columns decoded from a file, before validation. */
export interface RawTable {
  readonly rows: number;
  readonly width: number;
  /** Row-major features, `rows * width` values. */
  readonly x: Float32Array;
  readonly labels: Float64Array;
}

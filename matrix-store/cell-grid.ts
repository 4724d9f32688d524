/**
 * The (dataset × model) grid of cells behind the performance matrix, a dataset's column and
 * the missing-cell list. One pass over the cells' typed columns in commit order: the first cell
 * of each (model, dataset) that passes the filters fills the grid. That is the deduplication rule
 * (a later cell with the same key is dropped), extended to cells of different settings: the
 * earliest committed one stands for the pair unless `settingsHash` picks another.
 */
import type { ColumnSet } from './columns';
import type { FragmentSource } from './fragment-source';

/** Which cells the grid shows. */
export interface GridOptions {
  /** Only cells reporting this metric name. */
  readonly metric?: string;
  /** Only cells trained with these settings. */
  readonly settingsHash?: string;
  /** Rows of the grid, in this order; default: registered and measured models, sorted, withdrawn ones left out. */
  readonly models?: readonly string[];
  /** Columns of the grid, in this order; default: registered and measured datasets, sorted. */
  readonly datasets?: readonly string[];
  /** Keep withdrawn models (`removedAt` set) in the default model list. @default false */
  readonly includeRemoved?: boolean;
}

/** `values[d * models.length + m]`; `present` marks cells that exist (a cell may exist with a null value). */
export interface CellGrid {
  readonly models: readonly string[];
  readonly datasets: readonly string[];
  readonly values: Float64Array;
  readonly present: Uint8Array;
  /** Settings hash and metric name of the cell that fills each slot ('' where none). */
  readonly settingsOf: (slot: number) => string;
  readonly metricOf: (slot: number) => string;
}

/** Ids registered in a table plus those that appear in the cells, sorted and unique. */
function defaultIds(registered: readonly string[], sets: readonly ColumnSet[], column: string, drop: ReadonlySet<string>): string[] {
  const ids = new Set(registered);
  for (const s of sets) for (const id of s.dict(column).dict) ids.add(id);
  return [...ids].filter((id) => !drop.has(id)).sort();
}

/** Local dictionary ids → grid positions (-1 = not in the grid / filtered out). */
function mapDict(dict: readonly string[], positions: ReadonlyMap<string, number>): Int32Array {
  return Int32Array.from(dict, (s) => positions.get(s) ?? -1);
}

function intern(table: Map<string, number>, names: string[], dict: readonly string[]): Int32Array {
  return Int32Array.from(dict, (s) => {
    let id = table.get(s);
    if (id === undefined) table.set(s, (id = names.push(s) - 1));
    return id;
  });
}

/** The registered model/dataset ids the default grid starts from. */
export interface Registry {
  readonly models: readonly string[];
  readonly removedModels: ReadonlySet<string>;
  readonly datasets: readonly string[];
}

/** Build the grid. Reads the whole cells table (cached by the source). Throws StoreCorrupt under 'throw'. */
export async function cellGrid(source: FragmentSource, registry: Registry, options: GridOptions): Promise<CellGrid> {
  const sets = await source.sets('cells');
  const drop = options.includeRemoved ? new Set<string>() : registry.removedModels;
  const models = options.models ? [...options.models] : defaultIds(registry.models, sets, 'model', drop);
  const datasets = options.datasets ? [...options.datasets] : defaultIds(registry.datasets, sets, 'dataset', new Set());
  const modelPos = new Map(models.map((m, i) => [m, i]));
  const datasetPos = new Map(datasets.map((d, i) => [d, i]));
  const n = models.length * datasets.length;
  const values = new Float64Array(n).fill(Number.NaN);
  const present = new Uint8Array(n);
  const chosenSettings = new Int32Array(n).fill(-1);
  const chosenMetric = new Int32Array(n).fill(-1);
  const settingsNames: string[] = [];
  const metricNames: string[] = [];
  const settingsIds = new Map<string, number>();
  const metricIds = new Map<string, number>();
  for (const s of sets) {
    const model = s.dict('model');
    const dataset = s.dict('dataset');
    const settings = s.dict('settingsHash');
    const metric = s.dict('metric');
    const value = s.f64('value');
    const mPos = mapDict(model.dict, modelPos);
    const dPos = mapDict(dataset.dict, datasetPos);
    const sId = intern(settingsIds, settingsNames, settings.dict);
    const kId = intern(metricIds, metricNames, metric.dict);
    const sOk = Uint8Array.from(settings.dict, (x) => (options.settingsHash === undefined || x === options.settingsHash ? 1 : 0));
    const kOk = Uint8Array.from(metric.dict, (x) => (options.metric === undefined || x === options.metric ? 1 : 0));
    for (let i = 0; i < s.rows; i++) {
      const m = mPos[model.index[i] ?? 0] ?? -1;
      const d = dPos[dataset.index[i] ?? 0] ?? -1;
      if (m < 0 || d < 0 || !sOk[settings.index[i] ?? 0] || !kOk[metric.index[i] ?? 0]) continue;
      const slot = d * models.length + m;
      if (present[slot]) continue;
      present[slot] = 1;
      values[slot] = value.valid && !value.valid[i] ? Number.NaN : (value.values[i] ?? Number.NaN);
      chosenSettings[slot] = sId[settings.index[i] ?? 0] ?? -1;
      chosenMetric[slot] = kId[metric.index[i] ?? 0] ?? -1;
    }
  }
  return {
    models,
    datasets,
    values,
    present,
    settingsOf: (slot) => settingsNames[chosenSettings[slot] ?? -1] ?? '',
    metricOf: (slot) => metricNames[chosenMetric[slot] ?? -1] ?? '',
  };
}

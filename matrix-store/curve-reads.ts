/**
 * Reading learning curves batch by batch. `curvesOf` reads only the batches whose model range
 * holds the model (after compaction: one or two batches) and returns typed arrays; `runSets`
 * streams every batch once and keeps only the points of the runs it was asked for.
 */
import type { RunRecord } from '../algorithms/types';
import type { CellGrid } from './cell-grid';
import type { ColumnSet } from './columns';
import type { FragmentSource } from './fragment-source';

/** One curve: `values[k]` after epoch `epochs[k]`, ascending; `seconds[k]` NaN where not recorded. */
export interface CurveSeries {
  readonly dataset: string;
  readonly settingsHash: string;
  readonly metric: string;
  readonly epochs: Int32Array;
  readonly values: Float64Array;
  readonly seconds: Float64Array;
}

export interface ModelCurves {
  readonly model: string;
  /** Sorted by dataset, settings hash, metric. */
  readonly curves: readonly CurveSeries[];
}

/** Filters for `curvesOf`; each absent filter matches everything. */
export interface CurveFilter {
  readonly dataset?: string;
  readonly settingsHash?: string;
  readonly metric?: string;
}

interface Point {
  readonly epoch: number;
  readonly value: number;
  readonly seconds: number;
}

/** Append batch rows of `model` that pass `filter` to `groups`, first point per (group, epoch) winning. */
function collect(set: ColumnSet, model: string, filter: CurveFilter, groups: Map<string, Map<number, Point>>): void {
  const m = set.dict('model');
  const target = m.dict.indexOf(model);
  if (target < 0) return;
  const [dataset, settings, metric] = [set.dict('dataset'), set.dict('settingsHash'), set.dict('metric')];
  const epoch = set.i32('epoch').values;
  const value = set.f64('value').values;
  const seconds = set.f64('seconds');
  for (let i = 0; i < set.rows; i++) {
    if (m.index[i] !== target) continue;
    const d = dataset.dict[dataset.index[i] ?? 0] ?? '';
    const s = settings.dict[settings.index[i] ?? 0] ?? '';
    const k = metric.dict[metric.index[i] ?? 0] ?? '';
    if (
      (filter.dataset !== undefined && d !== filter.dataset) ||
      (filter.settingsHash !== undefined && s !== filter.settingsHash) ||
      (filter.metric !== undefined && k !== filter.metric)
    )
      continue;
    const key = `${d}\u0000${s}\u0000${k}`;
    let points = groups.get(key);
    if (!points) groups.set(key, (points = new Map()));
    const e = epoch[i] ?? 0;
    if (points.has(e)) continue;
    const secs = seconds.valid && !seconds.valid[i] ? Number.NaN : (seconds.values[i] ?? Number.NaN);
    points.set(e, { epoch: e, value: value[i] ?? Number.NaN, seconds: secs });
  }
}

/** Every curve of one model, reading only batches whose model range holds it. */
export async function curvesOf(source: FragmentSource, model: string, filter: CurveFilter): Promise<ModelCurves> {
  const groups = new Map<string, Map<number, Point>>();
  const holds = (b: { min: string | null; max: string | null; keys: string[] | null }): boolean =>
    b.keys ? b.keys.includes(model) : b.min === null || b.max === null || (b.min <= model && model <= b.max);
  for await (const set of source.scan('curves', holds)) collect(set, model, filter, groups);
  const curves = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, points]) => {
      const [dataset = '', settingsHash = '', metric = ''] = key.split('\u0000');
      const sorted = [...points.values()].sort((a, b) => a.epoch - b.epoch);
      return {
        dataset,
        settingsHash,
        metric,
        epochs: Int32Array.from(sorted, (p) => p.epoch),
        values: Float64Array.from(sorted, (p) => p.value),
        seconds: Float64Array.from(sorted, (p) => p.seconds),
      };
    });
  return { model, curves };
}

/**
 * The runs of every present grid slot: validation curve = points with the slot's settings hash
 * and metric, in epoch order; test = the cell's value (null where the cell has none).
 */
export async function runsOf(source: FragmentSource, grid: CellGrid): Promise<RunRecord[]> {
  const nM = grid.models.length;
  const modelPos = new Map(grid.models.map((m, i) => [m, i]));
  const datasetPos = new Map(grid.datasets.map((d, i) => [d, i]));
  const points = new Map<number, Map<number, number>>();
  for await (const set of source.scan('curves', () => true)) {
    const [model, dataset, settings, metric] = [set.dict('model'), set.dict('dataset'), set.dict('settingsHash'), set.dict('metric')];
    const mPos = Int32Array.from(model.dict, (s) => modelPos.get(s) ?? -1);
    const dPos = Int32Array.from(dataset.dict, (s) => datasetPos.get(s) ?? -1);
    const epoch = set.i32('epoch').values;
    const value = set.f64('value').values;
    for (let i = 0; i < set.rows; i++) {
      const m = mPos[model.index[i] ?? 0] ?? -1;
      const d = dPos[dataset.index[i] ?? 0] ?? -1;
      const slot = d * nM + m;
      if (m < 0 || d < 0 || !grid.present[slot]) continue;
      if (settings.dict[settings.index[i] ?? 0] !== grid.settingsOf(slot) || metric.dict[metric.index[i] ?? 0] !== grid.metricOf(slot)) continue;
      let run = points.get(slot);
      if (!run) points.set(slot, (run = new Map()));
      const e = epoch[i] ?? 0;
      if (!run.has(e)) run.set(e, value[i] ?? Number.NaN);
    }
  }
  const runs: RunRecord[] = [];
  grid.models.forEach((model, m) =>
    grid.datasets.forEach((dataset, d) => {
      const slot = d * nM + m;
      if (!grid.present[slot]) return;
      const val = [...(points.get(slot) ?? new Map<number, number>()).entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
      const test = grid.values[slot] ?? Number.NaN;
      runs.push({ model, dataset, val, test: Number.isNaN(test) ? null : test });
    }),
  );
  return runs;
}

/** The recorded cost of one model's epochs: mean wall seconds and the highest peak memory (null: none recorded). */
export interface EpochCost {
  /** Mean wall seconds of the epochs that recorded seconds. */
  readonly meanSeconds: number;
  /** Epochs the mean is over. */
  readonly epochs: number;
  readonly peakMemoryBytes: number | null;
}

/**
 * The recorded epoch cost of every model of the grid over its present cells (the points with
 * each slot's settings hash and metric); a model none of whose epochs recorded seconds is left
 * out. Streams every curve batch once.
 */
export async function epochCostsOf(source: FragmentSource, grid: CellGrid): Promise<Map<string, EpochCost>> {
  const nM = grid.models.length;
  const modelPos = new Map(grid.models.map((m, i) => [m, i]));
  const datasetPos = new Map(grid.datasets.map((d, i) => [d, i]));
  const seconds = new Float64Array(nM);
  const counts = new Float64Array(nM);
  const peaks = new Float64Array(nM).fill(Number.NaN);
  for await (const set of source.scan('curves', () => true)) {
    const [model, dataset, settings, metric] = [set.dict('model'), set.dict('dataset'), set.dict('settingsHash'), set.dict('metric')];
    const mPos = Int32Array.from(model.dict, (x) => modelPos.get(x) ?? -1);
    const dPos = Int32Array.from(dataset.dict, (x) => datasetPos.get(x) ?? -1);
    const secs = set.f64('seconds');
    const peak = set.f64('peakMemoryBytes');
    for (let i = 0; i < set.rows; i++) {
      const m = mPos[model.index[i] ?? 0] ?? -1;
      const d = dPos[dataset.index[i] ?? 0] ?? -1;
      const slot = d * nM + m;
      if (m < 0 || d < 0 || !grid.present[slot]) continue;
      if (settings.dict[settings.index[i] ?? 0] !== grid.settingsOf(slot) || metric.dict[metric.index[i] ?? 0] !== grid.metricOf(slot)) continue;
      const s = secs.valid && !secs.valid[i] ? Number.NaN : (secs.values[i] ?? Number.NaN);
      if (Number.isFinite(s)) {
        seconds[m] = (seconds[m] ?? 0) + s;
        counts[m] = (counts[m] ?? 0) + 1;
      }
      const p = peak.valid && !peak.valid[i] ? Number.NaN : (peak.values[i] ?? Number.NaN);
      if (Number.isFinite(p) && !(p <= (peaks[m] ?? Number.NaN))) peaks[m] = p;
    }
  }
  const out = new Map<string, EpochCost>();
  grid.models.forEach((model, m) => {
    const n = counts[m] ?? 0;
    const p = peaks[m] ?? Number.NaN;
    if (n > 0) out.set(model, { meanSeconds: (seconds[m] ?? 0) / n, epochs: n, peakMemoryBytes: Number.isFinite(p) ? p : null });
  });
  return out;
}

/**
 * The store's matrix and a selection's result out, for notebooks: long CSV (the format
 * `mselect import` reads, so export → import round-trips), wide CSV, JSON and Arrow IPC.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import type { Snapshot } from '../matrix-store';
import type { SelectModelResult } from '../contracts/schemas';
import type { Direction } from '../algorithms/types';
import { formatCsv } from './delimited';
import { pairKey } from './plan';

export interface ExportedCell {
  readonly model: string;
  readonly dataset: string;
  readonly metric: string;
  readonly direction: Direction;
  readonly value: number | null;
  /** Validation value per epoch (empty without a curve). */
  readonly curve: readonly number[];
}

export interface ExportedMatrix {
  readonly version: number;
  readonly cells: readonly ExportedCell[];
  readonly proxies: readonly { readonly model: string; readonly dataset: string; readonly proxy: string; readonly value: number }[];
}

/** Every cell standing for its (model, dataset) pair, with its curve, and every proxy score; sorted by dataset then model. Throws StoreCorrupt. */
export async function exportMatrix(snap: Snapshot): Promise<ExportedMatrix> {
  const [cells, datasets, runs, proxies] = await Promise.all([snap.rows('cells'), snap.datasets(), snap.runSet(), snap.rows('proxyScores')]);
  const dir = new Map(datasets.map((d) => [d.id, d.direction]));
  const curves = new Map(runs.runs.map((r) => [pairKey(r.model, r.dataset), r.val]));
  const seen = new Set<string>();
  const out: ExportedCell[] = [];
  for (const c of cells) {
    const model = String(c.model);
    const dataset = String(c.dataset);
    const k = pairKey(model, dataset);
    if (seen.has(k)) continue;
    seen.add(k);
    const value = typeof c.value === 'number' && Number.isFinite(c.value) ? c.value : null;
    out.push({ model, dataset, metric: String(c.metric), direction: dir.get(dataset) ?? 'maximize', value, curve: [...(curves.get(k) ?? [])] });
  }
  out.sort((a, b) => (a.dataset === b.dataset ? (a.model < b.model ? -1 : 1) : a.dataset < b.dataset ? -1 : 1));
  const p = proxies.map((r) => ({ model: String(r.model), dataset: String(r.target), proxy: String(r.proxy), value: Number(r.value) }));
  return { version: snap.version, cells: out, proxies: p };
}

const num = (v: number | null): string => (v === null ? '' : String(v));

/** Long CSV: `model,dataset,metric,direction,value,ep1..epN` (empty = missing). */
export function longCsv(m: ExportedMatrix): string {
  const epochs = m.cells.reduce((n, c) => Math.max(n, c.curve.length), 0);
  const head = ['model', 'dataset', 'metric', 'direction', 'value', ...Array.from({ length: epochs }, (_, k) => `ep${k + 1}`)];
  return formatCsv([
    head,
    ...m.cells.map((c) => [c.model, c.dataset, c.metric, c.direction, num(c.value), ...Array.from({ length: epochs }, (_, k) => num(c.curve[k] ?? null))]),
  ]);
}

/** Wide CSV: `model` then one column per dataset (empty = never run or no value). */
export function wideCsv(m: ExportedMatrix): string {
  const datasets = [...new Set(m.cells.map((c) => c.dataset))].sort();
  const models = [...new Set(m.cells.map((c) => c.model))].sort();
  const at = new Map(m.cells.map((c) => [pairKey(c.model, c.dataset), c.value]));
  return formatCsv([['model', ...datasets], ...models.map((model) => [model, ...datasets.map((d) => num(at.get(pairKey(model, d)) ?? null))])]);
}

/** Proxy scores as the CSV `mselect import` reads: `model,dataset,proxy,value`. */
export function proxiesCsv(m: ExportedMatrix): string {
  return formatCsv([['model', 'dataset', 'proxy', 'value'], ...m.proxies.map((p) => [p.model, p.dataset, p.proxy, String(p.value)])]);
}

/** Arrow IPC file of the long cells (curve as epoch columns ep1..epN, null = missing). */
export function cellsArrow(m: ExportedMatrix): Uint8Array {
  const epochs = m.cells.reduce((n, c) => Math.max(n, c.curve.length), 0);
  const cols: Record<string, unknown[]> = {
    model: m.cells.map((c) => c.model),
    dataset: m.cells.map((c) => c.dataset),
    metric: m.cells.map((c) => c.metric),
    direction: m.cells.map((c) => c.direction),
  };
  const numbers: Record<string, Float64Array> = { value: Float64Array.from(m.cells, (c) => c.value ?? Number.NaN) };
  for (let k = 0; k < epochs; k++) numbers[`ep${k + 1}`] = Float64Array.from(m.cells, (c) => c.curve[k] ?? Number.NaN);
  return tableToIPC(tableFromArrays({ ...(cols as Record<string, string[]>), ...numbers }), 'file');
}

/** One row per candidate of a finished selection: its epochs, last validation value, recall score and fate. */
export function selectionRows(r: SelectModelResult): {
  model: string;
  epochs: number;
  lastValidation: number | null;
  recallScore: number | null;
  outcome: string;
  round: number | null;
  reason: string | null;
}[] {
  const fate = new Map(r.eliminations.map((e) => [e.model, e]));
  return r.candidates.map((model) => {
    const curve = r.curves[model] ?? [];
    const e = fate.get(model);
    return {
      model,
      epochs: curve.length,
      lastValidation: curve.at(-1) ?? null,
      recallScore: r.recallScores[model] ?? null,
      outcome: model === r.pick ? 'pick' : e ? 'eliminated' : 'survivor',
      round: e?.round ?? null,
      reason: e ? String(e.reason) : null,
    };
  });
}

export function selectionCsv(r: SelectModelResult): string {
  const rows = selectionRows(r);
  return formatCsv([
    ['target', 'model', 'epochs', 'last_validation', 'recall_score', 'outcome', 'round', 'reason'],
    ...rows.map((x) => [
      r.target,
      x.model,
      String(x.epochs),
      num(x.lastValidation),
      num(x.recallScore),
      x.outcome,
      x.round === null ? '' : String(x.round),
      x.reason ?? '',
    ]),
  ]);
}

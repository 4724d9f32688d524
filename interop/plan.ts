/**
 * What an import would change in a store, computed before anything is written: new cells,
 * changed values (conflicts unless the import supersedes them), new models and datasets, proxy
 * scores, duplicates in the file, and the plausibility warnings of `checks.ts`. Pure: the store's
 * current state comes in as plain records.
 */
import type { Direction } from '../algorithms/types';
import { commonScale, datasetWarnings } from './checks';
import type { ImportedCell, ImportedDataset, ImportedProxy, ParsedImport } from './parse-import';

/** The store's current content that an import is compared with. */
export interface StoreState {
  readonly version: number;
  readonly models: ReadonlySet<string>;
  readonly datasets: ReadonlyMap<string, { readonly metric: string; readonly direction: Direction }>;
  /** The cell that stands for each pair (the first committed one): `model\0dataset` → value (null = no value). */
  readonly cells: ReadonlyMap<string, number | null>;
  /** `model\0target\0proxy` → value. */
  readonly proxies: ReadonlyMap<string, number>;
}

export interface ValueChange {
  readonly what: string;
  readonly line: number;
  readonly stored: number | null;
  readonly imported: number | null;
}

export interface ImportPlan {
  readonly file: string;
  readonly shape: ParsedImport['shape'];
  readonly baseVersion: number;
  readonly newCells: readonly ImportedCell[];
  readonly changedCells: readonly (ImportedCell & { readonly stored: number | null })[];
  readonly unchangedCells: number;
  readonly curves: number;
  readonly newModels: readonly string[];
  readonly newDatasets: readonly ImportedDataset[];
  /** Every dataset the file names, with its metric. */
  readonly datasets: readonly ImportedDataset[];
  /** Datasets already stored with another metric or direction. */
  readonly datasetConflicts: readonly string[];
  readonly newProxies: readonly ImportedProxy[];
  readonly changedProxies: readonly (ImportedProxy & { readonly stored: number })[];
  readonly unchangedProxies: number;
  readonly duplicates: ParsedImport['duplicates'];
  readonly warnings: readonly string[];
}

export const pairKey = (model: string, dataset: string): string => `${model}\u0000${dataset}`;
export const proxyKey = (model: string, target: string, proxy: string): string => `${model}\u0000${target}\u0000${proxy}`;

const same = (a: number | null, b: number | null): boolean =>
  a === null || Number.isNaN(a) ? b === null || Number.isNaN(b) : b !== null && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));

/** Later rows repeating a key with the same content are dropped; the first row stands. */
function firstOf<T extends { line: number }>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Compare a parsed file with the store (module comment). */
export function planImport(parsed: ParsedImport, state: StoreState): ImportPlan {
  const cells = firstOf(parsed.cells, (c) => pairKey(c.model, c.dataset));
  const proxies = firstOf(parsed.proxies, (p) => proxyKey(p.model, p.target, p.proxy));
  const newCells: ImportedCell[] = [];
  const changedCells: (ImportedCell & { stored: number | null })[] = [];
  for (const c of cells) {
    const k = pairKey(c.model, c.dataset);
    if (!state.cells.has(k)) newCells.push(c);
    else if (!same(state.cells.get(k) ?? null, c.value)) changedCells.push({ ...c, stored: state.cells.get(k) ?? null });
  }
  const newProxies: ImportedProxy[] = [];
  const changedProxies: (ImportedProxy & { stored: number })[] = [];
  for (const p of proxies) {
    const stored = state.proxies.get(proxyKey(p.model, p.target, p.proxy));
    if (stored === undefined) newProxies.push(p);
    else if (!same(stored, p.value)) changedProxies.push({ ...p, stored });
  }
  const models = [...new Set([...cells.map((c) => c.model), ...proxies.map((p) => p.model)])];
  const datasetConflicts = parsed.datasets.flatMap((d) => {
    const s = state.datasets.get(d.id);
    return s && (s.metric !== d.metric || s.direction !== d.direction)
      ? [`${d.id}: stored as ${s.metric} (${s.direction}), the file says ${d.metric} (${d.direction})`]
      : [];
  });
  // Warnings look at each dataset as it will be after the import: stored cells of other models plus the file's.
  const byDataset = new Map<string, Map<string, number>>();
  for (const [k, v] of state.cells) {
    const [model = '', dataset = ''] = k.split('\u0000');
    if (v !== null) (byDataset.get(dataset) ?? byDataset.set(dataset, new Map()).get(dataset))?.set(model, v);
  }
  for (const c of cells) if (c.value !== null) (byDataset.get(c.dataset) ?? byDataset.set(c.dataset, new Map()).get(c.dataset))?.set(c.model, c.value);
  const scale = commonScale([...byDataset.values()].map((m) => [...m.values()]));
  const columns = [...byDataset].filter(([d]) => parsed.datasets.some((x) => x.id === d)).map(([d, m]) => [d, [...m.values()]] as const);
  const warnings = columns.flatMap(([d, v]) => datasetWarnings(d, v, { scale }));
  const conflictingDupes = parsed.duplicates.filter((d) => !d.same);
  if (conflictingDupes.length)
    warnings.push(`${conflictingDupes.length} row(s) repeat an earlier key with another value; the import is refused until the file says which one holds`);
  return {
    file: parsed.file,
    shape: parsed.shape,
    baseVersion: state.version,
    newCells,
    changedCells,
    unchangedCells: cells.length - newCells.length - changedCells.length,
    curves: cells.filter((c) => c.curve.length > 0).length,
    newModels: models.filter((m) => !state.models.has(m)).sort(),
    newDatasets: parsed.datasets.filter((d) => !state.datasets.has(d.id)),
    datasets: parsed.datasets,
    datasetConflicts,
    newProxies,
    changedProxies,
    unchangedProxies: proxies.length - newProxies.length - changedProxies.length,
    duplicates: parsed.duplicates,
    warnings,
  };
}

/** Every value the import would change, for the refusal message and `--dry-run`. */
export function conflictsOf(plan: ImportPlan): ValueChange[] {
  return [
    ...plan.changedCells.map((c) => ({ what: `${c.model} on ${c.dataset}`, line: c.line, stored: c.stored, imported: c.value })),
    ...plan.changedProxies.map((p) => ({ what: `${p.proxy} of ${p.model} on ${p.target}`, line: p.line, stored: p.stored, imported: p.value })),
  ];
}

const v = (x: number | null): string => (x === null || Number.isNaN(x) ? 'empty' : String(x));
const list = (items: readonly string[], max = 8): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … (${items.length - max} more)`;

/** The plan as the lines `mselect import --dry-run` prints. */
export function describePlan(plan: ImportPlan): string[] {
  const conflicts = conflictsOf(plan);
  const lines = [
    `${plan.file}: ${plan.shape === 'proxies' ? 'proxy scores' : `${plan.shape} performance matrix`}, compared with store version ${plan.baseVersion}`,
  ];
  if (plan.shape !== 'proxies') {
    lines.push(
      `  cells: ${plan.newCells.length} new, ${plan.changedCells.length} changed, ${plan.unchangedCells} unchanged; ${plan.curves} with per-epoch curves`,
    );
    lines.push(
      `  datasets: ${plan.newDatasets.length} new${plan.newDatasets.length ? ` (${list(plan.newDatasets.map((d) => `${d.id} ${d.metric}${d.direction === 'minimize' ? ' ↓' : ''}`))})` : ''}`,
    );
  } else {
    lines.push(
      `  proxy scores: ${plan.newProxies.length} new, ${plan.changedProxies.length} changed, ${plan.unchangedProxies} unchanged; proxies ${list([...new Set([...plan.newProxies, ...plan.changedProxies].map((p) => p.proxy))])}`,
    );
  }
  lines.push(`  models: ${plan.newModels.length} new${plan.newModels.length ? ` (${list(plan.newModels)})` : ''}`);
  for (const c of conflicts.slice(0, 20)) lines.push(`  changed: ${c.what} (line ${c.line}): stored ${v(c.stored)}, file ${v(c.imported)}`);
  if (conflicts.length > 20) lines.push(`  … ${conflicts.length - 20} more changed values`);
  for (const d of plan.datasetConflicts) lines.push(`  dataset conflict: ${d}`);
  for (const d of plan.duplicates.slice(0, 10))
    lines.push(`  duplicate: line ${d.line} repeats ${d.key} of line ${d.first}${d.same ? ' (same values; ignored)' : ' with other values'}`);
  for (const w of plan.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

/**
 * The store side of import and export: open a store the user named (never a silent empty one),
 * read the state an import is planned against, and write a plan as one new version.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore, type MatrixStore, type Snapshot } from '../matrix-store';
import { conflictsOf, pairKey, proxyKey, type ImportPlan, type StoreState } from './plan';

/** Thrown for a user mistake the CLI reports as is (exit code 2): a missing store, an unknown target, a refused import. */
export class InteropUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InteropUsageError';
  }
}

/** The store directory from `--store`, else MSELECT_STORE; neither → a clear error (no default store is guessed). */
export function storeDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const dir = flag ?? env.MSELECT_STORE;
  if (dir === undefined || dir === '') throw new InteropUsageError('no matrix store named: pass --store <dir> (or set MSELECT_STORE)');
  return resolve(dir);
}

/** Open an existing store; a directory that is not one is an error naming it, never a new empty store. */
export function openExistingStore(dir: string): MatrixStore {
  if (!existsSync(join(dir, 'mselect-store.json'))) {
    throw new InteropUsageError(`no matrix store at ${dir}: create one with \`mselect import --store ${dir} <file.csv>\``);
  }
  return openStore({ dir, create: false });
}

/** The state `planImport` compares a file with. Throws StoreCorrupt. */
export async function storeState(snap: Snapshot): Promise<StoreState> {
  const [models, datasets, cells, proxies] = await Promise.all([snap.models(), snap.datasets(), snap.rows('cells'), snap.rows('proxyScores')]);
  const cellMap = new Map<string, number | null>();
  for (const c of cells) {
    const k = pairKey(String(c.model), String(c.dataset));
    if (!cellMap.has(k)) cellMap.set(k, typeof c.value === 'number' && Number.isFinite(c.value) ? c.value : null);
  }
  return {
    version: snap.version,
    models: new Set([...models.map((m) => m.id), ...cells.map((c) => String(c.model))]),
    datasets: new Map(datasets.map((d) => [d.id, { metric: d.metric, direction: d.direction }])),
    cells: cellMap,
    proxies: new Map(proxies.map((p) => [proxyKey(String(p.model), String(p.target), String(p.proxy)), Number(p.value)])),
  };
}

/** Settings hash of every imported cell: imported results are not tied to mselect's training settings. */
export const IMPORTED_SETTINGS = 'imported';

export interface ApplyResult {
  readonly version: number;
  readonly cells: number;
  readonly replaced: number;
  readonly proxies: number;
}

/**
 * Write `plan` as one new store version. Changed values are refused (InteropUsageError listing
 * each, with its line) unless `replace`, which supersedes the stored cells of those pairs in the
 * new version (older versions keep them). A file that repeats a key with other values is refused.
 */
export async function applyImport(store: MatrixStore, plan: ImportPlan, o: { replace?: boolean; taskType?: string } = {}): Promise<ApplyResult> {
  const conflicting = plan.duplicates.filter((d) => !d.same);
  if (conflicting.length)
    throw new InteropUsageError(
      `${plan.file}: refused: ${conflicting.map((d) => `line ${d.line} repeats ${d.key} of line ${d.first} with another value`).join('; ')}`,
    );
  const conflicts = conflictsOf(plan);
  if (plan.datasetConflicts.length) throw new InteropUsageError(`${plan.file}: refused: ${plan.datasetConflicts.join('; ')}`);
  if (conflicts.length && !o.replace) {
    const shown = conflicts.slice(0, 20).map((c) => `  ${c.what} (line ${c.line}): stored ${c.stored ?? 'empty'}, file ${c.imported ?? 'empty'}`);
    throw new InteropUsageError(
      [
        `${plan.file}: refused: ${conflicts.length} value(s) differ from store version ${plan.baseVersion}; pass --replace to supersede them with a new version, or fix the file:`,
        ...shown,
        ...(conflicts.length > 20 ? [`  … ${conflicts.length - 20} more`] : []),
      ].join('\n'),
    );
  }
  const cells = [...plan.newCells, ...(o.replace ? plan.changedCells : [])];
  const proxies = [...plan.newProxies, ...(o.replace ? plan.changedProxies : [])];
  if (cells.length === 0 && proxies.length === 0 && plan.newModels.length === 0 && plan.newDatasets.length === 0) {
    throw new InteropUsageError(`${plan.file}: nothing to import: every value is already in store version ${plan.baseVersion}`);
  }
  const w = store.beginWrite();
  try {
    if (plan.newModels.length) await w.upsertModels(plan.newModels.map((id) => ({ id, source: plan.file })));
    if (plan.newDatasets.length)
      await w.upsertDatasets(plan.newDatasets.map((d) => ({ id: d.id, taskType: o.taskType ?? 'imported', metric: d.metric, direction: d.direction })));
    if (o.replace && plan.changedCells.length) w.supersede(plan.changedCells);
    const metricOf = new Map(plan.datasets.map((d) => [d.id, d.metric]));
    const metric = (dataset: string): string => metricOf.get(dataset) ?? 'accuracy';
    if (cells.length) {
      await w.appendCells(
        cells.map((c) => ({
          model: c.model,
          dataset: c.dataset,
          settingsHash: IMPORTED_SETTINGS,
          metric: metric(c.dataset),
          value: c.value,
          epochs: c.curve.length,
          trainer: 'imported',
          backend: 'imported',
          runId: `${plan.file}:${c.line}`,
          startedAt: null,
        })),
      );
      const curves = cells.filter((c) => c.curve.length > 0);
      if (curves.length) {
        await w.appendCurves(
          curves.map((c) => ({
            model: c.model,
            dataset: c.dataset,
            settingsHash: IMPORTED_SETTINGS,
            metric: metric(c.dataset),
            values: [...c.curve],
            ...(typeof c.secondsPerEpoch === 'number' ? { seconds: c.curve.map(() => c.secondsPerEpoch as number) } : {}),
          })),
        );
      }
    }
    if (proxies.length) await w.putProxyScores(proxies.map((p) => ({ model: p.model, target: p.target, proxy: p.proxy, value: p.value })));
    const replaced = o.replace ? plan.changedCells.length + plan.changedProxies.length : 0;
    const version = await w.commit(
      `import ${plan.file}: ${cells.length - (o.replace ? plan.changedCells.length : 0)} new cells, ${proxies.length} proxy scores${replaced ? `, ${replaced} values superseded` : ''}`,
    );
    return { version, cells: cells.length, replaced, proxies: proxies.length };
  } catch (e) {
    await w.abort();
    throw e;
  }
}

import type { Clustering } from '../algorithms/types';
import { clusterPaper } from '../algorithms/cluster-paper';
import { clusterKMeans } from '../algorithms/kmeans';
import { placeInNearestCluster } from '../algorithms/cluster-place';
import { ErrorType, nonRetryable } from '../contracts/errors';
import type {
  CellResult,
  ClusterModelsInput,
  ClusterModelsOutput,
  ClusterSpec,
  PlanMatrixInput,
  PlanMatrixOutput,
  RecordCellsInput,
} from '../contracts/schemas';
import { settingsHash, toFailure, type MatrixStore } from '../matrix-store';
import type { Catalog } from './catalog';

export interface MatrixDeps {
  readonly store: MatrixStore;
  /** Catalog per trainer name. */
  readonly catalogs: Readonly<Record<string, Catalog>>;
}

/** The settings that, with (model, dataset), identify an offline cell. */
export function cellSettings(epochs: number, trainer: string, seed: number): string {
  return settingsHash({ epochs, trainer, seed });
}

function catalogFor(deps: MatrixDeps, trainer: string): Catalog {
  const c = deps.catalogs[trainer];
  if (!c)
    throw nonRetryable(
      ErrorType.InvalidInput,
      `trainer "${trainer}" is not configured on this worker (configured: ${Object.keys(deps.catalogs).join(', ') || 'none'})`,
    );
  return c;
}

function pickKnown(requested: readonly string[] | undefined, known: readonly string[], what: string, type: ErrorType): string[] {
  if (!requested) return [...known];
  const set = new Set(known);
  const unknown = requested.filter((id) => !set.has(id));
  if (unknown.length)
    throw nonRetryable(type, `unknown ${what}: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}`);
  return [...new Set(requested)];
}

/** Cluster a matrix as the spec says. */
export function clusterBySpec(matrix: Parameters<typeof clusterPaper>[0], spec: ClusterSpec): Clustering {
  return spec.method === 'paper' ? clusterPaper(matrix, { threshold: spec.threshold }) : clusterKMeans(matrix, { maxK: spec.maxK, seed: spec.seed });
}

/** Offline-phase activities (orchestrator queue): plan, record and cluster the matrix. */
export function createMatrixActivities(deps: MatrixDeps) {
  return {
    /**
     * The missing (model, benchmark) cells for these settings, at most `limit`, skipping
     * `exclude`. Read-only, idempotent. Fails with InvalidInput, ModelNotFound, DatasetNotFound.
     */
    async planMatrix(input: PlanMatrixInput): Promise<PlanMatrixOutput> {
      const catalog = catalogFor(deps, input.trainer);
      const snap = await deps.store.snapshot().catch((e: unknown) => {
        throw toFailure(e);
      });
      const removed = new Set((await snap.models()).filter((m) => m.removedAt !== null).map((m) => m.id));
      const models = pickKnown(
        input.models,
        (await catalog.models()).map((m) => m.id),
        'models',
        ErrorType.ModelNotFound,
      ).filter((m) => !removed.has(m));
      const benchmarks = pickKnown(
        input.benchmarks,
        (await catalog.datasets()).filter((d) => d.role === 'benchmark').map((d) => d.id),
        'benchmarks',
        ErrorType.DatasetNotFound,
      );
      const skip = new Set(input.exclude.map((c) => `${c.model}\u0000${c.dataset}`));
      const missing = (await snap.missingCells(models, benchmarks, { settingsHash: cellSettings(input.epochs, input.trainer, input.seed) })).filter(
        (c) => !skip.has(`${c.model}\u0000${c.dataset}`),
      );
      return { cells: missing.slice(0, input.limit), missing: missing.length, models: models.length, benchmarks: benchmarks.length };
    },

    /**
     * Write fine-tune results (cells and curves, registering their models and datasets with
     * each dataset's metric and direction from the catalog) and commit one store version. Idempotent: a repeated cell is deduplicated by the store.
     */
    async recordCells(input: RecordCellsInput): Promise<{ storeVersion: number }> {
      if (input.results.length === 0) return { storeVersion: await deps.store.head() };
      const trainer = input.results[0]?.trainer ?? 'tfjs';
      const catalog = deps.catalogs[trainer] ?? deps.catalogs[Object.keys(deps.catalogs)[0] ?? ''];
      const models = new Set(input.results.map((r) => r.model));
      const datasets = new Set(input.results.map((r) => r.dataset));
      const known = catalog ? (await catalog.datasets()).filter((d) => datasets.has(d.id)) : [];
      const metricOf = new Map(known.map((d) => [d.id, d.metric]));
      const metric = (dataset: string): string => metricOf.get(dataset) ?? 'accuracy';
      const w = deps.store.beginWrite();
      try {
        if (catalog) {
          await w.upsertModels((await catalog.models()).filter((m) => models.has(m.id)).map((m) => ({ ...m, card: { ...m.card } })));
          await w.upsertDatasets(known.map((d) => ({ id: d.id, taskType: d.taskType, metric: d.metric, direction: d.direction })));
        }
        await w.appendCells(input.results.map((r) => toCell(r, metric(r.dataset))));
        await w.appendCurves(
          input.results.map((r) => ({
            model: r.model,
            dataset: r.dataset,
            settingsHash: cellSettings(r.epochs, r.trainer, r.seed),
            metric: metric(r.dataset),
            values: r.curve.map((e) => e.metric),
            epochs: r.curve.map((e) => e.epoch),
            seconds: r.curve.map((e) => e.seconds),
            ...(r.curve.some((e) => e.peakMemoryBytes !== undefined) ? { peakMemoryBytes: r.curve.map((e) => e.peakMemoryBytes ?? null) } : {}),
          })),
        );
        return { storeVersion: await w.commit(`${input.results.length} fine-tune result(s)`) };
      } catch (e) {
        await w.abort().catch(() => undefined);
        throw toFailure(e);
      }
    },

    /**
     * Cluster every live model on the latest matrix (mode `recluster`), or place the models the
     * latest clustering lacks into their nearest cluster (mode `place`: one distance per
     * representative); commit the clustering as a new version.
     */
    async clusterModels(input: ClusterModelsInput): Promise<ClusterModelsOutput> {
      const snap = await deps.store.snapshot();
      const matrix = await snap.performanceMatrix();
      if (matrix.models.length < 2) return { storeVersion: snap.version, clusters: matrix.models.length, models: matrix.models.length, placed: [] };
      const latest = (await snap.clusterings()).at(-1)?.clustering;
      let clustering: Clustering;
      let placed: { model: string; label: number }[] = [];
      if (input.mode === 'place' && latest) {
        const threshold = input.spec.method === 'paper' ? input.spec.threshold : undefined;
        const r = placeInNearestCluster(latest, matrix, { threshold });
        clustering = r.clustering;
        placed = r.placements.map(({ model, label }) => ({ model, label }));
      } else {
        clustering = clusterBySpec(matrix, input.spec);
      }
      const w = deps.store.beginWrite();
      const method = input.mode === 'place' && latest ? `${input.spec.method}+place` : input.spec.method;
      await w.appendClustering({
        method,
        params: { ...input.spec },
        models: [...clustering.models],
        labels: [...clustering.labels],
        representatives: new Map(clustering.representatives),
      });
      const storeVersion = await w.commit(`clustering (${method}) of ${clustering.models.length} models`);
      return { storeVersion, clusters: new Set(clustering.labels).size, models: clustering.models.length, placed };
    },
  };
}

/** The store cell of one result; `metric` is its dataset's (the catalog's; accuracy when the dataset is unknown). */
function toCell(r: CellResult, metric: string) {
  return {
    model: r.model,
    dataset: r.dataset,
    settingsHash: cellSettings(r.epochs, r.trainer, r.seed),
    metric,
    value: r.test ?? r.curve.at(-1)?.metric ?? null,
    epochs: r.epochs,
    trainer: r.trainer,
    backend: r.backend,
    seed: r.seed,
    runId: r.runId,
  };
}

/**
 * Mark models as withdrawn in a new store version: selections stop considering them at once
 * (their cells stay, so history and reports of earlier versions are unchanged). Idempotent.
 * Returns the new version, or the head when none of the ids is known.
 */
export async function withdrawModels(store: MatrixStore, ids: readonly string[], now: number = Date.now()): Promise<number> {
  const snap = await store.snapshot();
  const known = new Map((await snap.models()).map((m) => [m.id, m]));
  const grid = await snap.performanceMatrix({ includeRemoved: true });
  const records = ids
    .filter((id) => known.has(id) || grid.models.includes(id))
    .map((id) => {
      const m = known.get(id);
      return {
        id,
        family: m?.family ?? null,
        size: m?.size ?? null,
        source: m?.source ?? null,
        card: { ...(m?.card ?? {}) },
        addedAt: m?.addedAt,
        removedAt: m?.removedAt ?? now,
      };
    });
  if (records.length === 0) return snap.version;
  const w = store.beginWrite();
  await w.upsertModels(records);
  return w.commit(`withdraw ${records.map((r) => r.id).join(', ')}`);
}

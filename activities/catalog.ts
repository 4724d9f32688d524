import { readdir } from 'node:fs/promises';
import type { Direction, RunSet } from '../algorithms/types';
import { readManifest } from '../hub/datasets';
import { listModelIds, readCard } from '../hub/models';

/** A model a trainer can fine-tune, with what the store records about it. */
export interface CatalogModel {
  readonly id: string;
  readonly family: string | null;
  readonly source: string | null;
  readonly card: Readonly<Record<string, unknown>>;
}

export interface CatalogDataset {
  readonly id: string;
  readonly taskType: string;
  /** The metric its cells and curves report (`accuracy`, `rmse`). */
  readonly metric: string;
  /** Whether a higher or a lower metric is better. */
  readonly direction: Direction;
  readonly role: 'benchmark' | 'target' | 'other';
}

/** What exists to be fine-tuned: the hub for live trainers, the recorded runs for replay. */
export interface Catalog {
  models(): Promise<CatalogModel[]>;
  datasets(): Promise<CatalogDataset[]>;
}

/** The model hub and dataset folders (tfjs and external-command trainers). */
export function hubCatalog(hubDir: string, datasetsDir: string): Catalog {
  return {
    async models() {
      const ids = await listModelIds(hubDir);
      return Promise.all(
        ids.map(async (id) => {
          const card = await readCard(hubDir, id);
          return { id, family: card.family, source: card.sourceTask.name, card: card as unknown as Record<string, unknown> };
        }),
      );
    },
    async datasets() {
      const entries = await readdir(datasetsDir, { withFileTypes: true }).catch(() => []);
      const ids = entries
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      return Promise.all(
        ids.map(async (id) => {
          const m = await readManifest(datasetsDir, id);
          return { id, taskType: m.task, metric: m.metric, direction: m.direction, role: m.role };
        }),
      );
    },
  };
}

/** Recorded runs (replay trainer): every recorded dataset serves as a benchmark; directions from the anchors' datasets.tsv (default maximize). */
export function runSetCatalog(runs: RunSet, directions: ReadonlyMap<string, Direction> = new Map()): Catalog {
  return {
    models: async () => runs.models.map((id) => ({ id, family: null, source: 'recorded', card: {} })),
    datasets: async () =>
      runs.datasets.map((id) => ({
        id,
        taskType: 'classification',
        metric: 'accuracy',
        direction: directions.get(id) ?? 'maximize',
        role: 'benchmark' as const,
      })),
  };
}

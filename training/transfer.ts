/**
 * The transfer table of a hub: every model fine-tuned on every chosen dataset with the
 * tfjs trainer, reporting the dataset's test metric (accuracy, or RMSE for a regression
 * dataset; the validation metric when a dataset has no test split). This is the ground
 * truth a model-selection method is judged against; "best" follows each dataset's direction.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Direction } from '../algorithms/types';
import { readManifest } from '../hub/datasets';
import type { Backend } from './backend';
import type { SessionOptions } from './session';
import { TfjsTrainer } from './tfjs-trainer';

export interface TransferOptions {
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly backend: Backend;
  readonly models: readonly string[];
  readonly datasets: readonly string[];
  /** @default 5 */
  readonly epochs?: number;
  /** @default 0 */
  readonly seed?: number;
  readonly trainerOptions?: SessionOptions;
  /** Called after every fine-tune. */
  readonly onCell?: (cell: { model: string; dataset: string; accuracy: number; seconds: number }) => void;
}

export interface TransferTable {
  readonly models: readonly string[];
  readonly datasets: readonly string[];
  /** accuracy[d][m]: model m fine-tuned on dataset d, in dataset d's metric (accuracy or RMSE). */
  readonly accuracy: readonly (readonly number[])[];
  /** Per dataset: the metric of its row and which way is better. */
  readonly metrics: readonly { readonly metric: string; readonly direction: Direction }[];
  readonly epochs: number;
  readonly backend: string;
  readonly seconds: number;
}

/** Fine-tune every (model, dataset) pair; checkpoints go to a temporary directory removed afterwards. */
export async function transferTable(o: TransferOptions): Promise<TransferTable> {
  const started = performance.now();
  const epochs = o.epochs ?? 5;
  const checkpointDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-transfer-'));
  const trainer = new TfjsTrainer({ backend: o.backend, hubDir: o.hubDir, datasetsDir: o.datasetsDir, checkpointDir, options: o.trainerOptions });
  const accuracy: number[][] = [];
  const metrics = await Promise.all(
    o.datasets.map(async (id) => {
      const m = await readManifest(o.datasetsDir, id);
      return { metric: m.metric, direction: m.direction };
    }),
  );
  try {
    for (const dataset of o.datasets) {
      const row: number[] = [];
      for (const model of o.models) {
        const t0 = performance.now();
        const r = await trainer.train({
          modelId: model,
          datasetId: dataset,
          fromEpoch: 0,
          toEpoch: epochs,
          resume: null,
          seed: o.seed ?? 0,
          runId: `transfer/${model}@${dataset}`,
        });
        const value = r.test ?? r.curve[r.curve.length - 1]?.metric ?? Number.NaN;
        row.push(value);
        o.onCell?.({ model, dataset, accuracy: value, seconds: (performance.now() - t0) / 1000 });
      }
      accuracy.push(row);
    }
  } finally {
    await fs.rm(checkpointDir, { recursive: true, force: true });
  }
  return { models: o.models, datasets: o.datasets, accuracy, metrics, epochs, backend: o.backend.name, seconds: (performance.now() - started) / 1000 };
}

/**
 * Best and worst model per dataset (by its direction) and their gap: accuracy points (×100)
 * for accuracy, plain metric units for other metrics; always >= 0.
 */
export function transferSummary(t: TransferTable): { dataset: string; best: string; worst: string; gapPoints: number }[] {
  return t.datasets.map((dataset, d) => {
    const row = t.accuracy[d] ?? [];
    const sign = t.metrics[d]?.direction === 'minimize' ? -1 : 1;
    let best = 0;
    let worst = 0;
    row.forEach((v, m) => {
      if (sign * v > sign * (row[best] ?? Number.NaN) || Number.isNaN(row[best] ?? Number.NaN)) best = m;
      if (sign * v < sign * (row[worst] ?? Number.NaN) || Number.isNaN(row[worst] ?? Number.NaN)) worst = m;
    });
    const scale = (t.metrics[d]?.metric ?? 'accuracy') === 'accuracy' ? 100 : 1;
    return { dataset, best: t.models[best] ?? '', worst: t.models[worst] ?? '', gapPoints: scale * sign * ((row[best] ?? 0) - (row[worst] ?? 0)) };
  });
}

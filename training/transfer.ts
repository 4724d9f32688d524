/**
 * The transfer table of a hub: every model fine-tuned on every chosen dataset with the
 * tfjs trainer, reporting test accuracy (validation accuracy when a dataset has no test
 * split). This is the ground truth a model-selection method is judged against.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
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
  /** accuracy[d][m]: model m fine-tuned on dataset d. */
  readonly accuracy: readonly (readonly number[])[];
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
  try {
    for (const dataset of o.datasets) {
      const row: number[] = [];
      for (const model of o.models) {
        const t0 = performance.now();
        const r = await trainer.train({ modelId: model, datasetId: dataset, fromEpoch: 0, toEpoch: epochs, resume: null, seed: o.seed ?? 0, runId: `transfer/${model}@${dataset}` });
        const value = r.test ?? r.curve[r.curve.length - 1]?.metric ?? Number.NaN;
        row.push(value);
        o.onCell?.({ model, dataset, accuracy: value, seconds: (performance.now() - t0) / 1000 });
      }
      accuracy.push(row);
    }
  } finally {
    await fs.rm(checkpointDir, { recursive: true, force: true });
  }
  return { models: o.models, datasets: o.datasets, accuracy, epochs, backend: o.backend.name, seconds: (performance.now() - started) / 1000 };
}

/** Best and worst model per dataset and their gap in accuracy points. */
export function transferSummary(t: TransferTable): { dataset: string; best: string; worst: string; gapPoints: number }[] {
  return t.datasets.map((dataset, d) => {
    const row = t.accuracy[d] ?? [];
    let best = 0;
    let worst = 0;
    row.forEach((v, m) => {
      if (v > (row[best] ?? -Infinity)) best = m;
      if (v < (row[worst] ?? Infinity)) worst = m;
    });
    return { dataset, best: t.models[best] ?? '', worst: t.models[worst] ?? '', gapPoints: 100 * ((row[best] ?? 0) - (row[worst] ?? 0)) };
  });
}

/**
 * The recorded demo hub: every demo model fine-tuned on every dataset of `recordSpec()`
 * (DEMO_SPEC's datasets plus DEMO_RECORD_DATASETS) for a fixed number of epochs with one
 * seed on the default tfjs backend, written in the recorded-runs format `mselect replay`
 * reads (replay/load.ts):
 *
 * - `curves.csv`: one row per (model, dataset), the validation metric after every epoch and
 *   the test metric after the last;
 * - `datasets.tsv`: each dataset's metric direction;
 * - `proxy/<proxy>_<dataset>.tsv`: proxy scores of every model on each classification
 *   dataset, computed by the product's own `proxyScore` (activities/proxy-score.ts);
 * - `record.json`: the settings and the time taken.
 *
 * The recording resumes: a dataset already complete in `curves.csv` (same epochs, seed and
 * models) is kept, so an interrupted run continues where it stopped.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunRecord } from '../algorithms/types';
import { computeProxyScore } from '../activities/proxy-score';
import type { ForwardProxy } from '../contracts/schemas/training';
import { formatCurvesCsv, parseCurvesCsv } from '../replay/anchor-format';
import type { Backend } from '../training/backend';
import { TfjsTrainer } from '../training/tfjs-trainer';
import { readManifest } from '../hub/datasets';
import { buildDemoHub } from './build';
import { type DemoSpec, recordSpec } from './spec';
import { readJsonIfExists, writeFileAtomic } from '../hub/files';
import type { DigitImages } from './mnist-tasks';
import { PROJECT_ROOT } from '../hub/paths';

/** Where `mselect hub record` writes by default: `<project>/data/recorded-demo`. */
export const DEFAULT_RECORDED_DEMO = path.join(PROJECT_ROOT, 'data', 'recorded-demo');

/** Proxies the recording computes on every classification dataset. */
export const RECORDED_PROXIES: readonly ForwardProxy[] = ['leep', 'logme'];

export interface RecordOptions {
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly outDir: string;
  readonly backend: Backend;
  /** Fine-tuning epochs per run. @default 5 */
  readonly epochs?: number;
  /** Seed of every fine-tune and proxy probe. @default 0 */
  readonly seed?: number;
  /** @default recordSpec() */
  readonly spec?: DemoSpec;
  /** Image source. @default the `mnist` package */
  readonly images?: DigitImages;
  /** Called after every dataset. */
  readonly onDataset?: (event: { dataset: string; done: number; total: number; seconds: number; kept: boolean }) => void;
}

export interface RecordResult {
  readonly outDir: string;
  readonly models: number;
  readonly datasets: number;
  readonly runs: number;
  readonly seconds: number;
}

interface RecordSettings {
  readonly epochs: number;
  readonly seed: number;
  readonly models: readonly string[];
  readonly splits: DemoSpec['splits'];
}

/** Datasets of `curves.csv` already complete under the same settings (every model has a run). */
async function completed(outDir: string, settings: RecordSettings): Promise<{ runs: RunRecord[]; done: Set<string> }> {
  const meta = (await readJsonIfExists(path.join(outDir, 'record.json')).catch(() => undefined)) as Partial<RecordSettings> | undefined;
  const text = await fs.readFile(path.join(outDir, 'curves.csv'), 'utf8').catch(() => null);
  if (
    text === null ||
    meta?.epochs !== settings.epochs ||
    meta.seed !== settings.seed ||
    JSON.stringify(meta.models) !== JSON.stringify(settings.models) ||
    JSON.stringify(meta.splits) !== JSON.stringify(settings.splits)
  )
    return { runs: [], done: new Set() };
  const { runs } = parseCurvesCsv(text, path.join(outDir, 'curves.csv'));
  const count = new Map<string, number>();
  for (const r of runs.runs) count.set(r.dataset, (count.get(r.dataset) ?? 0) + 1);
  const done = new Set([...count].filter(([, n]) => n === settings.models.length).map(([d]) => d));
  return { runs: runs.runs.filter((r) => done.has(r.dataset)), done };
}

/** `proxy/<proxy>_<dataset>.tsv`: line 1 model names, line 2 scores (full precision). */
function proxyTsv(scores: ReadonlyMap<string, number>): string {
  return `${[...scores.keys()].join('\t')}\n${[...scores.values()].map(String).join('\t')}\n`;
}

/**
 * Build the demo hub with the recording's datasets (models as `npm start` builds them),
 * then fine-tune and score every (model, dataset) pair and write `outDir`. Resumes a
 * previous run with the same settings. Throws on a failed fine-tune or proxy.
 */
export async function recordDemoHub(o: RecordOptions): Promise<RecordResult> {
  const started = performance.now();
  const spec = o.spec ?? recordSpec();
  const epochs = o.epochs ?? 5;
  const seed = o.seed ?? 0;
  await buildDemoHub({ hubDir: o.hubDir, datasetsDir: o.datasetsDir, spec, backend: o.backend, ...(o.images ? { images: o.images } : {}) });
  const models = spec.models.map((m) => m.id);
  const settings: RecordSettings = { epochs, seed, models, splits: spec.splits };
  await fs.mkdir(path.join(o.outDir, 'proxy'), { recursive: true });
  const { runs, done } = await completed(o.outDir, settings);
  const checkpointDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-record-'));
  const trainer = new TfjsTrainer({ backend: o.backend, hubDir: o.hubDir, datasetsDir: o.datasetsDir, checkpointDir });
  const directions: string[] = ['dataset\tdirection'];
  try {
    for (const [i, d] of spec.datasets.entries()) {
      const t0 = performance.now();
      const manifest = await readManifest(o.datasetsDir, d.id);
      directions.push(`${d.id}\t${manifest.direction}`);
      const kept = done.has(d.id);
      if (!kept) {
        for (const model of models) {
          const r = await trainer.train({
            modelId: model,
            datasetId: d.id,
            fromEpoch: 0,
            toEpoch: epochs,
            resume: null,
            seed,
            runId: `record/${model}@${d.id}`,
          });
          runs.push({ model, dataset: d.id, val: r.curve.map((e) => e.metric), test: r.test });
        }
        if (manifest.task === 'classification') {
          for (const proxy of RECORDED_PROXIES) {
            const scores = new Map<string, number>();
            for (const model of models) {
              const s = await computeProxyScore(
                { hubDir: o.hubDir, datasetsDir: o.datasetsDir, backend: async () => o.backend },
                { model, target: d.id, proxy, probeSize: 500, seed },
              );
              scores.set(model, s.value);
            }
            await writeFileAtomic(path.join(o.outDir, 'proxy', `${proxy}_${encodeURIComponent(d.id)}.tsv`), proxyTsv(scores));
          }
        }
        const datasets = [...new Set(runs.map((r) => r.dataset))];
        await writeFileAtomic(path.join(o.outDir, 'record.json'), JSON.stringify({ ...settings, backend: o.backend.name, datasets }, null, 2));
        await writeFileAtomic(path.join(o.outDir, 'curves.csv'), formatCurvesCsv({ models, datasets, runs }, new Set(models)));
      }
      o.onDataset?.({ dataset: d.id, done: i + 1, total: spec.datasets.length, seconds: (performance.now() - t0) / 1000, kept });
    }
  } finally {
    await fs.rm(checkpointDir, { recursive: true, force: true });
  }
  await writeFileAtomic(path.join(o.outDir, 'datasets.tsv'), `${directions.join('\n')}\n`);
  const seconds = (performance.now() - started) / 1000;
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  await writeFileAtomic(path.join(o.outDir, 'record.json'), JSON.stringify({ ...settings, backend: o.backend.name, datasets, seconds }, null, 2));
  return { outDir: o.outDir, models: models.length, datasets: datasets.length, runs: runs.length, seconds };
}

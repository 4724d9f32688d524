/**
 * Builds the bundled demo hub from the MNIST digits: the datasets of DEMO_SPEC (Arrow
 * IPC) and its pre-trained models (tfjs Layers format with cards). The build is cached:
 * a record with the spec's hash is written last, and a later build with the same hash
 * and every entry present does nothing.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DatasetManifest } from '../contracts/schemas/training';
import { type Backend, activate, pickBackend } from '../training/backend';
import { type DatasetSplit, readManifest, writeDataset } from '../hub/datasets';
import { accuracy, buildDemoModel, demoCard, pretrain } from './architectures';
import { DEMO_SPEC, type DemoDatasetSpec, type DemoModelSpec, type DemoSpec, demoDatasetTask } from './spec';
import { exists, readJsonIfExists, writeFileAtomic } from '../hub/files';
import { type DigitImages, LABEL_MAP, mnistImages, PIXELS, sampleTask } from './mnist-tasks';
import { CARD_JSON, modelDir, saveHubModel } from '../hub/models';
import { defaultHubPaths } from '../hub/paths';
import { mixSeed, seedOf } from '../hub/rng';

export const BUILD_RECORD = '.demo-build.json';

export interface DemoBuildRecord {
  readonly specHash: string;
  readonly backend: string;
  readonly models: readonly string[];
  readonly datasets: readonly string[];
  /** Held-out source-task accuracy of each model after pre-training. */
  readonly sourceAccuracy: Readonly<Record<string, number>>;
  /** modelHash of each model built; a later build with a changed spec keeps the models whose hash is unchanged. */
  readonly modelHashes?: Readonly<Record<string, string>>;
}

export interface BuildDemoOptions {
  /** @default defaultHubPaths().hubDir (env MSELECT_HUB, else <project>/data/hub) */
  hubDir?: string;
  /** @default defaultHubPaths().datasetsDir (env MSELECT_DATASETS, else <project>/data/datasets) */
  datasetsDir?: string;
  /** @default DEMO_SPEC */
  spec?: DemoSpec;
  /** Rebuild even when the record says the hub is current. @default false */
  force?: boolean;
  /** @default pickBackend() */
  backend?: Backend;
  /** Image source. @default the `mnist` package */
  images?: DigitImages;
  /** Called after each dataset and model. */
  onProgress?: (event: { kind: 'dataset' | 'model'; id: string; done: number; total: number; detail: string }) => void;
}

export interface BuildDemoResult {
  readonly built: boolean;
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly record: DemoBuildRecord;
  readonly seconds: number;
}

/** sha256 of the spec: the cache key of a build. */
export function specHash(spec: DemoSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/** sha256 of what a model's pre-training depends on (its spec, the pre-training settings, pool, seed and builder version). */
export function modelHash(m: DemoModelSpec, spec: DemoSpec): string {
  return createHash('sha256')
    .update(JSON.stringify({ m, pretrain: spec.pretrain, pool: spec.pretrainPool, seed: spec.seed, version: spec.version }))
    .digest('hex');
}

/** The source accuracy of a model `cached` built with the same modelHash and whose card is still there; undefined otherwise. */
async function reusable(cached: DemoBuildRecord | null, hubDir: string, m: DemoModelSpec, hash: string): Promise<number | undefined> {
  const acc = cached?.sourceAccuracy[m.id];
  if (acc === undefined || cached?.modelHashes?.[m.id] !== hash) return undefined;
  return (await exists(path.join(modelDir(hubDir, m.id), CARD_JSON))) ? acc : undefined;
}

/**
 * Build (or confirm) the demo hub. Idempotent; with the same spec it does nothing the second
 * time, and after a spec change it rebuilds every dataset but only the models whose modelHash
 * changed (unless `force`).
 */
export async function buildDemoHub(options: BuildDemoOptions = {}): Promise<BuildDemoResult> {
  const started = performance.now();
  const paths = defaultHubPaths();
  const hubDir = path.resolve(options.hubDir ?? paths.hubDir);
  const datasetsDir = path.resolve(options.datasetsDir ?? paths.datasetsDir);
  const spec = options.spec ?? DEMO_SPEC;
  const hash = specHash(spec);
  const cached = await readRecord(hubDir);
  if (!options.force && cached?.specHash === hash && (await complete(hubDir, datasetsDir, spec))) {
    return { built: false, hubDir, datasetsDir, record: cached, seconds: (performance.now() - started) / 1000 };
  }
  const backend = options.backend ?? (await pickBackend());
  await activate(backend);
  const images = options.images ?? mnistImages();
  const total = spec.datasets.length + spec.models.length;
  let done = 0;
  for (const d of spec.datasets) {
    await writeDataset(datasetsDir, manifestOf(d, spec), splitsOf(images, d, spec));
    options.onProgress?.({ kind: 'dataset', id: d.id, done: ++done, total, detail: d.role });
  }
  const sourceAccuracy: Record<string, number> = {};
  const modelHashes: Record<string, string> = {};
  for (const m of spec.models) {
    const t0 = performance.now();
    modelHashes[m.id] = modelHash(m, spec);
    const kept = options.force ? undefined : await reusable(cached, hubDir, m, modelHashes[m.id] ?? '');
    sourceAccuracy[m.id] = kept ?? (await buildModel(backend, hubDir, images, m, spec));
    const how = kept === undefined ? `in ${((performance.now() - t0) / 1000).toFixed(1)} s` : '(unchanged, kept)';
    options.onProgress?.({ kind: 'model', id: m.id, done: ++done, total, detail: `source accuracy ${sourceAccuracy[m.id]?.toFixed(3)} ${how}` });
  }
  const record: DemoBuildRecord = {
    specHash: hash,
    backend: backend.name,
    models: spec.models.map((m) => m.id),
    datasets: spec.datasets.map((d) => d.id),
    sourceAccuracy,
    modelHashes,
  };
  await writeFileAtomic(path.join(hubDir, BUILD_RECORD), JSON.stringify(record, null, 2));
  return { built: true, hubDir, datasetsDir, record, seconds: (performance.now() - started) / 1000 };
}

/** The build record of `hubDir`, or null when there is none (or it is unreadable). */
export async function readRecord(hubDir: string): Promise<DemoBuildRecord | null> {
  try {
    return ((await readJsonIfExists(path.join(hubDir, BUILD_RECORD))) as DemoBuildRecord | undefined) ?? null;
  } catch {
    return null;
  }
}

async function complete(hubDir: string, datasetsDir: string, spec: DemoSpec): Promise<boolean> {
  for (const m of spec.models) if (!(await exists(path.join(modelDir(hubDir, m.id), CARD_JSON)))) return false;
  for (const d of spec.datasets) {
    try {
      await readManifest(datasetsDir, d.id);
    } catch {
      return false;
    }
  }
  return true;
}

export function manifestOf(d: DemoDatasetSpec, spec: DemoSpec): DatasetManifest {
  const { task, classes, metric, direction } = demoDatasetTask(d);
  return {
    id: d.id,
    task,
    description: `14×14 MNIST digits (images ${spec.downstreamPool[0]}-${spec.downstreamPool[1] - 1} of each digit), ${d.transform} transform, ${d.labels} ${task === 'regression' ? 'target' : 'labels'} (${metric}, ${direction})`,
    role: d.role,
    classes,
    metric,
    direction,
    featureShape: [14, 14, 1],
    format: 'arrow',
    splits: { train: 'train.arrow', val: 'val.arrow', test: 'test.arrow' },
  };
}

export function splitsOf(images: DigitImages, d: DemoDatasetSpec, spec: DemoSpec) {
  const { train, val, test } = spec.splits;
  const seed = mixSeed(spec.seed, seedOf(d.id));
  const [tr, va, te] = sampleTask(images, { transform: d.transform, labels: d.labels, pool: spec.downstreamPool, seed }, [train, val, test]);
  const regression = demoDatasetTask(d).task === 'regression';
  const asSplit = (s: { x: Float32Array; y: Int32Array; n: number } | undefined): DatasetSplit => {
    const y = s?.y ?? new Int32Array(0);
    const base = { x: s?.x ?? new Float32Array(0), n: s?.n ?? 0, d: PIXELS };
    return regression ? { ...base, y: new Int32Array(y.length), target: Float32Array.from(y) } : { ...base, y };
  };
  return { train: asSplit(tr), val: asSplit(va), test: asSplit(te) };
}

async function buildModel(backend: Backend, hubDir: string, images: DigitImages, m: DemoModelSpec, spec: DemoSpec): Promise<number> {
  const seed = mixSeed(spec.seed, seedOf(m.id));
  const classes = LABEL_MAP[m.labels].classes.length;
  const p = spec.pretrain;
  const [holdout, train] = sampleTask(images, { transform: m.transform, labels: m.labels, pool: spec.pretrainPool, seed }, [p.holdout, p.samples]);
  if (!holdout || !train) throw new Error(`demo model ${m.id}: no pre-training data`);
  const model = buildDemoModel(backend.tf, m.arch, classes, seed);
  try {
    await pretrain(backend.tf, model, train, classes, { epochs: p.epochs, learningRate: p.learningRate, batchSize: p.batchSize, seed });
    const acc = accuracy(backend.tf, model, holdout);
    await saveHubModel(hubDir, model, demoCard(m, acc));
    return acc;
  } finally {
    model.dispose();
  }
}

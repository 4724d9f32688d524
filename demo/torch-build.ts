/**
 * The PyTorch demo hub (`mselect hub build --format torch`): the same source tasks, models and
 * downstream datasets as the tfjs demo hub (DEMO_SPEC, read generically so new entries flow
 * through), with every model a plain torch.nn architecture pre-trained here by the reference
 * trainer and stored as a state_dict (`weights.pt`) plus the architecture in `card.json`.
 * Datasets are written in the CSV dataset format, which the trainer reads with numpy.
 * Seeded initialisation, data order and single-threaded deterministic kernels make a rebuild
 * give identical weights. Cached like the tfjs build: a record with the spec's hash last.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DatasetManifest } from '../contracts/schemas/training';
import { type BuildDemoResult, type DemoBuildRecord, manifestOf, readRecord, splitsOf, specHash, BUILD_RECORD } from './build';
import { demoCard } from './architectures';
import { DEMO_SPEC, type DemoArch, type DemoModelSpec, type DemoSpec } from './spec';
import { readManifest, writeDataset } from '../hub/datasets';
import { exists, writeFileAtomic } from '../hub/files';
import { type DigitImages, LABEL_MAP, mnistImages, PIXELS, sampleTask, SIDE } from './mnist-tasks';
import { CARD_JSON, modelDir } from '../hub/models';
import { PROJECT_ROOT } from '../hub/paths';
import { mixSeed, seedOf } from '../hub/rng';
import { runTorchJob } from './torch-run';

/** One layer of a card's `torch.architecture.layers`: [name, torch.nn class, constructor kwargs]. */
export type TorchLayer = [string, string, Record<string, unknown>];

/** Where the PyTorch demo hub lives unless MSELECT_HUB / MSELECT_DATASETS say otherwise: `data/torch/`. */
export function torchHubPaths(env: NodeJS.ProcessEnv = process.env): {
  hubDir: string;
  datasetsDir: string;
  checkpointDir: string;
  storeDir: string;
  reportDir: string;
} {
  const root = path.join(PROJECT_ROOT, 'data', 'torch');
  return {
    hubDir: path.resolve(env.MSELECT_HUB ?? path.join(root, 'hub')),
    datasetsDir: path.resolve(env.MSELECT_DATASETS ?? path.join(root, 'datasets')),
    checkpointDir: path.resolve(env.MSELECT_CHECKPOINTS ?? path.join(root, 'checkpoints')),
    storeDir: path.resolve(env.MSELECT_STORE || path.join(root, 'store')),
    reportDir: path.resolve(env.MSELECT_REPORTS ?? path.join(root, 'reports')),
  };
}

/** The torch.nn layers of a demo architecture on 14×14×1 inputs (channels first), `classes` logits out. */
export function torchLayers(arch: DemoArch, classes: number): TorchLayer[] {
  const layers: TorchLayer[] = [];
  let width = PIXELS;
  if (arch.kind === 'cnn') {
    let side = SIDE;
    let channels = 1;
    arch.filters.forEach((filters, i) => {
      layers.push(
        [`conv_${i + 1}`, 'Conv2d', { in_channels: channels, out_channels: filters, kernel_size: 3 }],
        [`relu_conv_${i + 1}`, 'ReLU', {}],
        [`pool_${i + 1}`, 'MaxPool2d', { kernel_size: 2 }],
      );
      side = Math.floor((side - 2) / 2);
      channels = filters;
    });
    layers.push(
      ['flatten', 'Flatten', {}],
      ['features', 'Linear', { in_features: channels * side * side, out_features: arch.dense }],
      ['relu_features', 'ReLU', {}],
    );
    width = arch.dense;
  } else {
    layers.push(['flatten', 'Flatten', {}]);
    arch.hidden.forEach((units, i) => {
      layers.push([`hidden_${i + 1}`, 'Linear', { in_features: width, out_features: units }], [`relu_${i + 1}`, 'ReLU', {}]);
      width = units;
    });
  }
  layers.push(['output', 'Linear', { in_features: width, out_features: classes }]);
  return layers;
}

/** The card of a PyTorch demo model: the tfjs card's fields, logits output, the architecture. */
export function torchCard(m: DemoModelSpec, sourceAccuracy: number): Record<string, unknown> {
  const card = demoCard(m, sourceAccuracy);
  return {
    ...card,
    description: `PyTorch ${card.description}`,
    output: 'logits',
    torch: { format: 'state_dict', file: 'weights.pt', architecture: { layers: torchLayers(m.arch, card.labels.length) }, inputPermute: [2, 0, 1] },
  };
}

export interface BuildTorchDemoOptions {
  readonly hubDir?: string;
  readonly datasetsDir?: string;
  readonly spec?: DemoSpec;
  readonly force?: boolean;
  readonly images?: DigitImages;
  readonly onProgress?: (event: { kind: 'dataset' | 'model'; id: string; done: number; total: number; detail: string }) => void;
}

/** sha256 of (spec, format): the cache key of a PyTorch build. */
export function torchSpecHash(spec: DemoSpec): string {
  return createHash('sha256')
    .update(`torch:${specHash(spec)}`)
    .digest('hex');
}

/** Build (or confirm) the PyTorch demo hub. Needs a Python that imports torch (see training/command-torch.ts). */
export async function buildTorchDemoHub(options: BuildTorchDemoOptions = {}): Promise<BuildDemoResult> {
  const started = performance.now();
  const defaults = torchHubPaths();
  const hubDir = path.resolve(options.hubDir ?? defaults.hubDir);
  const datasetsDir = path.resolve(options.datasetsDir ?? defaults.datasetsDir);
  const spec = options.spec ?? DEMO_SPEC;
  const hash = torchSpecHash(spec);
  const cached = await readRecord(hubDir);
  if (!options.force && cached?.specHash === hash && (await complete(hubDir, datasetsDir, spec))) {
    return { built: false, hubDir, datasetsDir, record: cached, seconds: (performance.now() - started) / 1000 };
  }
  const images = options.images ?? mnistImages();
  const total = spec.datasets.length + spec.models.length;
  let done = 0;
  for (const d of spec.datasets) {
    await writeDataset(datasetsDir, asCsv(manifestOf(d, spec)), splitsOf(images, d, spec));
    options.onProgress?.({ kind: 'dataset', id: d.id, done: ++done, total, detail: d.role });
  }
  const sourceAccuracy: Record<string, number> = {};
  let backend = 'torch';
  for (const m of spec.models) {
    const t0 = performance.now();
    const built = await buildModel(hubDir, images, m, spec);
    sourceAccuracy[m.id] = built.accuracy;
    backend = built.backend;
    options.onProgress?.({
      kind: 'model',
      id: m.id,
      done: ++done,
      total,
      detail: `source accuracy ${built.accuracy.toFixed(3)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    });
  }
  const record: DemoBuildRecord = { specHash: hash, backend, models: spec.models.map((m) => m.id), datasets: spec.datasets.map((d) => d.id), sourceAccuracy };
  await writeFileAtomic(path.join(hubDir, BUILD_RECORD), JSON.stringify(record, null, 2));
  return { built: true, hubDir, datasetsDir, record, seconds: (performance.now() - started) / 1000 };
}

function asCsv(m: DatasetManifest): DatasetManifest {
  const splits = Object.fromEntries(
    Object.entries(m.splits).map(([k, v]) => [k, v === undefined ? v : v.replace(/\.arrow$/, '.csv')]),
  ) as DatasetManifest['splits'];
  return { ...m, format: 'csv', splits };
}

async function complete(hubDir: string, datasetsDir: string, spec: DemoSpec): Promise<boolean> {
  for (const m of spec.models) if (!(await exists(path.join(modelDir(hubDir, m.id), 'weights.pt')))) return false;
  for (const d of spec.datasets)
    if (
      !(await readManifest(datasetsDir, d.id).then(
        () => true,
        () => false,
      ))
    )
      return false;
  return true;
}

/** Pre-train one model through the trainer's `pretrain` job; the samples pass through a scratch CSV dataset. */
async function buildModel(hubDir: string, images: DigitImages, m: DemoModelSpec, spec: DemoSpec): Promise<{ accuracy: number; backend: string }> {
  const seed = mixSeed(spec.seed, seedOf(m.id));
  const classes = LABEL_MAP[m.labels].classes;
  const p = spec.pretrain;
  const [holdout, train] = sampleTask(images, { transform: m.transform, labels: m.labels, pool: spec.pretrainPool, seed }, [p.holdout, p.samples]);
  if (!holdout || !train) throw new Error(`demo model ${m.id}: no pre-training data`);
  const scratch = path.join(hubDir, '.torch-build');
  const id = `pretrain-${m.id}`;
  const manifest: DatasetManifest = {
    id,
    task: 'classification',
    description: `pre-training samples of ${m.id}`,
    role: 'other',
    classes: [...classes],
    metric: 'accuracy',
    direction: 'maximize',
    featureShape: [SIDE, SIDE, 1],
    format: 'csv',
    splits: { train: 'train.csv', val: 'holdout.csv' },
  };
  await writeDataset(scratch, manifest, { train: { ...train, d: PIXELS }, val: { ...holdout, d: PIXELS } });
  const dir = modelDir(hubDir, m.id);
  await fs.mkdir(dir, { recursive: true });
  try {
    const job = {
      job: 'pretrain',
      datasetDir: path.join(scratch, id),
      outDir: dir,
      architecture: { layers: torchLayers(m.arch, classes.length) },
      inputPermute: [2, 0, 1],
      seed,
      epochs: p.epochs,
      learningRate: p.learningRate,
      batchSize: p.batchSize,
    };
    const lines = await runTorchJob(job, { MSELECT_TORCH_DEVICE: 'cpu' });
    const answer = lines.find((l) => typeof l.sourceAccuracy === 'number');
    if (!answer) throw new Error(`pre-training ${m.id} printed no result`);
    const accuracy = answer.sourceAccuracy as number;
    await writeFileAtomic(path.join(dir, CARD_JSON), JSON.stringify(torchCard(m, accuracy), null, 2));
    return { accuracy, backend: String(answer.backend) };
  } finally {
    await fs.rm(path.join(scratch, id), { recursive: true, force: true });
  }
}

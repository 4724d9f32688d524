/**
 * Fine-tuning throughput of the demo hub's models on every tfjs backend that loads here:
 * training samples per second (over several epochs after a warm-up one) and the wall time of one whole
 * epoch through the trainer (train, validate, checkpoint). Builds the demo hub first if
 * needed (cached). Where /usr/bin/python3 (or MSELECT_PYTHON) imports torch, the same
 * architectures of the PyTorch demo hub (data/torch/) through the reference trainer on CPU
 * too: samples/s from the trainer's own per-epoch seconds (train, validate, checkpoint;
 * Python start-up excluded), epoch s as the wall time of a one-epoch fine-tune including
 * start-up. Run with `npm run bench:train [-- --dataset <id> --backends wasm,cpu --no-torch]`.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import { Command } from 'commander';
import { loadDataset } from '../hub/datasets';
import { buildDemoHub } from '../demo/build';
import { DEMO_SPEC } from '../demo/spec';
import { loadHubModel } from '../hub/models';
import { defaultHubPaths } from '../hub/paths';
import { activate, type Backend, type TfBackendName, pickBackend, probeBackends } from '../training/backend';
import { FineTuneSession } from '../training/session';
import { TfjsTrainer } from '../training/tfjs-trainer';
import { buildTorchDemoHub, torchHubPaths } from '../demo/torch-build';
import { TorchTrainer, torchUnavailable } from '../training/command-torch';

interface Row {
  readonly model: string;
  readonly samplesPerSecond: number;
  readonly epochSeconds: number;
}

/** Samples/s of training steps over `epochs` epochs, after one warm-up epoch (kernel set-up). */
async function throughput(backend: Backend, hubDir: string, datasetsDir: string, model: string, dataset: string, epochs: number): Promise<number> {
  await activate(backend);
  const data = await loadDataset(datasetsDir, dataset);
  const session = new FineTuneSession(backend.tf, await loadHubModel(backend.tf, hubDir, model), data.manifest.classes.length, 0);
  try {
    await session.trainEpoch(data.train, data.manifest.featureShape, 1);
    const t0 = performance.now();
    for (let e = 2; e <= epochs + 1; e++) await session.trainEpoch(data.train, data.manifest.featureShape, e);
    return (epochs * data.train.n) / ((performance.now() - t0) / 1000);
  } finally {
    session.dispose();
  }
}

/** Wall time of one full trainer epoch: train, validate, durable checkpoint. */
async function epochWall(backend: Backend, hubDir: string, datasetsDir: string, model: string, dataset: string): Promise<number> {
  const checkpointDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-bench-'));
  try {
    const trainer = new TfjsTrainer({ backend, hubDir, datasetsDir, checkpointDir });
    const t0 = performance.now();
    await trainer.train({ modelId: model, datasetId: dataset, fromEpoch: 0, toEpoch: 1, resume: null, seed: 0, runId: 'bench' });
    return (performance.now() - t0) / 1000;
  } finally {
    await fs.rm(checkpointDir, { recursive: true, force: true });
  }
}

/** PyTorch CPU rows: samples/s over `epochs` epochs after a first one, and the wall time of a one-epoch run. */
async function torchRows(dataset: string, epochs: number): Promise<Row[]> {
  const { hubDir, datasetsDir } = torchHubPaths();
  await buildTorchDemoHub({ hubDir, datasetsDir });
  const n = (await loadDataset(datasetsDir, dataset)).train.n;
  const checkpointDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-bench-torch-'));
  const trainer = new TorchTrainer({ hubDir, datasetsDir, checkpointDir, env: { MSELECT_TORCH_DEVICE: 'cpu' } });
  try {
    const rows: Row[] = [];
    for (const m of DEMO_SPEC.models) {
      const long = await trainer.train({ modelId: m.id, datasetId: dataset, fromEpoch: 0, toEpoch: epochs + 1, resume: null, seed: 0, runId: `bench-${m.id}` });
      const seconds = long.curve.slice(1).reduce((a, e) => a + e.seconds, 0);
      const t0 = performance.now();
      await trainer.train({ modelId: m.id, datasetId: dataset, fromEpoch: 0, toEpoch: 1, resume: null, seed: 0, runId: `bench1-${m.id}` });
      rows.push({ model: m.id, samplesPerSecond: (epochs * n) / seconds, epochSeconds: (performance.now() - t0) / 1000 });
    }
    return rows;
  } finally {
    await fs.rm(checkpointDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = new Command('bench:train')
    .option('--dataset <id>', 'dataset to fine-tune on', 'bench-digits')
    .option('--backends <names>', 'comma-separated backends (default: every one that loads)')
    .option('--epochs <n>', 'timed epochs per model for samples/s', '5')
    .option('--no-torch', 'skip the PyTorch CPU rows')
    .parse(process.argv)
    .opts<{ dataset: string; backends?: string; epochs: string; torch: boolean }>();
  const { hubDir, datasetsDir } = defaultHubPaths();
  const probe = await probeBackends();
  for (const p of probe) console.log(`backend ${p.name.padEnd(14)} ${p.available ? 'available' : `unavailable: ${p.reason}`}`);
  const picked = await pickBackend();
  console.log(`picked by default: ${picked.name}${process.env.MSELECT_TF_BACKEND ? ' (MSELECT_TF_BACKEND)' : ''}`);
  const built = await buildDemoHub({ hubDir, datasetsDir, backend: picked });
  console.log(
    `demo hub ${built.built ? `built in ${built.seconds.toFixed(1)} s` : 'already built'}; fine-tuning on ${o.dataset} (${(await loadDataset(datasetsDir, o.dataset)).train.n} training samples), ${os.cpus().length} CPUs`,
  );
  const names: string[] = (o.backends ? o.backends.split(',') : probe.filter((p) => p.available).map((p) => p.name)) as TfBackendName[];
  const results = new Map<string, Row[]>();
  const missingTorch = o.torch ? torchUnavailable() : 'skipped (--no-torch)';
  if (missingTorch) console.log(`torch-cpu: ${missingTorch}`);
  for (const name of names) {
    const backend = await pickBackend({ prefer: name as TfBackendName });
    const rows: Row[] = [];
    for (const m of DEMO_SPEC.models) {
      rows.push({
        model: m.id,
        samplesPerSecond: await throughput(backend, hubDir, datasetsDir, m.id, o.dataset, Number(o.epochs)),
        epochSeconds: await epochWall(backend, hubDir, datasetsDir, m.id, o.dataset),
      });
    }
    results.set(name, rows);
  }
  if (!missingTorch) {
    results.set('torch-cpu', await torchRows(o.dataset, Number(o.epochs)));
    names.push('torch-cpu');
  }
  const table = new Table({ head: ['model', ...names.flatMap((n) => [`${n} samples/s`, `${n} epoch s`])], style: { compact: true, head: [], border: [] } });
  DEMO_SPEC.models.forEach((m, i) => table.push([m.id, ...names.flatMap((n) => cells(results.get(n)?.[i]))]));
  table.push(['median', ...names.flatMap((n) => medians(results.get(n) ?? []))]);
  console.log(table.toString());
}

function cells(r: Row | undefined): string[] {
  return r ? [r.samplesPerSecond.toFixed(0), r.epochSeconds.toFixed(3)] : ['-', '-'];
}

function medians(rows: Row[]): string[] {
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
  return [median(rows.map((r) => r.samplesPerSecond)).toFixed(0), median(rows.map((r) => r.epochSeconds)).toFixed(3)];
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

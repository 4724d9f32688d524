/**
 * `mselect hub`: build the bundled demo hub, list, add and remove models, and print the
 * transfer table (every model fine-tuned on every target).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { BuildMatrixInputSchema } from '../contracts/schemas';
import { withdrawModels } from '../activities/matrix';
import { openStore } from '../matrix-store';
import { formatOffline, runOffline } from './offline';
import { withSession } from './session';
import { readManifest } from '../hub/datasets';
import { buildDemoHub } from '../demo/build';
import { DEFAULT_RECORDED_DEMO, recordDemoHub } from '../demo/record';
import { buildTorchDemoHub, torchHubPaths } from '../demo/torch-build';
import { torchPython, torchUnavailable } from '../training/command-torch';
import { DEMO_SPEC, demoDatasetIds } from '../demo/spec';
import { exists } from '../hub/files';
import { listModelIds, loadModelDir, modelDir, readCard } from '../hub/models';
import { defaultHubPaths } from '../hub/paths';
import { pickBackend } from '../training/backend';
import { disposeModels } from '../training/dispose';
import { type TransferTable, transferSummary, transferTable } from '../training/transfer';

interface DirOptions {
  hub: string;
  datasets: string;
}

function withDirs(cmd: Command): Command {
  const d = defaultHubPaths();
  return cmd
    .option('--hub <dir>', 'model hub directory (env MSELECT_HUB)', d.hubDir)
    .option('--datasets <dir>', 'datasets directory (env MSELECT_DATASETS)', d.datasetsDir);
}

export function hubCommand(): Command {
  const hub = new Command('hub').description('the model hub: build the demo hub, list, add and remove models');
  hub
    .command('build')
    .description('build the demo hub from the MNIST digits (skipped when already built from the same spec)')
    .option('--hub <dir>', 'model hub directory (env MSELECT_HUB; default data/hub, data/torch/hub with --format torch)')
    .option('--datasets <dir>', 'datasets directory (env MSELECT_DATASETS; default data/datasets, data/torch/datasets with --format torch)')
    .addOption(
      new Option('--format <format>', 'tfjs Layers models, or PyTorch state_dicts pre-trained by trainers/torch').choices(['tfjs', 'torch']).default('tfjs'),
    )
    .option('--force', 'rebuild even when the hub is current', false)
    .option('--backend <name>', 'tfjs backend (env MSELECT_TF_BACKEND)')
    .action((o: Partial<DirOptions> & { force: boolean; backend?: string; format: 'tfjs' | 'torch' }) =>
      o.format === 'torch'
        ? buildTorch(o)
        : build({ ...defaultHubPaths(), ...o, hub: o.hub ?? defaultHubPaths().hubDir, datasets: o.datasets ?? defaultHubPaths().datasetsDir }),
    );
  withDirs(hub.command('list'))
    .description('list the models and datasets')
    .action((o: DirOptions) => list(o));
  hub
    .command('add <dir>')
    .description(
      'validate a tfjs Layers model directory with a card.json, copy it into the hub, fine-tune it on the benchmarks and place it in its nearest cluster',
    )
    .option('--hub <dir>', 'model hub directory (env MSELECT_HUB)', defaultHubPaths().hubDir)
    .option('--force', 'replace a model with the same id', false)
    .option('--no-offline', 'only copy the model; the next refresh fine-tunes and clusters it')
    .option('--epochs <n>', 'epochs of its benchmark fine-tunes', '4')
    .action(async (dir: string, o: { hub: string; force: boolean; offline: boolean; epochs: string }) => {
      const id = await add(dir, o);
      if (o.offline) await placeNewModel(id, Number(o.epochs));
    });
  hub
    .command('remove <id>')
    .description('remove a model from the hub and withdraw it from selection at once (a new store version)')
    .option('--hub <dir>', 'model hub directory (env MSELECT_HUB)', defaultHubPaths().hubDir)
    .action(async (id: string, o: { hub: string }) => {
      await remove(id, o.hub);
      const version = await withdrawModels(openStore(), [id]);
      console.log(`withdrew ${id} from selection (store version ${version})`);
    });
  withDirs(hub.command('transfer'))
    .description('fine-tune every model on every target dataset and print test accuracy')
    .option('--targets <ids>', 'comma-separated dataset ids (default: the demo targets)')
    .option('--epochs <n>', 'fine-tuning epochs', '5')
    .option('--markdown', 'print a Markdown table', false)
    .option('--backend <name>', 'tfjs backend (env MSELECT_TF_BACKEND)')
    .action((o: DirOptions & { targets?: string; epochs: string; markdown: boolean; backend?: string }) => transfer(o));
  withDirs(hub.command('record'))
    .description(
      'fine-tune every demo model on every dataset of the recorded demo hub (the demo datasets and more) and write the recorded runs `mselect replay --data` reads',
    )
    .option('--out <dir>', 'output directory', DEFAULT_RECORDED_DEMO)
    .option('--epochs <n>', 'fine-tuning epochs per run', '5')
    .option('--seed <n>', 'seed of every fine-tune and proxy probe', '0')
    .option('--backend <name>', 'tfjs backend (env MSELECT_TF_BACKEND)')
    .action((o: DirOptions & { out: string; epochs: string; seed: string; backend?: string }) => record(o));
  return hub;
}

async function build(o: DirOptions & { force: boolean; backend?: string }): Promise<void> {
  const backend = await pickBackend({ prefer: o.backend });
  console.log(`building the demo hub in ${o.hub} (datasets in ${o.datasets}) on ${backend.name}`);
  const r = await buildDemoHub({
    hubDir: o.hub,
    datasetsDir: o.datasets,
    force: o.force,
    backend,
    onProgress: (e) => console.log(`  [${e.done}/${e.total}] ${e.kind} ${e.id}: ${e.detail}`),
  });
  const what = r.built ? `built ${r.record.models.length} models and ${r.record.datasets.length} datasets` : 'already built from this spec; nothing to do';
  console.log(`${what} (${r.seconds.toFixed(1)} s, spec ${r.record.specHash.slice(0, 12)})`);
}

/** `hub build --format torch`: the PyTorch demo hub, or a clear message when PyTorch is missing. */
async function buildTorch(o: Partial<DirOptions> & { force: boolean }): Promise<void> {
  const missing = torchUnavailable();
  if (missing) throw new Error(missing);
  const paths = torchHubPaths();
  const hubDir = o.hub ?? paths.hubDir;
  const datasetsDir = o.datasets ?? paths.datasetsDir;
  console.log(`building the PyTorch demo hub in ${hubDir} (datasets in ${datasetsDir}) with ${torchPython()}`);
  const r = await buildTorchDemoHub({
    hubDir,
    datasetsDir,
    force: o.force,
    onProgress: (e) => console.log(`  [${e.done}/${e.total}] ${e.kind} ${e.id}: ${e.detail}`),
  });
  const what = r.built
    ? `built ${r.record.models.length} PyTorch models and ${r.record.datasets.length} datasets`
    : 'already built from this spec; nothing to do';
  console.log(`${what} (${r.seconds.toFixed(1)} s, spec ${r.record.specHash.slice(0, 12)})`);
}

async function list(o: DirOptions): Promise<void> {
  const models = new Table({ head: ['model', 'family', 'source task', 'labels', 'frozen'], style: { compact: true, head: [], border: [] } });
  for (const id of await listModelIds(o.hub)) {
    const card = await readCard(o.hub, id);
    models.push([id, card.family, card.sourceTask.name, String(card.labels.length), card.frozenLayers.join(',') || '-']);
  }
  console.log(`models in ${o.hub}\n${models.toString()}`);
  const datasets = new Table({ head: ['dataset', 'role', 'classes', 'features', 'format'], style: { compact: true, head: [], border: [] } });
  const ids = (await exists(o.datasets))
    ? (await fs.readdir(o.datasets, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
  for (const id of ids) {
    const m = await readManifest(o.datasets, id).catch(() => null);
    if (m) datasets.push([id, m.role, String(m.classes.length), m.featureShape.join('×'), m.format]);
  }
  console.log(`datasets in ${o.datasets}\n${datasets.toString()}`);
}

/** Fine-tune a newly added model on every benchmark and place it in its nearest cluster. */
async function placeNewModel(id: string, epochs: number): Promise<void> {
  const input = BuildMatrixInputSchema.parse({ models: [id], epochs, trainer: 'tfjs', clusterMode: 'place' });
  const r = await withSession((s) => runOffline(s.client, input));
  console.log(formatOffline(r));
  for (const p of r.placed) console.log(`${p.model} placed in cluster ${p.label}`);
}

async function add(dir: string, o: { hub: string; force: boolean }): Promise<string> {
  const backend = await pickBackend();
  const loaded = await loadModelDir(backend.tf, path.resolve(dir));
  disposeModels(loaded.model);
  const target = modelDir(o.hub, loaded.card.id);
  if ((await exists(target)) && !o.force)
    throw nonRetryable(ErrorType.InvalidInput, `Model ${loaded.card.id} already exists in ${o.hub}; use --force to replace it`);
  const staging = `${target}.adding-${process.pid}`;
  await fs.cp(path.resolve(dir), staging, { recursive: true });
  await fs.rm(target, { recursive: true, force: true });
  await fs.rename(staging, target);
  console.log(`added ${loaded.card.id} (${loaded.card.family}, ${loaded.card.labels.length} source labels) to ${o.hub}`);
  return loaded.card.id;
}

async function remove(id: string, hubDir: string): Promise<void> {
  await readCard(hubDir, id);
  await fs.rm(modelDir(hubDir, id), { recursive: true, force: true });
  console.log(`removed ${id} from ${hubDir}`);
}

async function record(o: DirOptions & { out: string; epochs: string; seed: string; backend?: string }): Promise<void> {
  const epochs = Number(o.epochs);
  const seed = Number(o.seed);
  if (!Number.isInteger(epochs) || epochs < 1) throw nonRetryable(ErrorType.InvalidInput, `--epochs is "${o.epochs}", but must be an integer >= 1`);
  if (!Number.isInteger(seed) || seed < 0) throw nonRetryable(ErrorType.InvalidInput, `--seed is "${o.seed}", but must be an integer >= 0`);
  const backend = await pickBackend({ prefer: o.backend });
  const r = await recordDemoHub({
    hubDir: o.hub,
    datasetsDir: o.datasets,
    outDir: path.resolve(o.out),
    backend,
    epochs,
    seed,
    onDataset: (e) => console.log(`[${e.done}/${e.total}] ${e.dataset}: ${e.kept ? 'already recorded' : `recorded in ${e.seconds.toFixed(1)} s`}`),
  });
  console.log(
    `${r.runs} runs (${r.models} models x ${r.datasets} datasets, ${epochs} epochs, seed ${seed}, ${backend.name}) in ${r.outDir} after ${r.seconds.toFixed(0)} s`,
  );
  console.log(`replay it: mselect replay --data ${r.outDir} --protocol loo`);
}

async function transfer(o: DirOptions & { targets?: string; epochs: string; markdown: boolean; backend?: string }): Promise<void> {
  const backend = await pickBackend({ prefer: o.backend });
  const datasets = o.targets
    ? o.targets
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : demoDatasetIds('target');
  const models = await listModelIds(o.hub);
  const demoOrder = DEMO_SPEC.models.map((m) => m.id);
  models.sort((a, b) => (demoOrder.indexOf(a) + 1 || Infinity) - (demoOrder.indexOf(b) + 1 || Infinity) || a.localeCompare(b));
  const table = await transferTable({ hubDir: o.hub, datasetsDir: o.datasets, backend, models, datasets, epochs: Number(o.epochs) });
  console.log(o.markdown ? markdownTable(table) : plainTable(table));
  transferSummary(table).forEach((s, d) => {
    const gap = table.metrics[d]?.metric === 'accuracy' ? `${s.gapPoints.toFixed(1)} points` : `${s.gapPoints.toFixed(3)} ${table.metrics[d]?.metric ?? ''}`;
    console.log(`${s.dataset}: best ${s.best}, worst ${s.worst}, gap ${gap}`);
  });
  console.log(`${models.length * datasets.length} fine-tunes of ${table.epochs} epochs on ${table.backend} in ${table.seconds.toFixed(1)} s`);
}

/** One model's row: accuracy in %, other metrics (RMSE) as they are; the best per dataset's direction in bold. */
function cells(t: TransferTable, m: number, bold: (s: string) => string): string[] {
  return t.datasets.map((_, d) => {
    const row = t.accuracy[d] ?? [];
    const v = row[m] ?? Number.NaN;
    const accuracy = (t.metrics[d]?.metric ?? 'accuracy') === 'accuracy';
    const text = accuracy ? (100 * v).toFixed(1) : v.toFixed(3);
    const best = t.metrics[d]?.direction === 'minimize' ? Math.min(...row) : Math.max(...row);
    return v === best ? bold(text) : text;
  });
}

function plainTable(t: TransferTable): string {
  const table = new Table({ head: ['model', ...t.datasets], style: { compact: true, head: [], border: [] } });
  t.models.forEach((model, m) => table.push([model, ...cells(t, m, (s) => `*${s}`)]));
  return table.toString();
}

function markdownTable(t: TransferTable): string {
  const lines = [`| model | ${t.datasets.join(' | ')} |`, `|---|${t.datasets.map(() => '---:').join('|')}|`];
  t.models.forEach((model, m) => lines.push(`| ${model} | ${cells(t, m, (s) => `**${s}**`).join(' | ')} |`));
  return lines.join('\n');
}

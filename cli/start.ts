import { Command, Option } from 'commander';
import { BuildMatrixInputSchema, SelectModelInputSchema } from '../contracts/schemas';
import { buildDemoHub } from '../demo/build';
import { buildTorchDemoHub, torchHubPaths } from '../demo/torch-build';
import { torchPython, torchUnavailable } from '../training/command-torch';
import { demoDatasetIds } from '../demo/spec';
import { pickBackend } from '../training/backend';
import { workerConfigFromEnv } from '../workers/config';
import { formatOffline, runOffline } from './offline';
import { openSession, startWorkers, waitForSignal } from './runtime';
import { runSelection, selectionTable } from './select';

const log = (l: string) => process.stderr.write(`${l}\n`);

/** Epochs of every demo fine-tune, offline and online. */
export const DEMO_EPOCHS = 4;

/**
 * The main job on the embedded default: dev server (web UI, SQLite) and both workers in this
 * process, the demo hub built once from MNIST, the offline phase for any missing cell, then a
 * selection on the first demo target, its summary and its report.
 */
async function mainJob(opts: { serve?: boolean; target?: string; trainer: 'tfjs' | 'torch' }): Promise<void> {
  const started = Date.now();
  if (opts.trainer === 'torch') usePyTorchRoots();
  const cfg = workerConfigFromEnv();
  const session = await openSession(log);
  const workers = await startWorkers(session.target, { orchestrator: true, gpu: true, slots: 1 });
  try {
    if (session.uiUrl) log(`Temporal web UI: ${session.uiUrl}`);
    const progress = (e: { done: number; total: number; kind: string; id: string; detail: string }): void =>
      void log(`  hub [${e.done}/${e.total}] ${e.kind} ${e.id}: ${e.detail}`);
    let hub;
    if (opts.trainer === 'torch') {
      log(`Compute backend: PyTorch through ${torchPython()} (trainers/torch; CUDA when available, else CPU)`);
      hub = await buildTorchDemoHub({ hubDir: cfg.hubDir, datasetsDir: cfg.datasetsDir, onProgress: progress });
    } else {
      const backend = await pickBackend();
      log(`Compute backend: ${backend.name}`);
      hub = await buildDemoHub({ hubDir: cfg.hubDir, datasetsDir: cfg.datasetsDir, backend, onProgress: progress });
    }
    log(
      hub.built
        ? `Demo hub built: ${hub.record.models.length} models, ${hub.record.datasets.length} datasets (${hub.seconds.toFixed(0)} s)`
        : `Demo hub ready in ${cfg.hubDir}`,
    );
    const offline = await runOffline(session.client, BuildMatrixInputSchema.parse({ trainer: opts.trainer, epochs: DEMO_EPOCHS, maxParallel: 2 }));
    log(formatOffline(offline));
    const target = opts.target ?? demoDatasetIds('target')[0] ?? '';
    const result = await runSelection(session.client, SelectModelInputSchema.parse({ target, trainer: opts.trainer, budgetEpochs: DEMO_EPOCHS }));
    console.log(selectionTable(result));
    log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    if (opts.serve) {
      log(`Serving the web UI at ${session.uiUrl ?? session.target.address} and the workers; press Ctrl-C to stop.`);
      await waitForSignal();
    }
  } finally {
    await workers.stop();
    await session.close();
  }
}

/**
 * The PyTorch main job keeps its own data folder, `data/torch/` (hub, datasets, store,
 * checkpoints, reports), so the tfjs and PyTorch demo hubs (same model ids) never mix;
 * MSELECT_* variables that are set still win. Fails with the install hint when PyTorch is missing.
 */
function usePyTorchRoots(): void {
  const missing = torchUnavailable();
  if (missing) throw new Error(missing);
  const roots = torchHubPaths();
  process.env.MSELECT_HUB = roots.hubDir;
  process.env.MSELECT_DATASETS = roots.datasetsDir;
  process.env.MSELECT_CHECKPOINTS = roots.checkpointDir;
  process.env.MSELECT_STORE = roots.storeDir;
  process.env.MSELECT_REPORTS = roots.reportDir;
}

export function startCommand(): Command {
  return new Command('start')
    .description('The main job on the embedded default: dev server + workers, demo hub, offline matrix, a selection and its report.')
    .option('--serve', 'keep the dev server, web UI and workers up afterwards (Ctrl-C to stop)')
    .option('--target <dataset>', 'demo target to select for (default: the first demo target)')
    .addOption(
      new Option('--trainer <name>', 'tfjs, or torch: the PyTorch demo hub fine-tuned by trainers/torch (data in data/torch/)')
        .choices(['tfjs', 'torch'])
        .default('tfjs'),
    )
    .action((o: { serve?: boolean; target?: string; trainer: 'tfjs' | 'torch' }) => mainJob(o));
}

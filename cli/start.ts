import { Command } from 'commander';
import { BuildMatrixInputSchema, SelectModelInputSchema } from '../contracts/schemas';
import { buildDemoHub } from '../hub/demo';
import { demoDatasetIds } from '../hub/demo-spec';
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
async function mainJob(opts: { serve?: boolean; target?: string }): Promise<void> {
  const started = Date.now();
  const cfg = workerConfigFromEnv();
  const session = await openSession(log);
  const workers = await startWorkers(session.target, { orchestrator: true, gpu: true, slots: 1 });
  try {
    if (session.uiUrl) log(`Temporal web UI: ${session.uiUrl}`);
    const backend = await pickBackend();
    log(`Compute backend: ${backend.name}`);
    const hub = await buildDemoHub({ hubDir: cfg.hubDir, datasetsDir: cfg.datasetsDir, backend, onProgress: (e) => log(`  hub [${e.done}/${e.total}] ${e.kind} ${e.id}: ${e.detail}`) });
    log(hub.built ? `Demo hub built: ${hub.record.models.length} models, ${hub.record.datasets.length} datasets (${hub.seconds.toFixed(0)} s)` : `Demo hub ready in ${cfg.hubDir}`);
    const offline = await runOffline(session.client, BuildMatrixInputSchema.parse({ trainer: 'tfjs', epochs: DEMO_EPOCHS, maxParallel: 2 }));
    log(formatOffline(offline));
    const target = opts.target ?? demoDatasetIds('target')[0] ?? '';
    const result = await runSelection(session.client, SelectModelInputSchema.parse({ target, trainer: 'tfjs', budgetEpochs: DEMO_EPOCHS }));
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

export function startCommand(): Command {
  return new Command('start')
    .description('The main job on the embedded default: dev server + workers, demo hub, offline matrix, a selection and its report.')
    .option('--serve', 'keep the dev server, web UI and workers up afterwards (Ctrl-C to stop)')
    .option('--target <dataset>', 'demo target to select for (default: the first demo target)')
    .action((o: { serve?: boolean; target?: string }) => mainJob(o));
}

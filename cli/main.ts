#!/usr/bin/env node
import { Command, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { plumbingCheck } from '../workflows';
import { TASK_QUEUES } from '../contracts/task-queues';
import { PlumbingCheckInputSchema } from '../contracts/schemas';
import { formatIssues } from '../contracts/parse';
import { openSession, startWorkers } from './runtime';

const log = (l: string) => process.stderr.write(`${l}\n`);

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function runPlumbingCheck(client: Awaited<ReturnType<typeof openSession>>['client'], raw: unknown) {
  const parsed = PlumbingCheckInputSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`plumbing check input: ${formatIssues(parsed.error.issues)}`);
  const workflowId = `plumbing-check-${randomUUID().slice(0, 8)}`;
  const handle = await client.workflow.start(plumbingCheck, { taskQueue: TASK_QUEUES.orchestration, workflowId, args: [parsed.data], staticSummary: `plumbing check: ${parsed.data.steps} steps, timer ${parsed.data.timer}` });
  log(`Started ${workflowId}`);
  return handle.result();
}

const program = new Command('mselect').description('Fast model selection from a model hub, on Temporal.');

program
  .command('start')
  .description('Set up and run the main job on the embedded default (dev server + workers + job).')
  .option('--serve', 'keep the dev server, web UI and workers up afterwards (Ctrl-C to stop)')
  .action(async (opts: { serve?: boolean }) => {
    const session = await openSession(log);
    const workers = await startWorkers(session.target, { orchestrator: true, gpu: true, slots: 1 });
    try {
      if (session.uiUrl) log(`Temporal web UI: ${session.uiUrl}`);
      const result = await runPlumbingCheck(session.client, {});
      console.log(JSON.stringify(result, null, 2));
      if (opts.serve) {
        log('Serving; press Ctrl-C to stop.');
        await waitForSignal();
      }
    } finally {
      await workers.stop();
      await session.close();
    }
  });

program
  .command('dev')
  .description('Run the dev server (web UI, SQLite) and both workers until Ctrl-C.')
  .action(async () => {
    const session = await openSession(log);
    const workers = await startWorkers(session.target, { orchestrator: true, gpu: true, slots: 1 });
    if (session.uiUrl) log(`Temporal web UI: ${session.uiUrl}`);
    log('Workers running on task queues mselect and mselect-gpu; press Ctrl-C to stop.');
    await waitForSignal();
    await workers.stop();
    await session.close();
  });

program
  .command('worker')
  .description('Run a worker against TEMPORAL_ADDRESS (or the embedded dev server).')
  .addOption(new Option('--role <role>', 'which worker').choices(['orchestrator', 'gpu', 'all']).default('all'))
  .option('--slots <n>', 'GPU worker concurrency: one per GPU', (v) => Number.parseInt(v, 10), 1)
  .action(async (opts: { role: 'orchestrator' | 'gpu' | 'all'; slots: number }) => {
    if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new Error(`--slots is ${opts.slots}, but must be an integer >= 1`);
    const session = await openSession(log);
    const workers = await startWorkers(session.target, { orchestrator: opts.role !== 'gpu', gpu: opts.role !== 'orchestrator', slots: opts.slots });
    log(`${opts.role} worker running; press Ctrl-C to stop.`);
    await waitForSignal();
    await workers.stop();
    await session.close();
  });

program
  .command('check')
  .description('Run the plumbing check workflow (heartbeats, timer, query, update) against running workers.')
  .option('--input <json>', 'workflow input as JSON', '{}')
  .action(async (opts: { input: string }) => {
    const session = await openSession(log);
    try {
      console.log(JSON.stringify(await runPlumbingCheck(session.client, JSON.parse(opts.input)), null, 2));
    } finally {
      await session.close();
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  log(`mselect: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

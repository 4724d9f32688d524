#!/usr/bin/env node
import { Command, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { plumbingCheck } from '../workflows';
import { TASK_QUEUES } from '../contracts/task-queues';
import { PlumbingCheckInputSchema } from '../contracts/schemas';
import { clusterCommand, startLocalS3 } from './cluster';
import { hubCommand } from './hub';
import { evaluateCommand } from './evaluate';
import { exportCommand } from './export';
import { gcCommand } from './gc';
import { importCommand } from './import';
import { offlineCommand } from './offline';
import { workflowResult } from './failure';
import { json, parseFlags, UsageError } from './options';
import { replayCommand } from './replay';
import { serveUntilSignal } from './runtime';
import { scheduleCommand } from './schedule';
import { selectCommand } from './select';
import { withSession } from './session';
import { startCommand } from './start';
import { reportCommand, statusCommand } from './status';

const log = (l: string) => process.stderr.write(`${l}\n`);

const program = new Command('mselect').description('Fast model selection from a model hub, on Temporal.');
program.addCommand(startCommand());
program.addCommand(hubCommand());
program.addCommand(offlineCommand());
program.addCommand(selectCommand());
program.addCommand(statusCommand());
program.addCommand(reportCommand());
program.addCommand(scheduleCommand());
program.addCommand(replayCommand());
program.addCommand(importCommand());
program.addCommand(evaluateCommand());
program.addCommand(exportCommand());
program.addCommand(clusterCommand());
program.addCommand(gcCommand());

program
  .command('dev')
  .description('Run the dev server (web UI, SQLite) and both workers until Ctrl-C.')
  .option('--s3', 'keep everything in a bucket of a local versitygw (S3) under data/s3, as a cluster does; the local hub is uploaded first')
  .action(async (opts: { s3?: boolean }) => {
    const s3 = opts.s3 ? await startLocalS3(log) : null;
    try {
      await serveUntilSignal(
        log,
        { orchestrator: true, gpu: true, slots: 1 },
        (session) =>
          `${session.uiUrl ? `Temporal web UI: ${session.uiUrl}\n` : ''}${s3 ? `Storage: ${process.env.MSELECT_STORAGE} at ${s3.endpoint}\n` : ''}Workers running on task queues ${TASK_QUEUES.orchestration} and ${TASK_QUEUES.gpu}; press Ctrl-C to stop.`,
      );
    } finally {
      await s3?.stop();
    }
  });

program
  .command('worker')
  .description('Run a worker against TEMPORAL_ADDRESS (or the embedded dev server).')
  .addOption(new Option('--role <role>', 'which worker').choices(['orchestrator', 'gpu', 'all']).default('all'))
  .option('--slots <n>', 'GPU worker concurrency: one per GPU', (v) => Number.parseInt(v, 10), 1)
  .option('--task-queue <name>', 'orchestration task queue; the GPU worker serves <name>-gpu', TASK_QUEUES.orchestration)
  .addOption(
    new Option('--trainer <name>', 'default trainer of fine-tunes that name none (env MSELECT_TRAINER); torch runs trainers/torch').choices(['tfjs', 'torch']),
  )
  .action(async (opts: { role: 'orchestrator' | 'gpu' | 'all'; slots: number; taskQueue: string; trainer?: 'tfjs' | 'torch' }) => {
    if (opts.trainer) process.env.MSELECT_TRAINER = opts.trainer;
    if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new UsageError(`--slots is ${opts.slots}, but must be an integer >= 1`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(opts.taskQueue))
      throw new UsageError(`--task-queue is ${JSON.stringify(opts.taskQueue)}, but must be letters, digits, ".", "_" or "-"`);
    const roles = { orchestrator: opts.role !== 'gpu', gpu: opts.role !== 'orchestrator', slots: opts.slots, taskQueue: opts.taskQueue };
    await serveUntilSignal(log, roles, () => `${opts.role} worker running on task queue ${opts.taskQueue}; press Ctrl-C to stop.`);
  });

program
  .command('check')
  .description('Run the plumbing check workflow (heartbeating GPU activity, timer, progress query, addSteps update).')
  .option('--input <json>', 'workflow input as JSON', '{}')
  .action(async (opts: { input: string }) => {
    const input = parseFlags(PlumbingCheckInputSchema, json('--input', opts.input));
    const result = await withSession(async (s) => {
      const workflowId = `plumbing-check-${randomUUID().slice(0, 8)}`;
      log(`Started ${workflowId}`);
      return workflowResult(await s.client.workflow.start(plumbingCheck, { taskQueue: TASK_QUEUES.orchestration, workflowId, args: [input] }));
    });
    console.log(JSON.stringify(result, null, 2));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  log(`mselect: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});

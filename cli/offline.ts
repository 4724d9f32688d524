import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { BuildMatrixInputSchema, type BuildMatrixInput, type BuildMatrixResult } from '../contracts/schemas';
import { TASK_QUEUES } from '../contracts/task-queues';
import { buildPerformanceMatrix } from '../workflows';
import { int, json, list, parseFlags } from './options';
import { matrixFrames, watch } from './progress';
import { withSession } from './session';

/** Start the offline phase and follow it with a progress bar; returns its result. */
export async function runOffline(client: Client, input: BuildMatrixInput, workflowId = `offline-${randomUUID().slice(0, 8)}`): Promise<BuildMatrixResult> {
  const handle = await client.workflow.start(buildPerformanceMatrix, {
    taskQueue: TASK_QUEUES.orchestration,
    workflowId,
    args: [input],
    staticSummary: `offline matrix: ${input.trainer} trainer, ${input.epochs} epochs, ${input.maxParallel} in parallel`,
  });
  process.stderr.write(`Started ${workflowId}\n`);
  return watch<BuildMatrixResult>(handle, matrixFrames);
}

export function formatOffline(r: BuildMatrixResult): string {
  const lines = [
    `${r.cellsComputed} cell(s) fine-tuned, ${r.cellsFailed} failed, in ${r.runs} run(s) (longest history ${r.maxHistoryEvents} events); store version ${r.storeVersion}, ${r.clusters} cluster(s).`,
  ];
  for (const f of r.failures.slice(0, 20)) lines.push(`  failed: ${f.model} on ${f.dataset}: ${f.error}`);
  return lines.join('\n');
}

export function offlineCommand(): Command {
  return new Command('offline')
    .description('Build the performance matrix: fine-tune every missing (model, benchmark) cell, then cluster (buildPerformanceMatrix workflow).')
    .option('--models <ids>', 'comma-separated models (default: the whole hub)', list)
    .option('--benchmarks <ids>', 'comma-separated benchmark datasets (default: every benchmark)', list)
    .option('--epochs <n>', 'epochs per fine-tune', int)
    .option('--trainer <name>', 'tfjs | torch | command | replay')
    .option('--max-parallel <n>', 'fine-tunes running at once', int)
    .option('--seed <n>', 'seed', int)
    .option('--input <json>', 'the whole workflow input as JSON (flags override it)')
    .option('--json', 'print the result as JSON')
    .action(async (o: Record<string, unknown>) => {
      const base = o.input ? (json('--input', String(o.input)) as Record<string, unknown>) : {};
      const flags = Object.fromEntries(
        Object.entries({ models: o.models, benchmarks: o.benchmarks, epochs: o.epochs, trainer: o.trainer, maxParallel: o.maxParallel, seed: o.seed }).filter(
          ([, v]) => v !== undefined,
        ),
      );
      const input = parseFlags(BuildMatrixInputSchema, { ...base, ...flags });
      const r = await withSession((s) => runOffline(s.client, input));
      console.log(o.json ? JSON.stringify(r, null, 2) : formatOffline(r));
    });
}

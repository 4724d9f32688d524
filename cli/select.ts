import { Command } from 'commander';
import Table from 'cli-table3';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { SelectModelInputSchema, type SelectModelInput, type SelectModelResult } from '../contracts/schemas';
import { TASK_QUEUES } from '../contracts/task-queues';
import { summaryLines } from '../report/selection-report';
import { eliminationOutcome, selectionDetails, selectionSummary } from '../contracts/progress-text';
import { pickPolicyOptions } from '../contracts/schemas/policy';
import { selectModel } from '../workflows';
import { int, json, parseFlags } from './options';
import { POLICY_NAMES, POLICY_OPTION_KEYS } from '../contracts/schemas/policy';
import { runRecallOnly, type RecallOnlyFlags } from './recall-only';
import { selectionFrames, watch } from './progress';
import { withSession } from './session';

const num = (v: string): number => (v.trim() === '' ? Number.NaN : Number(v));
const fmt = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4));

/** Terminal summary of a selection: the pick, cost, and every candidate's curve and fate. */
export function selectionTable(r: SelectModelResult): string {
  const fate = new Map(r.eliminations.map((e) => [e.model, e.outcome ?? eliminationOutcome(e)]));
  const t = new Table({ head: ['candidate', 'epochs', 'last validation', 'outcome'], style: { head: [], border: [], compact: true } });
  for (const m of r.candidates) {
    const c = r.curves[m] ?? [];
    t.push([m, String(c.length), fmt(c.at(-1)), m === r.pick ? 'PICK' : (fate.get(m) ?? 'survivor')]);
  }
  return [...summaryLines(r), t.toString(), r.reportPath ? `Report: ${r.reportPath}` : ''].filter(Boolean).join('\n');
}

/** Start a selection and follow it with a progress bar; returns its result. */
export async function runSelection(client: Client, input: SelectModelInput, workflowId = `select-${input.target}-${randomUUID().slice(0, 8)}`): Promise<SelectModelResult> {
  const handle = await client.workflow.start(selectModel, {
    taskQueue: TASK_QUEUES.orchestration, workflowId, args: [input],
    staticSummary: selectionSummary(input), staticDetails: selectionDetails(input, pickPolicyOptions(input)),
    searchAttributes: { MselectTarget: [input.target], MselectPolicy: [input.policy] },
  });
  process.stderr.write(`Started ${workflowId}\n`);
  return watch<SelectModelResult>(handle, selectionFrames);
}

/** The selectModel input from parsed `mselect select` flags (`--input` JSON, flags over it). Throws a UsageError naming the flag. */
export function selectInput(o: Readonly<Record<string, string | number | boolean | undefined>>): SelectModelInput {
  const base = o.input ? (json('--input', String(o.input)) as Record<string, unknown>) : {};
  const flags = Object.fromEntries(Object.entries({
    target: o.target, policy: o.policy, trainer: o.trainer, models: typeof o.models === 'string' ? o.models.split(',') : undefined,
    budgetEpochs: o.budgetEpochs, roundDeadline: o.roundDeadline, maxParallel: o.maxParallel, seed: o.seed,
    ...Object.fromEntries(POLICY_OPTION_KEYS.map((k) => [k, o[k]])),
  }).filter(([, v]) => v !== undefined));
  return parseFlags(SelectModelInputSchema, { ...base, ...flags });
}

export function selectCommand(): Command {
  return new Command('select')
    .description('Select the best model of the hub for a target dataset (selectModel workflow).')
    .requiredOption('--target <dataset>', 'target dataset id')
    .option('--policy <name>', POLICY_NAMES.join(' | '))
    .option('--trainer <name>', 'tfjs | command | replay')
    .option('--models <ids>', 'comma-separated candidate pool (default: every live model with history)')
    .option('--budget-epochs <n>', 'epochs a model is trained to at most', int)
    .option('--eta <x>', 'policy option: halving reduction factor (>= 2)', num)
    .option('--recall-size <n>', 'policy option: models kept by recall', int)
    .option('--fine-size <n>', 'policy option (two-phase-paper): recalled models handed to fine selection', int)
    .option('--clusters <n>', 'policy option: K of the convergence-trend k-means', int)
    .option('--cluster-threshold <x>', 'policy option (two-phase-paper): model clustering distance threshold', num)
    .option('--threshold <x>', 'policy option: trend-filter margin', num)
    .option('--threshold-mode <mode>', 'policy option: absolute | relative')
    .option('--trend <mode>', 'policy option (prior-shrink-halving): history-gap | none')
    .option('--shrink <mode>', 'policy option (prior-shrink-halving): empirical-bayes | none')
    .option('--proxy <name>', 'policy option: recall proxy (leep, logme, parc, nce, hscore, hscore-shrinkage, history-prior)')
    .option('--phase2 <name>', 'policy option (two-phase-paper): fine-selection | successive-halving')
    .option('--round-deadline <duration>', 'deadline of each round, e.g. 30m')
    .option('--max-parallel <n>', 'fine-tunes running at once', int)
    .option('--seed <n>', 'seed', int)
    .option('--input <json>', 'the whole workflow input as JSON (flags override it)')
    .option('--json', 'print the result as JSON')
    .option('--recall-only', 'no workflow, no training: the ranked shortlist from the matrix store (history prior, or prior × exp(--proxy)), with the figures behind each score')
    .option('--store <dir>', 'with --recall-only: the matrix store (default MSELECT_STORE)')
    .action(async (o: Record<string, string | number | boolean | undefined>) => {
      if (o.recallOnly) return void console.log(await runRecallOnly(o as unknown as RecallOnlyFlags));
      const input = selectInput(o);
      const r = await withSession((s) => runSelection(s.client, input));
      console.log(o.json ? JSON.stringify(r, null, 2) : selectionTable(r));
    });
}

import { Command, Option } from 'commander';
import { z } from 'zod';
import Table from 'cli-table3';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { SelectModelInputSchema, TrainerNameSchema, type SelectModelInput, type SelectModelResult } from '../contracts/schemas';
import { TASK_QUEUES } from '../contracts/task-queues';
import { summaryLines } from '../report/selection-report';
import { eliminationOutcome, selectionDetails, selectionSummary } from '../contracts/progress-text';
import { pickPolicyOptions } from '../contracts/schemas/policy';
import { selectModel } from '../workflows';
import { int, json, parseFlags } from './options';
import { POLICY_DEFAULTS, POLICY_NAMES, POLICY_OPTION_KEYS, PolicyOptionsSchema, type PolicyOptionKey } from '../contracts/schemas/policy';
import { runRecallOnly, type RecallOnlyFlags } from './recall-only';
import { selectionFrames, watch } from './progress';
import { withSession } from './session';

const num = (v: string): number => (v.trim() === '' ? Number.NaN : Number(v));
const fmt = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4));

/** Seconds as `1.25 s`, `42.0 s`, `12.5 min` or `3.20 h`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

/** Bytes as MiB or GiB. */
const formatBytes = (bytes: number | undefined): string =>
  bytes === undefined ? 'n/a' : bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** The fine-tuning time spent against the brute-force estimate from the offline timings. */
export function gpuTimeLine(r: Pick<SelectModelResult, 'gpuSecondsSpent' | 'bruteForceGpuSeconds' | 'epochsSpent'>): string {
  const spent = `GPU time: ${formatSeconds(r.gpuSecondsSpent ?? 0)} of fine-tuning`;
  const brute = r.bruteForceGpuSeconds;
  if (brute === null || brute === undefined) return `${spent} (no offline timings in the store for a brute-force estimate).`;
  const saved = brute > 0 ? `, ${Math.round(100 * (1 - (r.gpuSecondsSpent ?? 0) / brute))}% saved` : '';
  return `${spent} vs about ${formatSeconds(brute)} for brute force (from the offline epoch times${saved}).`;
}

/** Terminal summary of a selection: the pick, what the policy fell back from (warnings), cost in epochs and GPU time, and every candidate's curve, time and fate. */
export function selectionTable(r: SelectModelResult): string {
  const fate = new Map(r.eliminations.map((e) => [e.model, e.outcome ?? eliminationOutcome(e)]));
  const t = new Table({
    head: ['candidate', 'epochs', 'GPU time', 'peak memory', 'last validation', 'outcome'],
    style: { head: [], border: [], compact: true },
  });
  for (const m of r.candidates) {
    const c = r.curves[m] ?? [];
    t.push([
      m,
      String(c.length),
      formatSeconds(r.gpuSeconds?.[m] ?? 0),
      formatBytes(r.peakMemoryBytes?.[m]),
      fmt(c.at(-1)),
      m === r.pick ? 'PICK' : (fate.get(m) ?? 'survivor'),
    ]);
  }
  const warnings = (r.warnings ?? []).map((w) => `Warning: ${w}`);
  return [...summaryLines(r), ...warnings, gpuTimeLine(r), t.toString(), r.reportPath ? `Report: ${r.reportPath}` : ''].filter(Boolean).join('\n');
}

/** Start a selection and follow it with a progress bar; returns its result. */
export async function runSelection(
  client: Client,
  input: SelectModelInput,
  workflowId = `select-${input.target}-${randomUUID().slice(0, 8)}`,
  taskQueue: string = TASK_QUEUES.orchestration,
): Promise<SelectModelResult> {
  const handle = await client.workflow.start(selectModel, {
    taskQueue,
    workflowId,
    args: [input],
    staticSummary: selectionSummary(input),
    staticDetails: selectionDetails(input, pickPolicyOptions(input)),
    searchAttributes: { MselectTarget: [input.target], MselectPolicy: [input.policy] },
  });
  process.stderr.write(`Started ${workflowId}\n`);
  return watch<SelectModelResult>(handle, selectionFrames);
}

/** The selectModel input from parsed `mselect select` flags (`--input` JSON, flags over it). Throws a UsageError naming the flag. */
export function selectInput(o: Readonly<Record<string, string | number | boolean | undefined>>): SelectModelInput {
  const base = o.input ? (json('--input', String(o.input)) as Record<string, unknown>) : {};
  const flags = Object.fromEntries(
    Object.entries({
      target: o.target,
      policy: o.policy,
      trainer: o.trainer,
      models: typeof o.models === 'string' ? o.models.split(',') : undefined,
      budgetEpochs: o.budgetEpochs,
      roundDeadline: o.roundDeadline,
      maxParallel: o.maxParallel,
      seed: o.seed,
      keepCheckpoints: o.keepCheckpoints,
      ...Object.fromEntries(POLICY_OPTION_KEYS.map((k) => [k, o[k]])),
    }).filter(([, v]) => v !== undefined),
  );
  return parseFlags(SelectModelInputSchema, { ...base, ...flags });
}

/**
 * What each policy option does, for `--help`. The flags themselves (name, parser, choices,
 * the policies that take them) come from PolicyOptionsSchema and POLICY_DEFAULTS; this record
 * must name every option, so a new one cannot miss its flag.
 */
const POLICY_OPTION_HELP: Record<PolicyOptionKey, string> = {
  eta: 'halving reduction factor (>= 2)',
  recallSize: 'models kept by recall',
  fineSize: 'recalled models handed to fine selection',
  clusters: 'K of the convergence-trend k-means',
  clusterThreshold: 'model clustering distance threshold',
  threshold: 'trend-filter margin',
  thresholdMode: 'trend-filter margin mode',
  trend: 'validation-to-final trend',
  shrink: 'how rung validation meets the target evidence: shrunk toward it, combined by weights fitted on the history, or not',
  tuning:
    'choose recall size, grace period, trend, shrink, rung-keep, finalists and proxy slots by replaying the history (history) or use them as given (fixed)',
  gracePeriod: 'epochs every recalled model trains before the first cut',
  rungKeep: 'a rung of n keeps floor(n / eta) or ceil(n / eta), or tapers by one ratio per epoch to the finalists',
  finalists: 'with rung-keep taper: models trained to the budget, the pick made among them',
  proxySlots: "recalled models chosen by the target's proxy score alone, among those the evidence leaves out",
  tau: 'residual variance of the shrinkage: measured on the history datasets or on the rung',
  proxy: 'recall proxy',
  phase2: 'second phase',
};

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `--recall-size <n>` and the like: one flag per PolicyOptionsSchema key, parsed as the schema types it (zod still validates). */
export function policyOptionFlags(): Option[] {
  return POLICY_OPTION_KEYS.map((key) => {
    const field = PolicyOptionsSchema.shape[key].unwrap();
    const takers = POLICY_NAMES.filter((p) => key in POLICY_DEFAULTS[p]);
    const scope = takers.length <= 2 ? ` (${takers.join(', ')})` : '';
    const values = field instanceof z.ZodEnum ? `: ${(field.options as string[]).join(' | ')}` : '';
    const help = `policy option${scope}: ${POLICY_OPTION_HELP[key]}${values}`;
    if (field instanceof z.ZodNumber) return new Option(`--${kebab(key)} <${field.isInt ? 'n' : 'x'}>`, help).argParser(field.isInt ? int : num);
    return new Option(`--${kebab(key)} <name>`, help);
  });
}

export function selectCommand(): Command {
  const cmd = new Command('select')
    .description('Select the best model of the hub for a target dataset (selectModel workflow).')
    .requiredOption('--target <dataset>', 'target dataset id')
    .option('--policy <name>', POLICY_NAMES.join(' | '))
    .option('--trainer <name>', TrainerNameSchema.options.join(' | '))
    .option('--models <ids>', 'comma-separated candidate pool (default: every live model with history)')
    .option('--budget-epochs <n>', 'epochs a model is trained to at most', int);
  for (const flag of policyOptionFlags()) cmd.addOption(flag);
  return cmd
    .option('--round-deadline <duration>', 'deadline of each round, e.g. 30m')
    .option('--max-parallel <n>', 'fine-tunes running at once', int)
    .option('--seed <n>', 'seed', int)
    .option('--keep-checkpoints <which>', 'checkpoints left when the selection ends: pick (default; exportable with `mselect export model`) | all | none')
    .option('--input <json>', 'the whole workflow input as JSON (flags override it)')
    .option('--json', 'print the result as JSON')
    .option('--task-queue <name>', 'orchestration task queue of the workers (as `mselect worker --task-queue`)', TASK_QUEUES.orchestration)
    .option(
      '--recall-only',
      'no workflow, no training: the ranked shortlist from the matrix store (history prior, or prior × exp(--proxy)), with the figures behind each score',
    )
    .option('--store <dir>', 'with --recall-only: the matrix store (default MSELECT_STORE)')
    .action(async (o: Record<string, string | number | boolean | undefined>) => {
      if (o.recallOnly) return void console.log(await runRecallOnly(o as unknown as RecallOnlyFlags));
      const input = selectInput(o);
      const r = await withSession((s) => runSelection(s.client, input, undefined, String(o.taskQueue)));
      console.log(o.json ? JSON.stringify(r, null, 2) : selectionTable(r));
    });
}

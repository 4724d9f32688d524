/**
 * Record the workflow histories that test/workflows/replay-histories.test.ts replays:
 * buildPerformanceMatrix (a continue-as-new chain of two runs), selectModel under three
 * policies (one of them changed by a `setBudget` update mid-run) and plumbingCheck with an
 * `addSteps` update, all on the replay trainer over a small slice of the recorded NLP hub,
 * against a fresh in-memory dev server. Run `npm run record:histories` after changing
 * workflow code on purpose, and commit test/fixtures/histories/*.json.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createGpuActivities, type GpuActivities } from '../activities';
import { launchDevServer } from '../server/dev-server';
import { PROJECT_ROOT } from '../server/paths';
import { workerConfigFromEnv } from '../workers/config';
import { createGpuWorker, createOrchestratorWorker } from '../workers/create-workers';
import { historyToJson } from '../test/fixtures/histories/history-json';
import { buildPerformanceMatrix, plumbingCheck, selectModel } from '../workflows';
import { addStepsUpdate, plumbingProgressQuery, selectionProgressQuery, setBudgetUpdate } from '../workflows/messages';
import { gpuDeps } from '../workers/deps';

const OUT = resolve(PROJECT_ROOT, 'test', 'fixtures', 'histories');
const TASK_QUEUE = 'record-histories';
const MODELS = [
  'albert-base-v2',
  'bert-base-uncased',
  'distilbert-base-uncased',
  'roberta-base',
  'ishan--bert-base-uncased-mnli',
  'connectivity--bert_ft_qqp-1',
];
const BENCHMARKS = ['sst2', 'mrpc', 'qnli'];
const TARGET = 'mnli';

/** Fine-tunes answer after `ms`, so updates and queries land while a selection runs. */
function slowed(real: GpuActivities, ms: number): GpuActivities {
  return { ...real, fineTune: async (input) => (await new Promise((r) => setTimeout(r, ms)), real.fineTune(input)) };
}

async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (ok(await get())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Write the history of every run of a workflow id, following continue-as-new from `firstRunId`. */
async function save(client: Client, workflowId: string, firstRunId: string, name: string): Promise<void> {
  const histories = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  for (const [i, history] of histories.entries()) {
    const file = join(OUT, histories.length > 1 ? `${name}-run${i + 1}.json` : `${name}.json`);
    writeFileSync(file, `${JSON.stringify(historyToJson(history), null, 1)}\n`);
    process.stderr.write(`wrote ${file} (${history.events?.length ?? 0} events)\n`);
  }
}

async function record(): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'mselect-record-'));
  const config = workerConfigFromEnv({
    ...process.env,
    MSELECT_STORE: join(data, 'store'),
    MSELECT_CHECKPOINTS: join(data, 'checkpoints'),
    MSELECT_REPORTS: join(data, 'reports'),
  });
  if (!config.replayDir) throw new Error('recording needs the recorded runs of the replay trainer (MSELECT_REPLAY_DATA or ../shared/anchors/two-phase-nlp)');
  const env = await launchDevServer({ port: 0, ui: false, dbFile: null });
  const connection = await NativeConnection.connect({ address: env.address });
  try {
    const setup = { connection, namespace: env.namespace ?? 'default', taskQueue: TASK_QUEUE, config };
    const orchestrator = await createOrchestratorWorker(setup);
    const gpu = await createGpuWorker({ ...setup, slots: 4, activities: slowed(createGpuActivities(await gpuDeps(config)), 200) });
    await orchestrator.runUntil(gpu.runUntil(() => scenarios(env.client)));
  } finally {
    await connection.close();
    await env.teardown();
    rmSync(data, { recursive: true, force: true });
  }
}

async function scenarios(client: Client): Promise<void> {
  const start = { taskQueue: TASK_QUEUE };
  const offline = await client.workflow.start(buildPerformanceMatrix, {
    ...start,
    workflowId: 'history-offline',
    args: [{ models: MODELS, benchmarks: BENCHMARKS, epochs: 5, trainer: 'replay', maxParallel: 4, cellsPerRun: 10, commitEvery: 4 }],
  });
  await offline.result();
  await save(client, offline.workflowId, offline.firstExecutionRunId, 'build-performance-matrix');

  for (const policy of ['prior-shrink-halving', 'two-phase-paper'] as const) {
    const h = await client.workflow.start(selectModel, {
      ...start,
      workflowId: `history-select-${policy}`,
      args: [{ target: TARGET, policy, trainer: 'replay', budgetEpochs: 5, recallSize: 3 }],
    });
    await h.result();
    await save(client, h.workflowId, h.firstExecutionRunId, `select-model-${policy}`);
  }

  const budget = await client.workflow.start(selectModel, {
    ...start,
    workflowId: 'history-select-set-budget',
    args: [{ target: TARGET, policy: 'successive-halving', trainer: 'replay', budgetEpochs: 4 }],
  });
  await waitFor(
    () => budget.query(selectionProgressQuery),
    (p) => p.phase === 'training',
    'the first round',
  );
  await budget.executeUpdate(setBudgetUpdate, { args: [{ budgetEpochs: 3 }] });
  await budget.result();
  await save(client, budget.workflowId, budget.firstExecutionRunId, 'select-model-successive-halving-set-budget');

  const check = await client.workflow.start(plumbingCheck, { ...start, workflowId: 'history-plumbing-check', args: [{ steps: 2, stepMs: 10, timer: '1s' }] });
  await waitFor(
    () => check.query(plumbingProgressQuery),
    (p) => p.phase === 'waiting-timer',
    'the timer',
  );
  await check.executeUpdate(addStepsUpdate, { args: [{ steps: 1 }] });
  await check.result();
  await save(client, check.workflowId, check.firstExecutionRunId, 'plumbing-check-add-steps');
}

Runtime.install({ logger: new DefaultLogger('WARN') });
mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (f.endsWith('.json')) rmSync(join(OUT, f));
record().catch((e: unknown) => {
  process.stderr.write(`record-histories: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

/**
 * Orchestration benchmark on the embedded dev server with the replay trainer (no training
 * time), so what is measured is Temporal plus mselect's own overhead.
 *
 *   npm run bench:orchestration [-- --models 1000 --datasets 20 --gpu-workers 2]
 *
 * 1. Writes a synthetic recorded hub (replay/synthetic.ts: models × datasets runs of 5 epochs)
 *    in the anchors layout, in a temporary folder removed at the end.
 * 2. Starts a dev server (SQLite), one orchestrator worker process and N GPU worker processes.
 * 3. Runs buildPerformanceMatrix over every cell: activities per second, runs in the
 *    continue-as-new chain, the longest history of any run.
 * 4. Runs selectModel for one more dataset: wall time per round (training time is zero, so it
 *    is all orchestration overhead).
 * 5. Peak resident memory (VmHWM) of the server and every worker process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { Client, Connection } from '@temporalio/client';
import { launchDevServer } from '../server/dev-server';
import { PROJECT_ROOT } from '../server/paths';
import { syntheticRecordedHub, writeAnchorsDir } from '../replay/synthetic';
import { BuildMatrixInputSchema, SelectModelInputSchema, type BuildMatrixResult, type SelectModelResult } from '../contracts/schemas';
import { TASK_QUEUES } from '../contracts/task-queues';
import { buildPerformanceMatrix, selectModel } from '../workflows';

const ROOT = PROJECT_ROOT;

/** The synthetic recorded hub (replay/synthetic.ts): `models` × (`datasets` + 1 target) runs of 5 epochs, as an anchors folder. */
function writeSyntheticHub(dir: string, models: number, datasets: number, seed = 7): { datasets: readonly string[] } {
  const hub = syntheticRecordedHub({ models, datasets: datasets + 1, epochs: 5, families: Math.min(8, models), seed });
  writeAnchorsDir(dir, hub);
  return { datasets: hub.runs.datasets };
}

function peakRssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function serverPid(port: number): number | undefined {
  const out = spawnSync('pgrep', ['-f', `temporal server start-dev.*--port ${port}`], { encoding: 'utf8' }).stdout;
  const pid = Number(out.trim().split('\n')[0]);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

function worker(role: 'orchestrator' | 'gpu', env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'mselect.js'), 'worker', '--role', role, '--slots', '200'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (b: Buffer) => {
    const t = b.toString();
    if (/error/i.test(t)) process.stderr.write(`[${role} ${child.pid}] ${t}`);
  });
  return child;
}

/** Wait until the orchestrator polls for workflow tasks and every GPU worker polls for activities. */
async function waitForPollers(client: Client, gpuWorkers: number): Promise<void> {
  const pollers = async (name: string, type: 1 | 2): Promise<number> =>
    ((await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name }, taskQueueType: type })).pollers ?? []).length;
  for (let i = 0; i < 600; i++) {
    if ((await pollers(TASK_QUEUES.orchestration, 1)) >= 1 && (await pollers(TASK_QUEUES.gpu, 2)) >= gpuWorkers) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('workers did not start polling within 150 s');
}

async function main(o: { models: number; datasets: number; gpuWorkers: number }): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mselect-bench-orch-'));
  const hub = writeSyntheticHub(join(work, 'recorded'), o.models, o.datasets);
  const benchmarks = hub.datasets.slice(0, o.datasets);
  const target = hub.datasets[o.datasets] as string;
  const server = await launchDevServer({ port: 0, ui: false, dbFile: join(work, 'temporal.sqlite') });
  const port = Number(server.address.split(':').at(-1));
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    MSELECT_STORE: join(work, 'store'),
    MSELECT_REPLAY_DATA: join(work, 'recorded'),
    MSELECT_CHECKPOINTS: join(work, 'ckpt'),
    MSELECT_REPORTS: join(work, 'reports'),
  };
  const procs = [worker('orchestrator', env), ...Array.from({ length: o.gpuWorkers }, () => worker('gpu', env))];
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    await waitForPollers(client, o.gpuWorkers);
    const cells = o.models * o.datasets;
    const offlineInput = BuildMatrixInputSchema.parse({
      trainer: 'replay',
      epochs: 5,
      benchmarks,
      maxParallel: 400,
      cellsPerRun: 2000,
      commitEvery: 500,
      cluster: { method: 'kmeans', maxK: 8 },
    });
    let t = Date.now();
    const offline = (await client.workflow.execute(buildPerformanceMatrix, {
      taskQueue: TASK_QUEUES.orchestration,
      workflowId: 'bench-offline',
      args: [offlineInput],
    })) as BuildMatrixResult;
    const offlineSeconds = (Date.now() - t) / 1000;
    t = Date.now();
    const sel = (await client.workflow.execute(selectModel, {
      taskQueue: TASK_QUEUES.orchestration,
      workflowId: 'bench-select',
      args: [SelectModelInputSchema.parse({ target, trainer: 'replay', policy: 'successive-halving', budgetEpochs: 5, maxParallel: 400 })],
    })) as SelectModelResult;
    const selectSeconds = (Date.now() - t) / 1000;
    const mem = [
      ['server', peakRssMb(serverPid(port))],
      ['orchestrator worker', peakRssMb(procs[0]?.pid)],
      ...procs.slice(1).map((p, i) => [`GPU worker ${i + 1}`, peakRssMb(p.pid)]),
    ] as [string, number][];
    const table = new Table({ head: ['measure', 'value'], style: { head: [], border: [], compact: true } });
    table.push(
      ['offline cells (fine-tune activities)', `${offline.cellsComputed} of ${cells} (${offline.cellsFailed} failed)`],
      ['offline wall time', `${offlineSeconds.toFixed(1)} s`],
      ['fine-tune activities per second', (offline.cellsComputed / offlineSeconds).toFixed(1)],
      ['runs in the continue-as-new chain', String(offline.runs)],
      ['longest history of any run', `${offline.maxHistoryEvents} events`],
      ['selection: pool, rounds, fine-tune activities', `${sel.poolSize} models, ${sel.round} rounds, ${sel.epochsSpent} epochs`],
      ['selection wall time (training time 0)', `${selectSeconds.toFixed(1)} s`],
      ['orchestration overhead per round', `${(selectSeconds / Math.max(1, sel.round)).toFixed(2)} s`],
      ...mem.map(([k, v]) => [`peak memory, ${k}`, `${v.toFixed(0)} MB`]),
    );
    console.log(
      `Orchestration benchmark: ${o.models} models × ${o.datasets} datasets, ${o.gpuWorkers} GPU worker process(es), replay trainer, dev server with SQLite\n${table.toString()}`,
    );
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    await connection.close();
    await server.teardown();
    rmSync(work, { recursive: true, force: true });
  }
}

new Command('bench:orchestration')
  .option('--models <n>', 'models', (v) => Number(v), 1000)
  .option('--datasets <n>', 'benchmark datasets', (v) => Number(v), 20)
  .option('--gpu-workers <n>', 'GPU worker processes', (v) => Number(v), 2)
  .action((o: { models: number; datasets: number; gpuWorkers: number }) => main(o))
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.stderr.write(`bench:orchestration: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });

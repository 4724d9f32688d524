/**
 * A selection on the three-machine set-up, without and with `workerAffinity`: a Temporal dev
 * server and versitygw here; an orchestrator and two GPU worker processes, each with its own
 * empty data folder and, run as root, its own network namespace, sharing only Temporal and the
 * bucket (test/faults/helpers/cluster.ts, the harness of test/faults/three-machines.fault.ts).
 * The offline phase runs first (every model's history), then the two selections, the same but
 * for `workerAffinity`, taking turns `--repeat` times. Reported for each, summed over the
 * repetitions: where the fine-tunes that resumed from a checkpoint ran, checkpoint GETs and
 * bytes fetched from the bucket (counted by the GPU workers' checkpoint caches,
 * `<MSELECT_DATA>/checkpoints/.fetches.jsonl`, which log every fetch); per selection: the
 * checkpoint objects and bytes it left in the bucket, and the median wall time.
 *
 * It starts the fault tests' harness, which is not part of the build, so it runs from its
 * TypeScript source (`npm run bench:storage -- --selection` does that):
 *
 *   node -r ts-node/register/transpile-only bench/storage-selection.ts [--models 4] [--budget 4] [--max-parallel 2]
 *     [--epoch-seconds 1] [--width 6] [--keep-checkpoints pick] [--repeat 3]
 */
import { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Table from 'cli-table3';
import { manifestKey, runIdOfKey } from '../activities/checkpoints';
import type { SelectModelInput, SelectModelResult } from '../contracts/schemas';
import { openStorage } from '../storage';
import { buildPerformanceMatrix, selectModel } from '../workflows';
import { writeTinyModel } from '../test/hub/tiny-hub';
import { startCluster, type Proc } from '../test/faults/helpers/cluster';
import { BENCHMARK, TARGET, TF_BACKEND, makeHub, removeDir } from '../test/faults/helpers/fixtures';
import { activityRuns, placementOf, type Placement } from '../test/faults/helpers/history';
import { freshQueue } from '../test/faults/helpers/server';

interface Flags {
  models: number;
  budget: number;
  maxParallel: number;
  epochSeconds: number;
  width: number;
  keepCheckpoints: string;
  repeat: number;
}

const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
const PREFIX = 'bench/';
const SEED = 5;
const KiB = 1024;

/** Checkpoint fetches logged by the GPU workers' caches so far: count and bytes. */
async function fetched(gpus: readonly Proc[]): Promise<{ gets: number; bytes: number }> {
  let gets = 0;
  let bytes = 0;
  for (const p of gpus) {
    const text = await fs.readFile(path.join(p.dataDir, 'checkpoints', '.fetches.jsonl'), 'utf8').catch(() => '');
    for (const line of text.split('\n').filter(Boolean)) {
      gets += 1;
      bytes += (JSON.parse(line) as { bytes?: number }).bytes ?? 0;
    }
  }
  return { gets, bytes };
}

interface Run {
  readonly seconds: number;
  readonly fineTunes: number;
  readonly placement: Placement;
  readonly gets: number;
  readonly bytes: number;
  readonly leftObjects: number;
  readonly leftBytes: number;
  readonly pick: string | null;
}

const sum = (runs: readonly Run[], f: (r: Run) => number): number => runs.reduce((n, r) => n + f(r), 0);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(f: Flags): Promise<void> {
  const models = NAMES.slice(0, f.models);
  const hub = await makeHub(f.epochSeconds);
  // makeHub writes alpha and beta 6 wide; every model gets the width asked for.
  for (const [i, m] of models.entries()) await writeTinyModel(hub.hubDir, m, f.width, 1 + 4 * i);
  const cluster = await startCluster({ prefix: PREFIX, hub });
  try {
    const taskQueue = freshQueue('bench-selection');
    const [mo, ma, mb] = cluster.net?.list ?? [];
    const procs = await Promise.all([
      cluster.startMachine('orchestrator', taskQueue, mo),
      cluster.startMachine('gpu', taskQueue, ma),
      cluster.startMachine('gpu', taskQueue, mb),
    ]);
    const gpus = procs.filter((p) => p.role === 'gpu');
    const client = cluster.server.client;
    const common = { trainer: 'tfjs', seed: SEED, heartbeatTimeout: '3s' };
    const t0 = Date.now();
    await client.workflow.execute(buildPerformanceMatrix, {
      taskQueue,
      workflowId: `offline-${taskQueue}`,
      args: [{ models, benchmarks: [BENCHMARK], epochs: f.budget, maxParallel: 2, ...common }],
    });
    process.stderr.write(`  selection: offline phase ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    const checkpoints = openStorage(cluster.s3.settings(PREFIX)).sub('checkpoints/');
    const variants = [
      { name: 'without affinity', extra: {}, runs: [] as Run[] },
      { name: 'with affinity', extra: { workerAffinity: true }, runs: [] as Run[] },
    ];
    for (let i = 0; i < f.repeat; i++) {
      for (const v of variants) {
        const workflowId = `select-${v.name.replace(/ /g, '-')}-${i}-${taskQueue}`;
        const input = {
          target: TARGET,
          policy: 'successive-halving',
          budgetEpochs: f.budget,
          eta: 2,
          maxParallel: f.maxParallel,
          models,
          keepCheckpoints: f.keepCheckpoints,
          ...common,
          ...v.extra,
        } as SelectModelInput;
        const before = await fetched(gpus);
        const started = Date.now();
        const result: SelectModelResult = await client.workflow.execute(selectModel, { taskQueue, workflowId, args: [input] });
        const seconds = (Date.now() - started) / 1000;
        const after = await fetched(gpus);
        const runs = await activityRuns(client.workflow.getHandle(workflowId));
        const left = (await checkpoints.list('')).filter((o) => o.key === manifestKey(workflowId) || runIdOfKey(o.key)?.startsWith(`${workflowId}/`));
        v.runs.push({
          seconds,
          fineTunes: runs.filter((x) => x.type === 'fineTune' && x.result !== undefined).length,
          placement: placementOf(runs),
          gets: after.gets - before.gets,
          bytes: after.bytes - before.bytes,
          leftObjects: left.length,
          leftBytes: left.reduce((n, o) => n + o.size, 0),
          pick: result.pick ?? null,
        });
        process.stderr.write(`  selection: ${v.name} ${seconds.toFixed(0)} s\n`);
      }
    }
    console.log(
      `selection on three machines (${cluster.net ? 'network namespaces' : 'loopback'}: orchestrator + 2 GPU worker processes, 1 slot each, own data folders), ` +
        `${models.length} tiny models ${f.width} wide, successive halving to ${f.budget} epochs, eta 2, maxParallel ${f.maxParallel}, keepCheckpoints ${f.keepCheckpoints}, ` +
        `checkpoints in versitygw; backend ${TF_BACKEND}; ${f.repeat} selections each, taking turns (sums over them; left and wall time per selection)`,
    );
    const table = new Table({
      style: { head: [], border: [], compact: true },
      head: [
        'selections',
        'fine-tunes',
        'resumed',
        'resumed on the writer',
        'fell back to the shared queue',
        'checkpoint GETs',
        'KiB fetched',
        'checkpoint objects left per selection',
        'KiB left per selection',
        'wall s (median)',
        'picks',
      ],
    });
    for (const v of variants) {
      const r = v.runs;
      const per = (f: (x: Run) => number): string => [...new Set(r.map(f))].join(' / ');
      table.push([
        `${r.length} ${v.name}`,
        sum(r, (x) => x.fineTunes),
        sum(r, (x) => x.placement.resumes),
        sum(r, (x) => x.placement.onWriter),
        sum(r, (x) => x.placement.fallbacks),
        sum(r, (x) => x.gets),
        (sum(r, (x) => x.bytes) / KiB).toFixed(1),
        per((x) => x.leftObjects),
        per((x) => Number((x.leftBytes / KiB).toFixed(1))),
        median(r.map((x) => x.seconds)).toFixed(1),
        [...new Set(r.map((x) => x.pick ?? 'none'))].join(' / '),
      ]);
    }
    console.log(table.toString());
  } finally {
    await cluster.close();
    await removeDir(hub.root);
  }
}

const program = new Command()
  .option('--models <n>', `models in the selection (at most ${NAMES.length})`, (v) => Number(v), 4)
  .option('--budget <epochs>', 'epochs of the offline cells and the selection budget', (v) => Number(v), 4)
  .option('--max-parallel <n>', 'fine-tunes of a selection at once', (v) => Number(v), 2)
  .option('--epoch-seconds <s>', 'about how long an epoch of a 6-wide model takes', (v) => Number(v), 1)
  .option('--width <units>', 'hidden units of every model (the checkpoint grows with it: about 100 bytes per unit)', (v) => Number(v), 6)
  .option('--keep-checkpoints <what>', 'what the selections keep: pick, all or none', 'pick')
  .option('--repeat <n>', 'selections of each kind, taking turns', (v) => Number(v), 3);
program.parse();
main(program.opts<Flags>()).then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

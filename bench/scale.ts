/**
 * Scale benchmark: clustering, placement of a new model and the recall sweep on synthetic
 * hubs (bench/scale-hub.ts) of 1,000, 10,000 and 100,000 models × 50 benchmarks.
 *
 *   npm run bench:scale [-- --sizes 1000,10000,100000 --cluster-max 10000 --datasets 50]
 *
 * Every (step, size) runs in a fresh Node process, so its peak RSS is its own; memory is
 * reported as that peak minus the RSS after the hub was generated, and as the growth of
 * heap + array buffers while the step ran. Steps:
 *   cluster       clusterPaper (the default clustering) on the whole hub; up to --cluster-max
 *                 models (full hierarchical clustering needs n(n-1)/2 distances: 400 MB at
 *                 10,000, 40 GB at 100,000, so 100,000 is not clustered).
 *   place         nearestRepresentative for 1,000 new models against the hub's family
 *                 clustering (200 clusters at every size): time per model.
 *   place-api     placeInNearestCluster adding one new model (it also copies the clustering: O(n)).
 *   recall-prior  recall with the history prior (recallScores + top 10) over every model.
 *   recall-paper  recall with proxy scores (the paper's formula, singletons scored through the
 *                 representatives) over every model, family clustering with 3% outlier singletons.
 *   std-prior     standardizedPrior (z-scored history prior) over every model.
 * Growth exponent = log-log slope of the CPU time between consecutive sizes (CPU time, as wall
 * time on a shared machine mostly measures the other jobs).
 */
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { clusterPaper } from '../algorithms/cluster-paper';
import { nearestRepresentative, placeInNearestCluster, representativeVectors } from '../algorithms/cluster-place';
import { standardizedPrior } from '../algorithms/prior';
import { recall } from '../algorithms/recall';
import { familyClustering, scaleHub, type ScaleHub } from './scale-hub';

const STEPS = ['cluster', 'place', 'place-api', 'recall-prior', 'recall-paper', 'std-prior'] as const;
type Step = (typeof STEPS)[number];
const PLACED = 1000;

interface Measure {
  step: Step;
  models: number;
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  stepRssMb: number;
  heapDeltaMb: number;
  note: string;
}

const mb = (bytes: number): number => bytes / 2 ** 20;
const heapNow = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;

/** Runs one step; returns its note and, where set-up must not count, the seconds of the measured call. */
function runStep(step: Step, hub: ScaleHub): string | { note: string; seconds: number } {
  const m = hub.matrix;
  switch (step) {
    case 'cluster': {
      const c = clusterPaper(m);
      return `${new Set(c.labels).size} clusters, ${c.representatives.size} with a representative`;
    }
    case 'place': {
      const reps = representativeVectors(familyClustering(hub), m);
      let joined = 0;
      for (let i = 0; i < PLACED; i += 1) if (nearestRepresentative(hub.newModel(i), reps).distance <= 0.09) joined += 1;
      return `${reps.length} representatives; ${joined} of ${PLACED} joined a cluster; time is per model`;
    }
    case 'place-api': {
      const v = hub.newModel(0);
      const extended = {
        models: [...m.models, 'new'],
        datasets: m.datasets,
        values: Float64Array.from({ length: (m.models.length + 1) * m.datasets.length }, (_, k) => {
          const n = m.models.length + 1;
          const d = Math.floor(k / n);
          return k % n === n - 1 ? (v[d] ?? Number.NaN) : (m.values[d * (n - 1) + (k % n)] ?? Number.NaN);
        }),
      };
      const clustering = familyClustering(hub);
      const t0 = process.hrtime.bigint();
      const r = placeInNearestCluster(clustering, extended);
      return { note: `label ${r.placements[0]?.label}; time of the call only`, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
    }
    case 'recall-prior':
      return `top: ${recall(m, familyClustering(hub), { kind: 'prior' }, 10).slice(0, 2).join(', ')}`;
    case 'recall-paper': {
      const clustering = familyClustering(hub);
      const scores = new Map(m.models.map((id, i) => [id, -1 - ((i * 2654435761) % 1000) / 1000]));
      const size = new Map<number, number>();
      clustering.labels.forEach((l) => size.set(l, (size.get(l) ?? 0) + 1));
      const singletons = clustering.labels.filter((l) => size.get(l) === 1).length;
      return `top: ${recall(m, clustering, { kind: 'scores', scores }, 10).slice(0, 2).join(', ')}; ${singletons} singletons, ${clustering.representatives.size} representatives`;
    }
    case 'std-prior':
      return `${standardizedPrior(m).filter(Number.isFinite).length} scored`;
  }
}

/** Child mode: build the hub, run one step, print one JSON line. */
function child(step: Step, models: number, datasets: number): void {
  const hub = scaleHub({ models, datasets });
  const rss0 = process.memoryUsage().rss;
  const heap0 = heapNow();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = runStep(step, hub);
  const note = typeof result === 'string' ? result : result.note;
  const wall = typeof result === 'string' ? Number(process.hrtime.bigint() - t0) / 1e9 : result.seconds;
  const cpu = process.cpuUsage(cpu0);
  const peak = process.resourceUsage().maxRSS * 1024;
  const per = step === 'place' ? PLACED : 1;
  const out: Measure = {
    step,
    models,
    wallS: wall / per,
    cpuS: (cpu.user + cpu.system) / 1e6 / per,
    peakRssMb: mb(peak),
    stepRssMb: mb(Math.max(0, peak - rss0)),
    heapDeltaMb: mb(heapNow() - heap0),
    note,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function measure(step: Step, models: number, datasets: number): Measure {
  const r = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=8192',
      '-r',
      'ts-node/register/transpile-only',
      __filename,
      '--child',
      step,
      '--models',
      String(models),
      '--datasets',
      String(datasets),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${step} at ${models} models failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Measure;
}

function time(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(1)} ms` : `${(s * 1e6).toFixed(1)} µs`;
}

function table(rows: readonly Measure[]): string {
  const out = [
    '| step | models | wall | CPU | growth exponent (CPU) | peak RSS (MB) | step RSS (MB) | heap Δ (MB) | note |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  rows.forEach((r, i) => {
    const prev = rows[i - 1];
    const slope = prev && prev.step === r.step ? (Math.log(r.cpuS / prev.cpuS) / Math.log(r.models / prev.models)).toFixed(2) : '';
    out.push(
      `| ${r.step} | ${r.models.toLocaleString('en-US')} | ${time(r.wallS)} | ${time(r.cpuS)} | ${slope} | ${r.peakRssMb.toFixed(0)} | ${r.stepRssMb.toFixed(0)} | ${r.heapDeltaMb.toFixed(1)} | ${r.note} |`,
    );
  });
  return out.join('\n');
}

function main(): void {
  const o = new Command()
    .option('--sizes <list>', 'hub sizes (models)', '1000,10000,100000')
    .option('--cluster-max <n>', 'largest hub that is clustered', '10000')
    .option('--datasets <n>', 'benchmarks per hub', '50')
    .option('--steps <list>', `some of ${STEPS.join(',')}`, STEPS.join(','))
    .option('--child <step>', 'internal: run one step')
    .option('--models <n>', 'internal: hub size of --child')
    .parse()
    .opts<{ sizes: string; clusterMax: string; datasets: string; steps: string; child?: Step; models?: string }>();
  const datasets = Number(o.datasets);
  if (o.child !== undefined) return child(o.child, Number(o.models), datasets);
  const steps = o.steps.split(',').filter((s): s is Step => (STEPS as readonly string[]).includes(s));
  const rows: Measure[] = [];
  for (const step of steps) {
    for (const models of o.sizes.split(',').map(Number)) {
      if (step === 'cluster' && models > Number(o.clusterMax)) continue;
      const r = measure(step, models, datasets);
      console.error(`${step} ${models}: ${time(r.wallS)} (${r.note})`);
      rows.push(r);
    }
  }
  console.log(table(rows));
}

main();

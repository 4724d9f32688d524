/**
 * Selection-policy benchmark on the honest leave-one-dataset-out replay (every dataset
 * with >= 25 recorded models is the target in turn, the whole pool, a 5-epoch budget).
 *
 *   npm run bench:selection [-- --data <anchors dir>] [-- --out <html file>]
 *
 * 1. Targets are split into two fixed halves: names sorted, alternating (even positions
 *    tune, odd positions report).
 * 2. prior-shrink-halving's recallSize x eta grid is evaluated on the tuning half only; the
 *    lowest mean regret within 15% of brute-force cost is kept.
 * 3. Every policy (baselines, the tuned one, its ablations) runs on all targets; the table
 *    gives mean / median regret (points), P(pick is best) and cost / brute force on the
 *    tuning half, the reporting half and all targets; a regret-vs-cost plot goes to
 *    report/out/selection-bench.html.
 */
import { Command } from 'commander';
import Table from 'cli-table3';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../server/paths';
import { loadAnchors } from '../replay/load';
import { looCases, type ReplayCase } from '../replay/protocols';
import { evaluatePolicy, summarize, type CaseResult, type PolicySummary } from '../replay/evaluate';
import { splitHalves, tune } from '../replay/tuning';
import { policyFromSpec } from '../algorithms/policies';
import { DEFAULT_REPLAY_DATA } from '../cli/replay';
import { plotHtml, writePage, type PlotJson } from '../report/plot-html';

const MAX_COST = 0.15;
const GRID = [8, 10, 12, 14, 16, 18, 20].flatMap((k) => [2, 3].map((eta) => `prior-shrink-halving:recallSize=${k};eta=${eta}`));
const BASELINES = ['brute-force', 'brute-force-best-epoch', 'successive-halving', 'successive-halving:eta=3', 'fine-selection', 'two-phase-paper'];
const ABLATIONS = (chosen: string): string[] => {
  const sep = chosen.includes(':') ? ';' : ':';
  return ['shrink=none', 'trend=none', 'trend=none;shrink=none'].map((p) => `${chosen}${sep}${p}`);
};

interface Row {
  readonly spec: string;
  readonly tune: PolicySummary;
  readonly report: PolicySummary;
  readonly all: PolicySummary;
}

function subset(results: readonly CaseResult[], cases: readonly ReplayCase[]): CaseResult[] {
  const targets = new Set(cases.map((c) => c.task.target));
  return results.filter((r) => targets.has(r.target));
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const cells = (s: PolicySummary): string[] => [s.meanRegret.toFixed(2), s.medianRegret.toFixed(2), s.pBest.toFixed(2), pct(s.costFraction)];

function resultTable(rows: readonly Row[], halves: { tune: number; report: number }): string {
  const t = new Table({
    head: [
      'policy',
      ...[`tune (${halves.tune})`, `report (${halves.report})`, `all (${halves.tune + halves.report})`].flatMap((h) => [
        `${h} mean`,
        'median',
        'P(best)',
        'cost',
      ]),
    ],
    style: { head: [], border: [] },
  });
  for (const r of rows) t.push([r.spec, ...cells(r.tune), ...cells(r.report), ...cells(r.all)]);
  return t.toString();
}

function gridTable(grid: readonly PolicySummary[], chosen: string): string {
  const t = new Table({ head: ['candidate (tuning half)', 'mean regret', 'median', 'P(best)', 'cost'], style: { head: [], border: [] } });
  for (const s of grid) t.push([s.policy === chosen ? `${s.policy}  <- chosen` : s.policy, ...cells(s)]);
  return t.toString();
}

function plotTraces(rows: readonly Row[], grid: readonly PolicySummary[]): PlotJson[] {
  const point = (key: 'tune' | 'report' | 'all', symbol: string): PlotJson => ({
    type: 'scatter',
    mode: 'markers+text',
    name: `${key} half${key === 'all' ? 's' : ''}`.replace('all halfs', 'all targets'),
    x: rows.map((r) => r[key].costFraction * 100),
    y: rows.map((r) => r[key].meanRegret),
    text: key === 'all' ? rows.map((r) => r.spec) : [],
    textposition: 'top center',
    marker: { size: 10, symbol },
  });
  const tuning: PlotJson = {
    type: 'scatter',
    mode: 'markers',
    name: 'tuning grid (tuning half)',
    x: grid.map((s) => s.costFraction * 100),
    y: grid.map((s) => s.meanRegret),
    text: grid.map((s) => s.policy),
    marker: { size: 6, color: 'lightgray' },
  };
  return [tuning, point('tune', 'circle-open'), point('report', 'square-open'), point('all', 'diamond')];
}

async function run(dataDir: string, outFile: string): Promise<void> {
  const cases = looCases(await loadAnchors(dataDir));
  const halves = splitHalves(cases);
  process.stdout.write(`loo on ${dataDir}: ${cases.length} targets; tuning half: ${halves.tune.map((c) => c.task.target).join(', ')}\n`);
  const tuned = await tune(GRID, halves.tune, MAX_COST);
  process.stdout.write(`${gridTable(tuned.grid, tuned.chosen)}\n`);
  const rows: Row[] = [];
  for (const spec of [...BASELINES, tuned.chosen, ...ABLATIONS(tuned.chosen)]) {
    const policy = policyFromSpec(spec);
    const all = await evaluatePolicy(policy, cases);
    rows.push({ spec: policy.name, tune: summarize(subset(all, halves.tune)), report: summarize(subset(all, halves.report)), all: summarize(all) });
  }
  process.stdout.write(`${resultTable(rows, { tune: halves.tune.length, report: halves.report.length })}\n`);
  const caption = `Mean regret (points of test accuracy vs the best model in the pool) against cost (% of brute force), leave-one-dataset-out over ${cases.length} targets. Tuning half: ${halves.tune.map((c) => c.task.target).join(', ')}.`;
  const html = plotHtml({
    title: 'Model selection on recorded curves: regret vs cost',
    traces: plotTraces(rows, tuned.grid),
    layout: { xaxis: { title: { text: 'cost, % of brute force' } }, yaxis: { title: { text: 'mean regret (points)' } } },
    caption,
  });
  await writePage(outFile, html);
  process.stdout.write(`plot written to ${outFile}\n`);
}

const program = new Command('bench:selection')
  .option('--data <dir>', 'anchors directory', DEFAULT_REPLAY_DATA)
  .option('--out <file>', 'HTML plot', resolve(PROJECT_ROOT, 'report', 'out', 'selection-bench.html'))
  .action(async (o: { data: string; out: string }) => run(resolve(o.data), resolve(o.out)));

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

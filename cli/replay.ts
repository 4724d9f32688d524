/**
 * `mselect replay`: evaluate selection policies on recorded fine-tuning curves, without
 * training. `--protocol paper` replays Table VI of the two-phase paper; `--protocol loo`
 * is the honest leave-one-dataset-out evaluation.
 */
import { Command } from 'commander';
import Table from 'cli-table3';
import { resolve } from 'node:path';
import { DEFAULT_REPLAY_DIR } from '../server/paths';
import { ReplayCommandInputSchema } from '../contracts/schemas/replay';
import { formatIssues } from '../contracts/parse';
import { DEFAULT_METHODS, runReplay, type ReplayReport } from '../replay/run';
import { PUBLISHED_TABLE_VI } from '../replay/protocols';

/** Default data directory: `../shared/anchors/two-phase-nlp` relative to the project root. */
export const DEFAULT_REPLAY_DATA = DEFAULT_REPLAY_DIR;

const fixed = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** Per-target table: the pick's test score and the epochs spent, per method. */
export function caseTable(report: ReplayReport): string {
  const published = report.protocol === 'paper';
  const head = ['target', 'best in pool', ...report.methods.map((m) => m.summary.policy), ...(published ? ['published two-phase'] : [])];
  const table = new Table({ head, style: { head: [], border: [] } });
  report.targets.forEach((target, i) => {
    const cells = report.methods.map((m) => {
      const c = m.cases[i];
      return c === undefined ? '' : `${fixed(c.pickTest)} @ ${c.epochs} ep`;
    });
    const pub = PUBLISHED_TABLE_VI[target as keyof typeof PUBLISHED_TABLE_VI];
    const extra = published && pub !== undefined ? [`${fixed(pub.twoPhaseAcc)} @ ${pub.twoPhaseEpochs} ep`] : [];
    table.push([target, fixed(report.methods[0]?.cases[i]?.bestTest ?? Number.NaN), ...cells, ...extra]);
  });
  return table.toString();
}

/** One row per method: mean, median and worst-target regret (points), P(pick is best), cost vs brute force. */
export function summaryTable(report: ReplayReport): string {
  const table = new Table({
    head: ['method', 'mean regret', 'median regret', 'worst target', 'P(best)', 'cost / brute force', 'mean epochs'],
    style: { head: [], border: [] },
  });
  for (const { summary: s } of report.methods) {
    table.push([
      s.policy,
      fixed(s.meanRegret),
      fixed(s.medianRegret),
      fixed(s.maxRegret),
      fixed(s.pBest),
      `${fixed(s.costFraction * 100, 1)}%`,
      fixed(s.meanEpochs, 1),
    ]);
  }
  return table.toString();
}

/** The `replay` subcommand, ready to add to the `mselect` program. */
export function replayCommand(): Command {
  return new Command('replay')
    .description("Evaluate selection policies on recorded curves (no training): the paper's Table VI or leave-one-dataset-out.")
    .option('--data <dir>', 'anchors directory (curves.csv, history_matrix.tsv, proxy/)', DEFAULT_REPLAY_DATA)
    .option('--protocol <protocol>', 'paper | loo', 'paper')
    .option('--methods <specs...>', 'policy specs, e.g. brute-force successive-halving:eta=3 (default: per protocol)')
    .option('--seed <n>', 'seed given to every task', '1')
    .option('--min-models <n>', 'loo: smallest pool a target dataset needs (default: 25, or every recorded model when fewer)')
    .option('--json', 'print the full report as JSON')
    .action(async (raw: Record<string, unknown>) => {
      const parsed = ReplayCommandInputSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`replay options: ${formatIssues(parsed.error.issues)}`);
      const o = parsed.data;
      const report = await runReplay({
        dataDir: resolve(o.data),
        protocol: o.protocol,
        methods: o.methods ?? DEFAULT_METHODS[o.protocol],
        seed: o.seed,
        minModels: o.minModels,
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${report.protocol} protocol on ${report.dataDir}: ${report.targets.length} targets\n`);
      process.stdout.write(`${caseTable(report)}\n${summaryTable(report)}\n`);
    });
}

import { Command, Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SelectModelResult } from '../contracts/schemas';
import {
  writeAnchorsFromStore,
  cellsArrow,
  cellsParquet,
  wideParquet,
  exportMatrix,
  InteropUsageError,
  longCsv,
  openExistingStore,
  proxiesCsv,
  selectionCsv,
  storeDirOf,
  wideCsv,
} from '../interop';
import { workflowResult } from './failure';
import { int, UsageError } from './options';
import { withSession } from './session';
import { exportModelCommand } from './export-model';

const FORMATS = ['csv', 'wide', 'proxies', 'json', 'arrow', 'parquet', 'wide-parquet'] as const;
type MatrixFormat = (typeof FORMATS)[number];

function emit(out: string | undefined, data: string | Uint8Array): void {
  if (out === undefined) {
    if (typeof data !== 'string') throw new UsageError('--format arrow, parquet and wide-parquet write binary: name a file with --out <file>');
    process.stdout.write(data);
    return;
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(resolve(out), data);
  process.stderr.write(`wrote ${resolve(out)}\n`);
}

/** The matrix of a store version in one of FORMATS. */
export async function matrixExport(o: { store?: string; format: MatrixFormat; version?: number }): Promise<string | Uint8Array> {
  try {
    const snap = await openExistingStore(storeDirOf(o.store)).snapshot(o.version);
    const m = await exportMatrix(snap);
    switch (o.format) {
      case 'csv':
        return longCsv(m);
      case 'wide':
        return wideCsv(m);
      case 'proxies':
        return proxiesCsv(m);
      case 'json':
        return `${JSON.stringify(m, null, 2)}\n`;
      case 'arrow':
        return cellsArrow(m);
      case 'parquet':
        return cellsParquet(m);
      case 'wide-parquet':
        return wideParquet(m);
    }
  } catch (e) {
    if (e instanceof InteropUsageError) throw new UsageError(e.message);
    throw e;
  }
}

export function exportCommand(): Command {
  const cmd = new Command('export').description('Export the stored matrix or a finished selection for notebooks (CSV, JSON, Arrow IPC, Parquet).');
  cmd
    .command('matrix')
    .description('The matrix of the store: long CSV (re-importable), wide CSV, proxy scores CSV, JSON, Arrow IPC, long or wide Parquet.')
    .option('--store <dir>', 'matrix store; default MSELECT_STORE')
    .addOption(
      new Option('--format <f>', 'csv (long, with ep1.. curves) | wide | proxies | json | arrow | parquet (long, re-importable) | wide-parquet')
        .choices(FORMATS)
        .default('csv'),
    )
    .option('--version <n>', 'store version (default: the head)', int)
    .option('--out <file>', 'write to a file (default: stdout)')
    .action(async (o: { store?: string; format: MatrixFormat; version?: number; out?: string }) => emit(o.out, await matrixExport(o)));
  cmd
    .command('anchors')
    .description(
      'The runs with curves as an anchors folder (curves.csv, datasets.tsv, proxy/): point MSELECT_REPLAY_DATA at it to replay selections on imported curves.',
    )
    .option('--store <dir>', 'matrix store; default MSELECT_STORE')
    .requiredOption('--out <dir>', 'folder to write')
    .action(async (o: { store?: string; out: string }) => {
      try {
        const w = await writeAnchorsFromStore(await openExistingStore(storeDirOf(o.store)).snapshot(), resolve(o.out));
        console.log(
          `wrote ${w.dir}: ${w.runs} runs with curves${w.withoutCurve ? ` (${w.withoutCurve} without a curve left out)` : ''}, ${w.proxyFiles} proxy files`,
        );
      } catch (e) {
        if (e instanceof InteropUsageError) throw new UsageError(e.message);
        throw e;
      }
    });
  cmd
    .command('selection')
    .description('The result of a finished selectModel workflow: one row per candidate (epochs, last validation, recall score, outcome).')
    .argument('<workflowId>')
    .addOption(new Option('--format <f>', 'json | csv').choices(['json', 'csv']).default('json'))
    .option('--out <file>', 'write to a file (default: stdout)')
    .action(async (id: string, o: { format: 'json' | 'csv'; out?: string }) => {
      const r = await withSession(async (s) => workflowResult<SelectModelResult>(s.client.workflow.getHandle(id)), { workers: 'never' });
      emit(o.out, o.format === 'csv' ? selectionCsv(r) : `${JSON.stringify(r, null, 2)}\n`);
    });
  cmd.addCommand(exportModelCommand());
  return cmd;
}

import { Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  applyImport,
  arrowToCsv,
  isArrowFile,
  isParquetFile,
  parquetToCsv,
  describePlan,
  ImportFormatError,
  InteropUsageError,
  parseImport,
  planImport,
  storeDirOf,
  storeState,
} from '../interop';
import { openStore } from '../matrix-store';
import { DIRECTIONS, type Direction } from '../algorithms/types';
import { UsageError } from './options';

interface ImportFlags {
  store?: string;
  dryRun?: boolean;
  replace?: boolean;
  metric: string;
  direction: Direction;
  taskType: string;
}

/** The file as CSV text: CSV/TSV as is, Arrow IPC and Parquet converted (same columns). */
async function readInput(file: string): Promise<string> {
  try {
    const binary = isArrowFile(file)
      ? { kind: 'an Arrow IPC', toCsv: arrowToCsv }
      : isParquetFile(file)
        ? { kind: 'a readable Parquet', toCsv: parquetToCsv }
        : null;
    if (!binary) return readFileSync(file, 'utf8');
    const bytes = readFileSync(file);
    try {
      return await binary.toCsv(bytes);
    } catch (e) {
      throw new UsageError(`${file}: not ${binary.kind} file (${(e as Error).message})`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** Import (or with --dry-run, compare) each file; one store version per file. Returns the printed lines. */
export async function runImport(files: readonly string[], o: ImportFlags, log: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const dir = storeDirOf(o.store);
  const exists = existsSync(join(dir, 'mselect-store.json'));
  if (!exists && !o.dryRun) log(`creating a new matrix store at ${dir}`);
  const store = exists || !o.dryRun ? openStore({ dir, create: !exists }) : null;
  for (const file of files) {
    const t0 = performance.now();
    const parsed = parseImport(file, await readInput(file), { metric: o.metric, direction: o.direction });
    const state = store
      ? await storeState(await store.snapshot())
      : { version: 0, models: new Set<string>(), datasets: new Map(), cells: new Map(), proxies: new Map() };
    const plan = planImport(parsed, state);
    describePlan(plan).forEach((l) => log(l));
    if (o.dryRun || !store) {
      log(`  dry run: nothing written (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
      continue;
    }
    const r = await applyImport(store, plan, { replace: o.replace, taskType: o.taskType });
    log(
      `  wrote store version ${r.version}: ${r.cells} cells, ${r.proxies} proxy scores${r.replaced ? `, ${r.replaced} superseded values` : ''} (${((performance.now() - t0) / 1000).toFixed(2)} s)`,
    );
  }
}

export function importCommand(): Command {
  return new Command('import')
    .description('Import a performance matrix (long or wide CSV/TSV, optional per-epoch curves) or proxy scores into the matrix store.')
    .argument(
      '<files...>',
      'CSV, TSV, Arrow IPC (.arrow) or Parquet (.parquet) files: long (model,dataset,<metric>[,ep1..][,split][,direction]), wide (model,<dataset>...) or proxies (model,dataset,proxy,value)',
    )
    .option('--store <dir>', 'matrix store (created when absent); default MSELECT_STORE')
    .option('--dry-run', 'print what would change (new cells, changed values, models, datasets, scale and chance-level checks, duplicates) and write nothing')
    .option('--replace', 'supersede stored values the file changes, in a new store version (without it such an import is refused with the list of conflicts)')
    .option('--metric <name>', 'metric name when the file does not name one (a "value" column or a wide matrix)', 'accuracy')
    .addOption(new Option('--direction <d>', 'metric direction when the file has no direction column').choices(DIRECTIONS).default('maximize'))
    .option('--task-type <name>', 'task type recorded for new datasets', 'imported')
    .action(async (files: string[], o: ImportFlags) => {
      try {
        await runImport(files, o);
      } catch (e) {
        if (e instanceof ImportFormatError || e instanceof InteropUsageError) throw new UsageError(e.message);
        throw e;
      }
    });
}

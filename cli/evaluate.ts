import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluateRecall, evaluationInput, EvaluationInputError, evaluationJson, evaluationPage, evaluationText } from '../evaluation';
import { InteropUsageError, openExistingStore, storeDirOf } from '../interop';
import { int, list, UsageError } from './options';

interface EvaluateFlags {
  store?: string;
  targets?: string;
  minModels: number;
  k: number;
  version?: number;
  json?: boolean;
  html?: string;
  perTarget?: boolean;
}

/** `mselect evaluate`: leave-one-dataset-out rank quality of the history prior, every stored proxy and prior × exp(proxy). */
export async function runEvaluate(o: EvaluateFlags): Promise<string> {
  const t0 = performance.now();
  for (const [flag, v, min] of [
    ['--min-models', o.minModels, 2],
    ['--k', o.k, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new UsageError(`${flag} is ${v}, but must be an integer >= ${min}`);
  }
  const dir = storeDirOf(o.store);
  const store = openExistingStore(dir);
  const snap = await store.snapshot(o.version);
  if (snap.version === 0) throw new InteropUsageError(`the matrix store at ${dir} is empty: import a matrix first (mselect import --store ${dir} <file.csv>)`);
  const input = await evaluationInput(snap, { targets: o.targets === undefined ? undefined : list(o.targets), minModels: o.minModels, k: o.k });
  const e = evaluateRecall(input);
  const title = `Recall quality on the matrix store ${dir} (version ${snap.version}): ${input.matrix.models.length} models × ${input.matrix.datasets.length} datasets`;
  const notes = [
    "history prior: mean value on every other maximized dataset; judged: the target's models with a value (and a proxy score, where the target has any)",
  ];
  if (o.html) {
    mkdirSync(dirname(resolve(o.html)), { recursive: true });
    writeFileSync(resolve(o.html), evaluationPage(e, title, notes));
  }
  const seconds = (performance.now() - t0) / 1000;
  if (o.json) return evaluationJson(e, { store: dir, version: snap.version, seconds });
  return [evaluationText(e, { title, perTarget: o.perTarget }), ...(o.html ? [`HTML page: ${resolve(o.html)}`] : []), `took ${seconds.toFixed(2)} s`].join(
    '\n',
  );
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('Leave-one-dataset-out rank quality of recall scores on the stored matrix: history prior, every stored proxy, prior × exp(proxy).')
    .option('--store <dir>', 'matrix store; default MSELECT_STORE')
    .option('--targets <ids>', 'comma-separated targets (default: every dataset with at least --min-models models)')
    .option('--min-models <n>', 'fewest models with a value a target needs', int, 3)
    .option('--k <n>', 'k of the top-k hit rate', int, 3)
    .option('--version <n>', 'store version (default: the head)', int)
    .option('--per-target', 'one table per target after the mean')
    .option('--json', 'print the result as JSON')
    .option('--html <file>', 'also write an HTML page with plots (opens offline)')
    .action(async (o: EvaluateFlags) => {
      try {
        console.log(await runEvaluate(o));
      } catch (e) {
        if (e instanceof EvaluationInputError || e instanceof InteropUsageError) throw new UsageError(e.message);
        throw e;
      }
    });
}

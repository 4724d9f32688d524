/**
 * Transferability-proxy benchmark: how well each proxy ranks a hub's models by their
 * fine-tuned test accuracy on a target, and what it costs (docs/proxies.md).
 *
 *   npm run bench:proxies [-- --epochs 5 --seeds 5 --probe 500]   the demo hub (built when missing)
 *   npm run bench:proxies -- --recorded <anchors dir>            recorded LEEP files vs recorded test accuracy
 *   npm run bench:proxies -- --store <dir> [--import <table>=<csv>]... [--import-curves <csv>] [--targets a,b]
 *
 * Rows: the forward proxies, the history prior (mean accuracy on the other datasets) and
 * history prior × exp(P), the score two-phase-paper recall ranks by with `--proxy P` (P =
 * leep is the paper's). Columns: Pearson, Spearman, weighted Kendall τ against accuracy,
 * top-1 regret and best-of-top-3 regret (points), wall time; then the mean over targets.
 */
import { Command } from 'commander';
import Table from 'cli-table3';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../server/paths';
import { performance } from 'node:perf_hooks';
import { computeProxyScore } from '../activities/proxy-score';
import { meanHistory, priorByModel, selectDatasets } from '../algorithms/matrix';
import { priorTimesExpLeep } from '../algorithms/proxy-combine';
import { meanFinite, rankQuality, regretAtK } from '../evaluation';
import { openExistingStore } from '../interop';
import type { PerformanceMatrix } from '../algorithms/types';
import { ForwardProxySchema, type ForwardProxy } from '../contracts/schemas/training';
import { StoreTableSchema } from '../contracts/schemas/store';
import { buildDemoHub } from '../demo/build';
import { demoDatasetIds } from '../demo/spec';
import { importAnchorCurves, importTableCsv } from '../interop';
import { openStore } from '../matrix-store';
import { reportHtml, writePage } from '../report/plot-html';
import { evaluatePolicy } from '../replay/evaluate';
import { loadAnchors, type AnchorData } from '../replay/load';
import { paperCases, type ReplayCase } from '../replay/protocols';
import { policyFromSpec } from '../algorithms/policies';
import { DEFAULT_REPLAY_DIR } from '../workers/config';
import { activate, pickBackend, type Backend } from '../training/backend';
import { transferTable } from '../training/transfer';

/** One proxy's scores on one target (model → score) and the wall time they took; null = not measured here. */
export interface ProxyResult {
  readonly scores: ReadonlyMap<string, number>;
  readonly seconds: number | null;
}
/** A target: fine-tuned accuracy per model (the models judged) and every proxy's result, in table order. */
export interface TargetCase {
  readonly target: string;
  readonly truth: ReadonlyMap<string, number>;
  readonly proxies: ReadonlyMap<string, ProxyResult>;
}
/** One replayed two-phase-paper selection: the recall score it ranked by, the pick's regret (points) and its epochs (proxy charges included). */
export interface EndToEndRow {
  readonly recall: string;
  readonly target: string;
  readonly regret: number;
  readonly epochs: number;
}
export interface BenchData {
  readonly title: string;
  readonly notes: readonly string[];
  readonly cases: readonly TargetCase[];
  readonly endToEnd?: readonly EndToEndRow[];
}
export interface Row {
  readonly target: string;
  readonly proxy: string;
  readonly models: number;
  readonly pearson: number;
  readonly spearman: number;
  readonly tau: number;
  /** Points of accuracy lost by taking the proxy's first pick, and the best of its first three. */
  readonly regret: number;
  readonly regretTop3: number;
  readonly seconds: number | null;
}

export { regretAtK };

/** How well `result` ranks the models of `truth` (a model without a score counts as NaN). */
export function evaluateProxy(target: string, proxy: string, result: ProxyResult, truth: ReadonlyMap<string, number>): Row {
  const models = [...truth.keys()];
  const q = rankQuality(
    models.map((m) => result.scores.get(m) ?? Number.NaN),
    models.map((m) => truth.get(m) ?? Number.NaN),
  );
  return {
    target,
    proxy,
    models: models.length,
    pearson: q.pearson,
    spearman: q.spearman,
    tau: q.tau,
    regret: 100 * q.regret,
    regretTop3: 100 * q.regretTop3,
    seconds: result.seconds,
  };
}

/** One row per proxy (first-seen order), target 'mean': every column averaged over the targets where it is finite. */
export function meanOverTargets(rows: readonly Row[]): Row[] {
  return [...new Set(rows.map((r) => r.proxy))].map((proxy) => {
    const of = rows.filter((r) => r.proxy === proxy);
    const col = (k: 'models' | 'pearson' | 'spearman' | 'tau' | 'regret' | 'regretTop3'): number => meanFinite(of.map((r) => r[k]));
    const seconds = of.flatMap((r) => (r.seconds === null ? [] : [r.seconds]));
    return {
      target: 'mean',
      proxy,
      models: col('models'),
      pearson: col('pearson'),
      spearman: col('spearman'),
      tau: col('tau'),
      regret: col('regret'),
      regretTop3: col('regretTop3'),
      seconds: seconds.length ? meanFinite(seconds) : null,
    };
  });
}

export function evaluateAll(data: BenchData): Row[] {
  return data.cases.flatMap((c) => [...c.proxies].map(([proxy, r]) => evaluateProxy(c.target, proxy, r, c.truth)));
}

/** `prior`, then prior(m) · exp(P(m)) for each given proxy P: two-phase-paper's recall score with `--proxy P`. */
export function withPrior(proxies: ReadonlyMap<string, ProxyResult>, prior: ProxyResult, combine: readonly string[]): Map<string, ProxyResult> {
  const out = new Map(proxies).set('history-prior', prior);
  for (const p of combine) {
    const r = proxies.get(p);
    // priorTimesExpLeep is prior · exp(score), whatever proxy the scores come from.
    if (r)
      out.set(`history-prior × exp(${p})`, {
        scores: priorTimesExpLeep(prior.scores, r.scores),
        seconds: r.seconds === null || prior.seconds === null ? null : r.seconds + prior.seconds,
      });
  }
  return out;
}

const timed = <T>(f: () => T): { value: T; seconds: number } => {
  const t0 = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t0) / 1000 };
};

/** The history prior of every model from `matrix` without the `exclude`d dataset, timed. */
function priorOf(matrix: PerformanceMatrix, exclude: string): ProxyResult {
  const { value, seconds } = timed(() => priorByModel(selectDatasets(matrix, (d) => d !== exclude)));
  return { scores: value, seconds };
}

/**
 * two-phase-paper replayed on the paper's targets (replay/protocols.ts) with recall by prior ×
 * exp(LEEP) and by the prior alone, the matrix without the target's row; [] when the
 * directory lacks a paper target's LEEP file.
 */
export async function paperEndToEnd(a: AnchorData): Promise<EndToEndRow[]> {
  let cases: ReplayCase[];
  try {
    cases = paperCases(a).map((c) => ({ ...c, task: { ...c.task, history: selectDatasets(c.task.history, (d) => d !== c.task.target) } }));
  } catch {
    return [];
  }
  const rows: EndToEndRow[] = [];
  for (const [recall, useLeep] of [
    ['history-prior × exp(leep)', true],
    ['history-prior', false],
  ] as const) {
    const results = await evaluatePolicy(
      policyFromSpec('two-phase-paper'),
      cases.map((c) => ({ ...c, task: { ...c.task, proxies: useLeep ? c.task.proxies : new Map() } })),
    );
    rows.push(...results.map((r) => ({ recall, target: r.target, regret: r.regret, epochs: r.epochs })));
  }
  return rows;
}

/** Recorded LEEP (and any other `<kind>_<target>.tsv`) against recorded test accuracy; prior from the authors' matrix without the target. */
export async function recordedData(dir: string): Promise<BenchData> {
  const a = await loadAnchors(dir);
  const targets = [...new Set([...a.proxies.values()].flatMap((byTarget) => [...byTarget.keys()]))].sort();
  const cases = targets.map((target) => {
    const proxies = new Map(
      [...a.proxies].flatMap(([kind, byTarget]) => {
        const s = byTarget.get(target);
        return s ? [[kind, { scores: s, seconds: null }] as const] : [];
      }),
    );
    const scored = new Set([...proxies.values()].flatMap((p) => [...p.scores.keys()]));
    const truth = new Map(a.runs.runs.filter((r) => r.dataset === target && r.test !== null && scored.has(r.model)).map((r) => [r.model, r.test as number]));
    return { target, truth, proxies: withPrior(proxies, { ...priorOf(a.history, target), seconds: null }, [...proxies.keys()]) };
  });
  return {
    title: `Proxies on recorded runs (${dir})`,
    notes: ['wall time: not recorded', 'models: those with a proxy score and a recorded test accuracy on the target'],
    cases,
    endToEnd: await paperEndToEnd(a),
  };
}

/** Import `table=file` CSVs and anchors curves into the store at `dir` (one commit each), then read its targets. */
export async function storeData(dir: string, o: { imports?: readonly string[]; curves?: string; targets?: readonly string[] } = {}): Promise<BenchData> {
  const store = o.imports?.length || o.curves ? openStore({ dir }) : openExistingStore(dir);
  if (o.imports?.length) {
    const w = store.beginWrite();
    for (const spec of o.imports) {
      const [table = '', file = ''] = spec.split('=');
      await importTableCsv(w, StoreTableSchema.parse(table), readFileSync(file, 'utf8'));
    }
    await w.commit(`bench:proxies import ${o.imports.join(', ')}`);
  }
  if (o.curves) await importAnchorCurves(store, readFileSync(o.curves, 'utf8'), { source: o.curves });
  const snap = await store.snapshot();
  const rows = await snap.rows('proxyScores');
  const matrix = await snap.performanceMatrix();
  const targets = o.targets ?? [...new Set(rows.map((r) => String(r.target)))].sort();
  const unknown = targets.filter((t) => !matrix.datasets.includes(t));
  if (unknown.length) throw new Error(`unknown target(s) ${unknown.join(', ')}; the store has the datasets ${matrix.datasets.join(', ') || '(none)'}`);
  if (targets.length === 0)
    throw new Error(
      `the store at ${store.dir} has no proxy scores: name --targets, or use \`mselect evaluate\`, which judges the history prior on every dataset`,
    );
  const cases = targets.map((target) => {
    const d = matrix.datasets.indexOf(target);
    const mine = rows.filter((r) => r.target === target);
    const scored = new Set(mine.map((r) => String(r.model)));
    const judged = (m: string): boolean => scored.size === 0 || scored.has(m);
    const truth = new Map(
      matrix.models.flatMap((m, i) => {
        const v = d < 0 ? Number.NaN : (matrix.values[d * matrix.models.length + i] ?? Number.NaN);
        return Number.isFinite(v) && judged(m) ? [[m, v] as const] : [];
      }),
    );
    const names = [...new Set(mine.map((r) => String(r.proxy)))].sort();
    const proxies = new Map(
      names.map((p) => [p, { scores: new Map(mine.filter((r) => r.proxy === p).map((r) => [String(r.model), Number(r.value)])), seconds: null }]),
    );
    return { target, truth, proxies: withPrior(proxies, priorOf(matrix, target), names) };
  });
  return {
    title: `Proxies in the matrix store ${store.dir} (version ${snap.version})`,
    notes: [
      "truth: each target's cells, of the models with a stored proxy score there; history prior: cells on every other dataset; wall time of stored scores: not recorded",
    ],
    cases,
  };
}

export interface DemoOptions {
  readonly epochs: number;
  readonly seeds: number;
  readonly probe: number;
  readonly probeSeed: number;
  readonly history: 'auto' | 'store' | 'fine-tune';
  readonly storeDir?: string;
}

/** Mean test accuracy over seeds, per target then model. */
async function fineTuned(
  backend: Backend,
  hub: { hubDir: string; datasetsDir: string },
  models: readonly string[],
  datasets: readonly string[],
  epochs: number,
  seeds: readonly number[],
): Promise<{ accuracy: Map<string, Map<string, number>>; seconds: Map<string, number> }> {
  const sums = new Map(datasets.map((d) => [d, new Map(models.map((m) => [m, 0]))]));
  const seconds = new Map(datasets.map((d) => [d, 0]));
  for (const seed of seeds) {
    const t = await transferTable({
      ...hub,
      backend,
      models,
      datasets,
      epochs,
      seed,
      onCell: (c) => seconds.set(c.dataset, (seconds.get(c.dataset) ?? 0) + c.seconds),
    });
    t.datasets.forEach((d, i) =>
      t.models.forEach((m, j) => sums.get(d)?.set(m, (sums.get(d)?.get(m) ?? 0) + (t.accuracy[i]?.[j] ?? Number.NaN) / seeds.length)),
    );
  }
  return { accuracy: sums, seconds };
}

/** The benchmark matrix from the store when it has every (model, benchmark) cell, else null. */
async function storedHistory(dir: string | undefined, models: readonly string[], benchmarks: readonly string[]): Promise<PerformanceMatrix | null> {
  try {
    const m = await (await openStore({ dir, create: false }).snapshot()).performanceMatrix({ models, datasets: benchmarks });
    return m.values.every(Number.isFinite) ? m : null;
  } catch {
    return null;
  }
}

async function demoPrior(
  o: DemoOptions,
  backend: Backend,
  hub: { hubDir: string; datasetsDir: string },
  models: readonly string[],
): Promise<{ prior: ProxyResult; note: string }> {
  const benchmarks = demoDatasetIds('benchmark');
  const stored = o.history === 'fine-tune' ? null : await storedHistory(o.storeDir, models, benchmarks);
  if (o.history === 'store' && !stored) throw new Error('--history store: the matrix store lacks some (model, benchmark) cell of the demo hub');
  if (stored) return { prior: priorOf(stored, ''), note: `history prior: ${models.length * benchmarks.length} benchmark cells read from the matrix store` };
  const ft = await fineTuned(backend, hub, models, benchmarks, o.epochs, [0]);
  const matrix: PerformanceMatrix = {
    models,
    datasets: benchmarks,
    values: Float64Array.from(benchmarks.flatMap((d) => models.map((m) => ft.accuracy.get(d)?.get(m) ?? Number.NaN))),
  };
  const { value, seconds } = timed(() => meanHistory(matrix));
  return {
    prior: { scores: new Map(models.map((m, i) => [m, value[i] ?? Number.NaN])), seconds },
    note: `history prior: ${models.length * benchmarks.length} benchmark fine-tunes (${o.epochs} epochs, offline) took ${[...ft.seconds.values()].reduce((a, b) => a + b, 0).toFixed(1)} s`,
  };
}

/** Every forward proxy of every model on `target`, timed as the activity computes them (load, forward pass, score). */
async function forwardProxies(
  backend: Backend,
  hub: { hubDir: string; datasetsDir: string },
  models: readonly string[],
  target: string,
  o: DemoOptions,
  failures: string[],
): Promise<Map<string, ProxyResult>> {
  const out = new Map<string, ProxyResult>();
  for (const proxy of ForwardProxySchema.options as readonly ForwardProxy[]) {
    const scores = new Map<string, number>();
    const t0 = performance.now();
    for (const model of models) {
      const r = await computeProxyScore(
        { ...hub, backend: () => Promise.resolve(backend) },
        { model, target, proxy, probeSize: o.probe, seed: o.probeSeed },
      ).catch((e: unknown) => {
        failures.push(`${proxy} of ${model} on ${target}: ${(e as Error).message}`);
        return null;
      });
      scores.set(model, r?.value ?? Number.NaN);
    }
    out.set(proxy, { scores, seconds: (performance.now() - t0) / 1000 });
  }
  return out;
}

/** The demo hub: truth = mean test accuracy over fine-tune seeds 1..S-1; seed 0 is the "fine-tune once" reference row. */
export async function demoData(o: DemoOptions, log: (line: string) => void = () => undefined): Promise<BenchData> {
  const built = await buildDemoHub();
  const hub = { hubDir: built.hubDir, datasetsDir: built.datasetsDir };
  const backend = await pickBackend();
  await activate(backend);
  const models = built.record.models;
  const targets = demoDatasetIds('target');
  const seeds = Array.from({ length: o.seeds }, (_, i) => i);
  log(
    `demo hub: ${models.length} models, targets ${targets.join(', ')}; backend ${backend.name}; fine-tuning ${o.seeds} seed(s) × ${models.length * targets.length} pairs, ${o.epochs} epochs`,
  );
  const truthRuns = await fineTuned(backend, hub, models, targets, o.epochs, seeds.length > 1 ? seeds.slice(1) : seeds);
  const reference = seeds.length > 1 ? await fineTuned(backend, hub, models, targets, o.epochs, [0]) : null;
  const { prior, note } = await demoPrior(o, backend, hub, models);
  log(note);
  const failures: string[] = [];
  const cases: TargetCase[] = [];
  for (const target of targets) {
    log(`proxies on ${target}`);
    const proxies = withPrior(await forwardProxies(backend, hub, models, target, o, failures), prior, ForwardProxySchema.options);
    if (reference)
      proxies.set(`fine-tune once (seed 0, ${o.epochs} ep)`, {
        scores: reference.accuracy.get(target) ?? new Map(),
        seconds: reference.seconds.get(target) ?? null,
      });
    cases.push({ target, truth: truthRuns.accuracy.get(target) ?? new Map(), proxies });
  }
  const notes = [
    `truth: test accuracy (400 samples) after ${o.epochs} epochs, mean over fine-tune seed(s) ${(seeds.length > 1 ? seeds.slice(1) : seeds).join(', ')}; backend ${backend.name}`,
    `probe: ${o.probe} requested (every target's train split has 200 samples), seed ${o.probeSeed}; wall time = all ${models.length} models, each loading model and split, forward pass and score`,
    note,
    ...failures.map((f) => `failed: ${f}`),
  ];
  return { title: 'Proxies on the demo hub', notes, cases };
}

const COMPACT = { style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };
const END_TO_END_TITLE = 'two-phase-paper replayed (paper protocol, matrix without the target): regret (points) / epochs incl. 0.5 per proxy score';
const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const HEAD = ['proxy', 'models', 'Pearson', 'Spearman', 'weighted τ', 'regret top-1', 'regret top-3', 'wall s'];
const cells = (r: Row): string[] => [
  r.proxy,
  num(r.models, 0),
  num(r.pearson, 3),
  num(r.spearman, 3),
  num(r.tau, 3),
  num(r.regret, 1),
  num(r.regretTop3, 1),
  r.seconds === null ? '—' : num(r.seconds, 2),
];

function table(title: string, rows: readonly Row[]): string {
  const t = new Table({ head: HEAD, ...COMPACT });
  rows.forEach((r) => t.push(cells(r)));
  return `${title}\n${t.toString()}`;
}

/** Head and rows of the end-to-end table: one row per recall score, "regret / epochs" per target, then the means. */
export function endToEndTable(rows: readonly EndToEndRow[]): { head: string[]; rows: string[][] } {
  const targets = [...new Set(rows.map((r) => r.target))];
  const body = [...new Set(rows.map((r) => r.recall))].map((recall) => {
    const of = rows.filter((r) => r.recall === recall);
    const cell = (rs: readonly EndToEndRow[]): string => `${num(meanFinite(rs.map((r) => r.regret)), 2)} / ${num(meanFinite(rs.map((r) => r.epochs)), 1)}`;
    return [recall, ...targets.map((t) => cell(of.filter((r) => r.target === t))), cell(of)];
  });
  return { head: ['recall by', ...targets, 'mean'], rows: body };
}

/** The page: weighted τ per proxy and target (grouped bars), mean τ against wall time, the tables. */
export function benchPage(data: BenchData, rows: readonly Row[]): string {
  const means = meanOverTargets(rows);
  const proxies = means.map((r) => r.proxy);
  const bars = [...data.cases.map((c) => c.target), 'mean'].map((target) => {
    const of = [...rows, ...means].filter((r) => r.target === target);
    return { type: 'bar', name: target, x: proxies, y: proxies.map((p) => of.find((r) => r.proxy === p)?.tau ?? null) };
  });
  const timedRows = means.filter((r) => r.seconds !== null);
  const scatter = {
    type: 'scatter',
    mode: 'markers+text',
    x: timedRows.map((r) => r.seconds),
    y: timedRows.map((r) => r.tau),
    text: timedRows.map((r) => r.proxy),
    textposition: 'top center',
    marker: { size: 10 },
  };
  const tableOf = (title: string, rs: readonly Row[]) => ({ table: { title, head: HEAD, rows: rs.map(cells) } });
  return reportHtml({
    title: data.title,
    summary: data.notes,
    sections: [
      {
        title: 'Weighted Kendall τ of proxy score vs fine-tuned accuracy',
        traces: bars,
        layout: { barmode: 'group', yaxis: { title: { text: 'weighted τ' }, range: [-1, 1] } },
        caption: 'Higher is better; 1 = the proxy orders the models exactly as fine-tuning does, with the top of the order weighing most.',
      },
      ...(timedRows.length
        ? [
            {
              title: 'Mean weighted τ against wall time per target',
              traces: [scatter],
              layout: { xaxis: { type: 'log', title: { text: 'seconds per target (all models)' } }, yaxis: { title: { text: 'mean weighted τ' } } },
            },
          ]
        : []),
      tableOf('Mean over targets', means),
      ...(data.endToEnd?.length ? [{ table: { title: END_TO_END_TITLE, ...endToEndTable(data.endToEnd) } }] : []),
      ...data.cases.map((c) =>
        tableOf(
          c.target,
          rows.filter((r) => r.target === c.target),
        ),
      ),
    ],
  });
}

interface CliOptions {
  recorded?: string;
  store?: string;
  import: string[];
  importCurves?: string;
  targets?: string;
  epochs: string;
  seeds: string;
  probe: string;
  probeSeed: string;
  history: string;
  out?: string;
}

function positiveInt(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} is ${v}, but must be an integer >= ${min}`);
  return n;
}

async function load(o: CliOptions, log: (line: string) => void): Promise<{ data: BenchData; out: string }> {
  const outDir = resolve(PROJECT_ROOT, 'report', 'out');
  if (o.recorded !== undefined) return { data: await recordedData(resolve(o.recorded)), out: o.out ?? resolve(outDir, 'proxy-bench-recorded.html') };
  if (o.import.length || o.importCurves !== undefined || o.targets !== undefined) {
    if (o.store === undefined) throw new Error('--import, --import-curves and --targets need --store <dir>');
    const data = await storeData(resolve(o.store), { imports: o.import, curves: o.importCurves, targets: o.targets?.split(',').filter(Boolean) });
    return { data, out: o.out ?? resolve(outDir, 'proxy-bench-store.html') };
  }
  if (!['auto', 'store', 'fine-tune'].includes(o.history)) throw new Error(`--history is ${o.history}, but must be auto, store or fine-tune`);
  const demo: DemoOptions = {
    epochs: positiveInt('epochs', o.epochs, 1),
    seeds: positiveInt('seeds', o.seeds, 1),
    probe: positiveInt('probe', o.probe, 2),
    probeSeed: positiveInt('probe-seed', o.probeSeed, 0),
    history: o.history as DemoOptions['history'],
    storeDir: o.store === undefined ? undefined : resolve(o.store),
  };
  return { data: await demoData(demo, log), out: o.out ?? resolve(outDir, 'proxy-bench.html') };
}

async function main(o: CliOptions): Promise<void> {
  const t0 = performance.now();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const { data, out } = await load(o, log);
  const rows = evaluateAll(data);
  process.stdout.write(`${data.title}\n${data.notes.map((n) => `  ${n}`).join('\n')}\n\n`);
  for (const c of data.cases)
    process.stdout.write(
      `${table(
        c.target,
        rows.filter((r) => r.target === c.target),
      )}\n\n`,
    );
  process.stdout.write(`${table(`mean over ${data.cases.length} targets`, meanOverTargets(rows))}\n`);
  if (data.endToEnd?.length) {
    const e = endToEndTable(data.endToEnd);
    const t = new Table({ head: e.head, ...COMPACT });
    e.rows.forEach((r) => t.push(r));
    process.stdout.write(`\n${END_TO_END_TITLE}\n${t.toString()}\n`);
  }
  await writePage(out, benchPage(data, rows));
  process.stdout.write(`plot written to ${out}\nwall time ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

if (require.main === module) {
  new Command('bench:proxies')
    .option('--recorded <dir>', `score the proxy files of an anchors directory (e.g. ${DEFAULT_REPLAY_DIR})`)
    .option('--store <dir>', 'matrix store: the demo run reads the benchmark matrix from it; with --import/--targets it is the data')
    .option('--import <table=file>', 'import a table CSV (exportTableCsv format) into --store first; repeatable', (v: string, acc: string[]) => [...acc, v], [])
    .option('--import-curves <file>', 'import a recorded-curves CSV (model,dataset,in_paper_pool,test,val_ep1..) into --store first')
    .option('--targets <list>', 'targets to score from --store (default: every dataset with proxy scores)')
    .option('--epochs <n>', 'demo: fine-tune epochs', '5')
    .option('--seeds <n>', 'demo: fine-tune seeds (truth = mean of seeds 1..n-1, seed 0 = the fine-tune-once row)', '5')
    .option('--probe <n>', 'demo: probe samples per proxy score', '500')
    .option('--probe-seed <n>', 'demo: probe seed', '0')
    .option('--history <mode>', 'demo: history prior from auto (store when complete, else fine-tune), store or fine-tune', 'auto')
    .option('--out <file>', 'HTML page (default report/out/proxy-bench[-recorded|-store].html)')
    .action(main)
    .parseAsync(process.argv)
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    });
}

/**
 * Matrix store benchmark: a synthetic hub (10,000 models × 100 datasets × 50 epochs at scale 1,
 * i.e. 1M cells and 50M curve points) written through the public API in commits of a few
 * models each, as fine-tune workers would; then compacted; then three loads (the full
 * final-value matrix, one model's curves, one dataset's column) timed from a fresh store
 * object, against the same loads from JSON files of the same data. Write timings leave out the
 * time spent making the synthetic data.
 *
 *   npm run bench:store -- --scale 0.1
 *
 * JSON layout (its best case for each load): `cells.json` holds every cell; `curves/<model>.json`
 * holds one model's curves as number arrays.
 */
import { mulberry32 } from '../algorithms/random';
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore, type MatrixStore } from '../matrix-store';

const DATASETS = 100;
const EPOCHS = 50;

interface Flags {
  scale: number;
  dir: string;
  modelsPerCommit: number;
  writers: number;
  keep: boolean;
}

const modelId = (m: number): string => `org${m % 97}--model-${String(m).padStart(6, '0')}`;
const datasetId = (d: number): string => `dataset-${String(d).padStart(3, '0')}`;

/** Seconds spent making synthetic data, taken out of the write timings (writers interleave only at awaits, so this never overlaps). */
let generating = 0;

/** One run's curve: saturating accuracy with noise; final value = last epoch. */
function curve(m: number, d: number): { values: Float64Array; seconds: Float64Array } {
  const t0 = process.hrtime.bigint();
  try {
    return makeCurve(m, d);
  } finally {
    generating += Number(process.hrtime.bigint() - t0) / 1e9;
  }
}

function makeCurve(m: number, d: number): { values: Float64Array; seconds: Float64Array } {
  const r = mulberry32(m * 1009 + d);
  const ceiling = 0.5 + 0.45 * r();
  const speed = 0.05 + 0.2 * r();
  const values = Float64Array.from({ length: EPOCHS }, (_, k) => ceiling * (1 - Math.exp(-speed * (k + 1))) + 0.01 * (r() - 0.5));
  const seconds = Float64Array.from({ length: EPOCHS }, () => 20 + 10 * r());
  return { values, seconds };
}

async function timed<T>(run: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t0 = process.hrtime.bigint();
  const value = await run();
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function dirBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce((n, e) => n + (e.isDirectory() ? dirBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
}

const mb = (bytes: number): number => bytes / 1048576;
const row = (what: string, seconds: number, bytes: number): string =>
  `${what.padEnd(44)} ${seconds.toFixed(3).padStart(9)} s ${mb(bytes).toFixed(1).padStart(9)} MB ${(mb(bytes) / seconds).toFixed(0).padStart(7)} MB/s`;

/** Write models [from, to) as one commit: their cells and curves on every dataset. */
async function writeModels(store: MatrixStore, from: number, to: number): Promise<void> {
  const writer = store.beginWrite();
  const cells = [];
  const curves = [];
  for (let m = from; m < to; m++) {
    for (let d = 0; d < DATASETS; d++) {
      const { values, seconds } = curve(m, d);
      const common = { model: modelId(m), dataset: datasetId(d), settingsHash: 'lr3e-5-bs16', metric: 'accuracy' };
      cells.push({
        ...common,
        value: values[EPOCHS - 1] ?? 0,
        epochs: EPOCHS,
        trainer: 'tfjs',
        backend: 'cuda',
        seed: m,
        runId: `run-${m}-${d}`,
        startedAt: 1.7e12,
      });
      curves.push({ ...common, values, seconds });
    }
  }
  await writer.appendCells(cells);
  await writer.appendCurves(curves);
  await writer.commit(`models ${from}..${to - 1}`);
}

/** Register the hub, then let `writers` concurrent writers commit `modelsPerCommit` models at a time. */
async function writeHub(store: MatrixStore, models: number, f: Flags): Promise<void> {
  const w = store.beginWrite();
  await w.upsertModels(Array.from({ length: models }, (_, m) => ({ id: modelId(m), family: `org${m % 97}`, size: 1e8 + m, source: 'synthetic' })));
  await w.upsertDatasets(
    Array.from({ length: DATASETS }, (_, d) => ({ id: datasetId(d), taskType: 'classification', metric: 'accuracy', size: 1000 * (d + 1) })),
  );
  await w.commit('register hub');
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < models) {
      const from = next;
      next = Math.min(models, next + f.modelsPerCommit);
      await writeModels(store, from, next);
    }
  };
  await Promise.all(Array.from({ length: f.writers }, worker));
}

/** The same data as JSON files. */
function writeJson(jsonDir: string, models: number): void {
  fs.mkdirSync(path.join(jsonDir, 'curves'), { recursive: true });
  const cells: object[] = [];
  for (let m = 0; m < models; m++) {
    const curves = [];
    for (let d = 0; d < DATASETS; d++) {
      const { values, seconds } = curve(m, d);
      const common = { model: modelId(m), dataset: datasetId(d), settingsHash: 'lr3e-5-bs16', metric: 'accuracy' };
      cells.push({
        ...common,
        value: values[EPOCHS - 1] ?? 0,
        epochs: EPOCHS,
        trainer: 'tfjs',
        backend: 'cuda',
        seed: m,
        runId: `run-${m}-${d}`,
        startedAt: 1.7e12,
        finishedAt: 1.7e12,
      });
      curves.push({
        dataset: common.dataset,
        settingsHash: common.settingsHash,
        metric: common.metric,
        epochs: Array.from({ length: EPOCHS }, (_, k) => k + 1),
        values: [...values],
        seconds: [...seconds],
      });
    }
    fs.writeFileSync(path.join(jsonDir, 'curves', `${modelId(m)}.json`), JSON.stringify({ model: modelId(m), curves }));
  }
  fs.writeFileSync(path.join(jsonDir, 'cells.json'), JSON.stringify(cells));
}

type JsonCell = { model: string; dataset: string; value: number };

function jsonMatrix(jsonDir: string, onlyDataset: string | null): Float64Array {
  const cells = JSON.parse(fs.readFileSync(path.join(jsonDir, 'cells.json'), 'utf8')) as JsonCell[];
  const models = [...new Set(cells.map((c) => c.model))].sort();
  const datasets = onlyDataset ? [onlyDataset] : [...new Set(cells.map((c) => c.dataset))].sort();
  const mPos = new Map(models.map((m, i) => [m, i]));
  const dPos = new Map(datasets.map((d, i) => [d, i]));
  const values = new Float64Array(models.length * datasets.length).fill(Number.NaN);
  for (const c of cells) {
    const d = dPos.get(c.dataset);
    if (d !== undefined) values[d * models.length + (mPos.get(c.model) ?? 0)] = c.value;
  }
  return values;
}

async function loads(store: MatrixStore, label: string, probeModel: string, probeDataset: string): Promise<void> {
  const open = await timed(() => store.snapshot());
  const matrixBytes = open.value.fragments
    .filter((f) => f.table === 'cells' || f.table === 'models' || f.table === 'datasets')
    .reduce((n, f) => n + f.bytes, 0);
  const matrix = await timed(() => open.value.performanceMatrix());
  console.log(row(`${label}: open snapshot (${open.value.fragments.length} fragments)`, open.seconds, 0));
  console.log(row(`${label}: full final-value matrix`, open.seconds + matrix.seconds, matrixBytes));
  const s2 = await store.snapshot();
  const curves = await timed(() => s2.curvesOf(probeModel));
  const holds = (b: { min: string | null; max: string | null; keys: string[] | null }): boolean =>
    b.keys ? b.keys.includes(probeModel) : b.min === null || b.max === null || (b.min <= probeModel && probeModel <= b.max);
  const curveBytes = s2.fragments
    .filter((f) => f.table === 'curves')
    .flatMap((f) => f.batches)
    .filter(holds)
    .reduce((n, b) => n + b.length, 0);
  const points = curves.value.curves.reduce((n, c) => n + c.values.length, 0);
  console.log(row(`${label}: one model's curves (${points} points)`, curves.seconds, curveBytes));
  const s3 = await store.snapshot();
  const column = await timed(() => s3.datasetColumn(probeDataset));
  console.log(row(`${label}: one dataset's column`, column.seconds, matrixBytes));
  if (matrix.value.values.length !== matrix.value.models.length * DATASETS || column.value.values.some(Number.isNaN))
    throw new Error('a load returned the wrong shape');
}

async function main(f: Flags): Promise<void> {
  const models = Math.max(1, Math.round(10000 * f.scale));
  const storeDir = path.join(f.dir, 'store');
  const jsonDir = path.join(f.dir, 'json');
  fs.rmSync(f.dir, { recursive: true, force: true });
  console.log(
    `hub: ${models} models × ${DATASETS} datasets × ${EPOCHS} epochs = ${models * DATASETS} cells, ${models * DATASETS * EPOCHS} curve points; ${f.writers} writers, ${f.modelsPerCommit} models per commit; dir ${f.dir}`,
  );
  const store = openStore({ dir: storeDir });
  generating = 0;
  const write = await timed(() => writeHub(store, models, f));
  console.log(row(`write through the API (${await store.head()} versions)`, write.seconds - generating, dirBytes(storeDir)));
  const probeModel = `org${Math.floor(models / 2) % 97}--model-${String(Math.floor(models / 2)).padStart(6, '0')}`;
  await loads(openStore({ dir: storeDir }), 'before compaction', probeModel, datasetId(42));
  const compacted = await timed(() => store.compact());
  console.log(
    row(
      'compact',
      compacted.seconds,
      compacted.value.tables.reduce((n, t) => n + t.bytesAfter, 0),
    ),
  );
  await store.prune({ keepLast: 1, graceMs: 0 });
  const sizes = (await store.snapshot()).fragments.map((x) => `${x.table} ${mb(x.bytes).toFixed(1)} MB`).join(', ');
  console.log(`store after compaction and prune: ${mb(dirBytes(storeDir)).toFixed(1)} MB (${sizes})`);
  await loads(openStore({ dir: storeDir }), 'arrow', probeModel, datasetId(42));
  generating = 0;
  const jsonWrite = await timed(() => writeJson(jsonDir, models));
  console.log(row('json: write', jsonWrite.seconds - generating, dirBytes(jsonDir)));
  const cellsBytes = fs.statSync(path.join(jsonDir, 'cells.json')).size;
  const jm = await timed(() => jsonMatrix(jsonDir, null));
  console.log(row('json: full final-value matrix', jm.seconds, cellsBytes));
  const curveFile = path.join(jsonDir, 'curves', `${probeModel}.json`);
  const jc = await timed(() => JSON.parse(fs.readFileSync(curveFile, 'utf8')) as unknown);
  console.log(row("json: one model's curves", jc.seconds, fs.statSync(curveFile).size));
  const jd = await timed(() => jsonMatrix(jsonDir, datasetId(42)));
  console.log(row("json: one dataset's column", jd.seconds, cellsBytes));
  console.log(`peak RSS ${mb(process.resourceUsage().maxRSS * 1024).toFixed(0)} MB`);
  if (!f.keep) fs.rmSync(f.dir, { recursive: true, force: true });
}

const program = new Command()
  .option('--scale <n>', 'fraction of the 10,000 models', parseFloat, 1)
  .option('--dir <path>', 'working directory (deleted first)', path.join(os.tmpdir(), 'mselect-bench-store'))
  .option('--models-per-commit <n>', 'models each commit covers', (v) => parseInt(v, 10), 10)
  .option('--writers <n>', 'concurrent writers', (v) => parseInt(v, 10), 2)
  .option('--keep', 'keep the files afterwards', false)
  .parse();
main(program.opts<Flags>()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

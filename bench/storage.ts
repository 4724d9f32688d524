/**
 * Storage benchmark: the filesystem backend against S3 (a local versitygw, started here over a
 * temporary folder), measured in one run. Checkpoint-sized blobs (1, 16, 64 MB by default) are
 * saved and loaded as a GPU worker does (`putFile` / `getFile`), and a full final-value matrix
 * is read from a matrix store of a few thousand cells, committed in a few versions and
 * compacted, from a fresh store object (open + snapshot + matrix). Each figure is the median of
 * `--repeat` runs; the table gives MB/s and the S3/fs time ratio.
 *
 *   npm run bench:storage -- [--sizes 1,16,64] [--models 200] [--datasets 20] [--repeat 3]
 */
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Table from 'cli-table3';
import { openStoreOn, type MatrixStore } from '../matrix-store';
import { S3Server } from '../server/versitygw';
import { FsObjectStore, S3ObjectStore, type ObjectStore } from '../storage';

interface Flags {
  sizes: string;
  models: number;
  datasets: number;
  repeat: number;
}

interface Row {
  readonly what: string;
  readonly bytes: number;
  readonly fs: number;
  readonly s3: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function repeat(n: number, run: () => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await seconds(run));
  return median(out);
}

/** Save and load one blob of `mb` MB through `objects`. */
async function blob(objects: ObjectStore, scratch: string, mb: number, n: number): Promise<{ save: number; load: number }> {
  const src = path.join(scratch, `blob-${mb}.bin`);
  if (!fs.existsSync(src)) fs.writeFileSync(src, randomBytes(mb * 1024 * 1024));
  const key = `checkpoints/bench/${mb}mb.bin`;
  const save = await repeat(n, () => objects.putFile(key, src));
  const load = await repeat(n, () => objects.getFile(key, path.join(scratch, `out-${mb}.bin`)));
  return { save, load };
}

/** A matrix store of models × datasets cells with 5-epoch curves, committed in 10 versions, then compacted. */
async function fillStore(objects: ObjectStore, models: number, datasets: number): Promise<MatrixStore> {
  const store = await openStoreOn(objects);
  const per = Math.ceil(models / 10);
  for (let from = 0; from < models; from += per) {
    const w = store.beginWrite();
    const ids = Array.from({ length: Math.min(per, models - from) }, (_, i) => `model-${String(from + i).padStart(5, '0')}`);
    await w.upsertModels(ids.map((id) => ({ id })));
    for (let d = 0; d < datasets; d++) {
      const dataset = `dataset-${String(d).padStart(3, '0')}`;
      await w.appendCells(ids.map((model, i) => ({ model, dataset, settingsHash: 's', metric: 'accuracy', value: ((from + i) * 7 + d) % 100 / 100, epochs: 5, runId: `${model}@${dataset}` })));
      await w.appendCurves(ids.map((model) => ({ model, dataset, settingsHash: 's', metric: 'accuracy', values: [0.1, 0.2, 0.3, 0.4, 0.5] })));
    }
    await w.commit(`models ${from}..`);
  }
  await store.compact();
  return store;
}

async function main(f: Flags): Promise<void> {
  const sizes = f.sizes.split(',').map(Number);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-bench-storage-'));
  const scratch = path.join(root, 'scratch');
  fs.mkdirSync(scratch);
  const server = await S3Server.start({ dir: path.join(root, 's3'), bucket: 'bench' });
  try {
    const backends: Record<'fs' | 's3', ObjectStore> = {
      fs: new FsObjectStore(path.join(root, 'fs')),
      s3: new S3ObjectStore(server.settings()),
    };
    console.log(`filesystem: ${backends.fs.url}; S3: versitygw at ${server.endpoint} over ${server.dir}; ${os.cpus().length} cores; median of ${f.repeat}`);
    const rows: Row[] = [];
    for (const mb of sizes) {
      const [a, b] = [await blob(backends.fs, scratch, mb, f.repeat), await blob(backends.s3, scratch, mb, f.repeat)];
      rows.push({ what: `checkpoint save ${mb} MB`, bytes: mb * 1024 * 1024, fs: a.save, s3: b.save });
      rows.push({ what: `checkpoint load ${mb} MB`, bytes: mb * 1024 * 1024, fs: a.load, s3: b.load });
    }
    const cells = f.models * f.datasets;
    const read: Partial<Record<'fs' | 's3', number>> = {};
    let bytes = 0;
    for (const name of ['fs', 's3'] as const) {
      const objects = backends[name].sub('store');
      const filled = await fillStore(objects, f.models, f.datasets);
      bytes = (await filled.snapshot()).fragments.filter((x) => x.table === 'cells').reduce((n, x) => n + x.bytes, 0);
      read[name] = await repeat(f.repeat, async () => {
        const m = await (await (await openStoreOn(objects)).snapshot()).performanceMatrix();
        if (m.values.length !== cells) throw new Error(`matrix has ${m.values.length} values, expected ${cells}`);
      });
    }
    rows.push({ what: `full matrix read (${f.models} × ${f.datasets} = ${cells} cells)`, bytes, fs: read.fs ?? NaN, s3: read.s3 ?? NaN });

    const table = new Table({ style: { head: [], border: [], compact: true }, head: ['operation', 'fs ms', 'fs MB/s', 'S3 ms', 'S3 MB/s', 'S3/fs time'] });
    const mbps = (b: number, s: number): string => (b / 1024 / 1024 / s).toFixed(b < 1024 * 1024 ? 2 : 0);
    for (const r of rows) table.push([r.what, (r.fs * 1000).toFixed(1), mbps(r.bytes, r.fs), (r.s3 * 1000).toFixed(1), mbps(r.bytes, r.s3), `${(r.s3 / r.fs).toFixed(1)}×`]);
    console.log(table.toString());
  } finally {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const program = new Command()
  .option('--sizes <list>', 'checkpoint sizes in MB', '1,16,64')
  .option('--models <n>', 'models in the matrix', (v) => Number(v), 200)
  .option('--datasets <n>', 'datasets in the matrix', (v) => Number(v), 20)
  .option('--repeat <n>', 'runs per figure (median)', (v) => Number(v), 3);
program.parse();
main(program.opts<Flags>()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * Storage benchmark: the filesystem backend against S3 (a local versitygw, started here over a
 * temporary folder), measured in one run. Checkpoint-sized files (1 MB to 4 GB) are saved and
 * loaded as a GPU worker does (`putFile` / `getFile`: multipart uploads streamed from the file,
 * parallel ranged downloads, SHA-256 recorded and checked), and, against the same server in the
 * same run, with a plain AWS SDK client doing only the transfer (no checksum): one PutObject /
 * GetObject stream, and `@aws-sdk/lib-storage`'s Upload / parallel ranged GETs with the same part
 * size and concurrency. The ratio columns are mselect's MB/s over each plain figure. Then a full
 * final-value matrix is read from a matrix store of a few thousand cells, committed in a few
 * versions and compacted, from a fresh store object (open + snapshot + matrix). Each figure is
 * the median of `--repeat` runs (`--big-repeat` for files of 1 GB and more, whose files are
 * written in chunks and removed as soon as measured).
 *
 *   npm run bench:storage -- [--sizes 1,64,1024,4096] [--models 200] [--datasets 20] [--no-matrix] [--repeat 3] [--big-repeat 1]
 *     [--part-size 16MiB] [--concurrency 8]
 *     [--sweep [--sweep-size 1024] [--sweep-part-sizes 16,64,128] [--sweep-concurrency 2,4,8] [--sweep-repeat 3]]
 *     [--link [--link-size 256] [--link-delay 20] [--link-loss 0.1] [--link-rate 200] [--link-cc <list>] [--no-link-keep-alive] [--link-repeat 1]]
 *     [--no-selection] [--selection-models 4] [--selection-width 6] [--selection-repeat 3]
 *
 * `--sweep`: mselect's save and load of one file with each part size × concurrency, next to the
 * plain client's figures measured in the same repetitions. `--link` (root): one file over an
 * emulated link (bench/storage-link.ts: delay, loss and rate between two network namespaces),
 * one stream against parts in flight. Last, unless `--no-selection`: a selection on the
 * three-machine set-up without and with worker affinity, bytes fetched from the bucket and
 * checkpoint bytes left (bench/storage-selection.ts).
 */
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Table from 'cli-table3';
import { ByteSizeSchema } from '../contracts/schemas/storage';
import { openStoreOn, type MatrixStore } from '../matrix-store';
import { PROJECT_ROOT } from '../server/paths';
import { S3Server } from '../server/versitygw';
import { DEFAULT_TRANSFER, FsObjectStore, S3ObjectStore, sha256File, type ObjectStore, type TransferSettings } from '../storage';
import { CheckpointCache } from '../training/checkpoint-cache';
import { linkBench } from './storage-link';
import { median, MiB, PlainClient, plainS3Client, repeat, seconds, writeBlob } from './storage-clients';

interface Flags {
  sizes: string;
  models: number;
  datasets: number;
  repeat: number;
  bigRepeat: number;
  partSize: string;
  concurrency: number;
  matrix: boolean;
  sweep: boolean;
  sweepSize: number;
  sweepPartSizes: string;
  sweepConcurrency: string;
  sweepRepeat: number;
  link: boolean;
  linkSize: number;
  linkDelay: number;
  linkLoss: number;
  linkRate: number;
  linkCc: string;
  linkKeepAlive: boolean;
  linkRepeat: number;
  selection: boolean;
  selectionModels: number;
  selectionWidth: number;
  selectionRepeat: number;
}

interface BlobTimes {
  readonly fs: { save: number; load: number };
  /** Resuming from the checkpoint on the worker that saved it (cache entry, hash checked) and on another one (download into its cache). */
  readonly resume: { here: number; elsewhere: number; fetched: number };
  readonly s3: { save: number; saveHashing: number; load: number };
  readonly plain: { putSingle: number; putParts: number; getSingle: number; getParts: number };
}

/** Save and load one file of `mb` MiB on both backends and with the plain client; removes its files after. */
async function blob(
  backends: Record<'fs' | 's3', ObjectStore>,
  plain: PlainClient,
  plainPrefix: string,
  scratch: string,
  mb: number,
  n: number,
): Promise<BlobTimes> {
  const src = path.join(scratch, `blob-${mb}.bin`);
  const out = path.join(scratch, `out-${mb}.bin`);
  writeBlob(src, mb);
  const key = `checkpoints/bench/${mb}mb.bin`;
  try {
    // Interleaved: each repetition saves, then loads, with every client in turn, so a load
    // spike of the machine hits them alike; the figure of each is its median.
    const pk = `${plainPrefix}${key}`;
    const t: Record<string, number[]> = {};
    const time = async (name: string, run: () => Promise<unknown>) => void (t[name] ??= []).push(await seconds(run));
    // A checkpoint writer hashes what it writes and passes the digest along (CheckpointStore.save);
    // a file another program wrote (a PyTorch checkpoint) is hashed by putFile first: both are measured.
    const sha256 = await sha256File(src);
    for (let i = 0; i < n; i++) {
      await time('fsSave', () => backends.fs.putFile(key, src, { sha256 }));
      await time('s3Save', () => backends.s3.putFile(key, src, { sha256 }));
      await time('s3SaveHashing', () => backends.s3.putFile(key, src));
      await time('putSingle', () => plain.putSingle(pk, src));
      await time('putParts', () => plain.putParts(pk, src));
      await time('fsLoad', () => backends.fs.getFile(key, out));
      await time('s3Load', () => backends.s3.getFile(key, out));
      await time('getSingle', () => plain.getSingle(pk, out));
      await time('getParts', () => plain.getParts(pk, out, mb * MiB));
    }
    const m = (name: string): number => median(t[name] ?? []);
    const fsTimes = { save: m('fsSave'), load: m('fsLoad') };
    const s3Times = { save: m('s3Save'), saveHashing: m('s3SaveHashing'), load: m('s3Load') };
    const [putSingle, putParts, getSingle, getParts] = [m('putSingle'), m('putParts'), m('getSingle'), m('getParts')];
    await backends.fs.delete(key);
    // A worker's checkpoint cache: the saving worker keeps its file (a copy stands in for it); another worker downloads it.
    const here = new CheckpointCache(path.join(scratch, 'cache-here'), 1e12);
    const elsewhere = new CheckpointCache(path.join(scratch, 'cache-elsewhere'), 1e12);
    const staged = await here.stagingPath(key);
    fs.copyFileSync(src, staged);
    await here.commit(key, staged, (await backends.s3.head(key))?.sha256 ?? '');
    const resumeHere = await repeat(n, () => here.fetch(key, backends.s3));
    const resumeElsewhere = await seconds(() => elsewhere.fetch(key, backends.s3));
    const resume = { here: resumeHere, elsewhere: resumeElsewhere, fetched: elsewhere.stats().bytesFetched + here.stats().bytesFetched };
    fs.rmSync(here.root, { recursive: true, force: true });
    fs.rmSync(elsewhere.root, { recursive: true, force: true });
    await backends.s3.delete(key);
    await plain.delete(pk);
    return { fs: fsTimes, s3: s3Times, resume, plain: { putSingle, putParts, getSingle, getParts } };
  } finally {
    fs.rmSync(src, { force: true });
    fs.rmSync(out, { force: true });
  }
}

interface SweepRow {
  readonly partSize: number;
  readonly concurrency: number;
  readonly save: number;
  readonly load: number;
}

/**
 * mselect's save and load of one `mb` MiB file with each part size × concurrency, and the plain
 * client's figures (one stream; parts of the default size and concurrency), interleaved within
 * each repetition so a load spike of the machine hits them alike; medians of `n`.
 */
async function sweep(
  server: S3Server,
  plain: PlainClient,
  scratch: string,
  mb: number,
  grid: { partSizes: number[]; concurrencies: number[] },
  n: number,
): Promise<{ rows: SweepRow[]; plain: BlobTimes['plain'] }> {
  const src = path.join(scratch, `sweep-${mb}.bin`);
  const out = path.join(scratch, `sweep-out-${mb}.bin`);
  writeBlob(src, mb);
  const key = `checkpoints/sweep/${mb}mb.bin`;
  const points = grid.partSizes.flatMap((p) =>
    grid.concurrencies.map((c) => ({
      name: `${p}x${c}`,
      p,
      c,
      store: new S3ObjectStore(server.settings('mselect'), { transfer: { partSize: p * MiB, concurrency: c } }),
    })),
  );
  const t: Record<string, number[]> = {};
  const time = async (name: string, run: () => Promise<unknown>) => void (t[name] ??= []).push(await seconds(run));
  try {
    const sha256 = await sha256File(src);
    for (let i = 0; i < n; i++) {
      await time('putSingle', () => plain.putSingle(`plain/${key}`, src));
      await time('putParts', () => plain.putParts(`plain/${key}`, src));
      for (const x of points) await time(`save ${x.name}`, () => x.store.putFile(key, src, { sha256 }));
      await time('getSingle', () => plain.getSingle(`plain/${key}`, out));
      await time('getParts', () => plain.getParts(`plain/${key}`, out, mb * MiB));
      for (const x of points) await time(`load ${x.name}`, () => x.store.getFile(key, out));
      console.error(`  sweep: repetition ${i + 1} of ${n} done`);
    }
    await points[0]?.store.delete(key);
    await plain.delete(`plain/${key}`);
  } finally {
    fs.rmSync(src, { force: true });
    fs.rmSync(out, { force: true });
  }
  const m = (name: string): number => median(t[name] ?? []);
  return {
    rows: points.map((x) => ({ partSize: x.p, concurrency: x.c, save: m(`save ${x.name}`), load: m(`load ${x.name}`) })),
    plain: { putSingle: m('putSingle'), putParts: m('putParts'), getSingle: m('getSingle'), getParts: m('getParts') },
  };
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
      await w.appendCells(
        ids.map((model, i) => ({
          model,
          dataset,
          settingsHash: 's',
          metric: 'accuracy',
          value: (((from + i) * 7 + d) % 100) / 100,
          epochs: 5,
          runId: `${model}@${dataset}`,
        })),
      );
      await w.appendCurves(ids.map((model) => ({ model, dataset, settingsHash: 's', metric: 'accuracy', values: [0.1, 0.2, 0.3, 0.4, 0.5] })));
    }
    await w.commit(`models ${from}..`);
  }
  await store.compact();
  return store;
}

const rate = (bytes: number, s: number): string => {
  const v = bytes / MiB / s;
  return v.toFixed(bytes < MiB ? 2 : v < 10 ? 1 : 0);
};
/** A ratio of rates from two durations: mselect's MB/s over the plain client's (above 1: mselect is faster). */
const ratio = (plainSeconds: number, oursSeconds: number): string => (plainSeconds / oursSeconds).toFixed(2);
const table = (head: string[]) => new Table({ style: { head: [], border: [], compact: true }, head });
const sizeLabel = (mb: number): string => (mb >= 1024 ? `${mb / 1024} GB` : `${mb} MB`);

async function main(f: Flags): Promise<void> {
  const sizes = f.sizes === '' ? [] : f.sizes.split(',').map(Number);
  const transfer: TransferSettings = { partSize: ByteSizeSchema.parse(f.partSize), concurrency: f.concurrency };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-bench-storage-'));
  const scratch = path.join(root, 'scratch');
  fs.mkdirSync(scratch);
  const server = await S3Server.start({ dir: path.join(root, 's3'), bucket: 'bench' });
  try {
    const backends: Record<'fs' | 's3', ObjectStore> = {
      fs: new FsObjectStore(path.join(root, 'fs')),
      s3: new S3ObjectStore(server.settings('mselect'), { transfer }),
    };
    const plainClient = plainS3Client(server.endpoint, { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
    const plain = new PlainClient(plainClient, server.bucket, transfer);
    console.log(
      `filesystem: ${backends.fs.url}; S3: versitygw at ${server.endpoint} over ${server.dir}; ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; parts of ${transfer.partSize / MiB} MiB, ${transfer.concurrency} in flight; median of ${f.repeat} (${f.bigRepeat} from 1 GB)`,
    );
    const figures = table(['operation', 'fs MB/s', 'S3 MB/s', 'plain 1 stream MB/s', 'plain parts MB/s', 'S3 / plain parts', 'S3 / plain 1 stream']);
    const notes: string[] = [];
    for (const mb of sizes) {
      const n = mb >= 1024 ? f.bigRepeat : f.repeat;
      const t = await blob(backends, plain, 'plain/', scratch, mb, n);
      const bytes = mb * MiB;
      const label = sizeLabel(mb);
      figures.push([
        `checkpoint save ${label}`,
        rate(bytes, t.fs.save),
        rate(bytes, t.s3.save),
        rate(bytes, t.plain.putSingle),
        rate(bytes, t.plain.putParts),
        ratio(t.plain.putParts, t.s3.save),
        ratio(t.plain.putSingle, t.s3.save),
      ]);
      figures.push([
        `  save, file hashed first ${label}`,
        '',
        rate(bytes, t.s3.saveHashing),
        '',
        '',
        ratio(t.plain.putParts, t.s3.saveHashing),
        ratio(t.plain.putSingle, t.s3.saveHashing),
      ]);
      figures.push([
        `checkpoint load ${label}`,
        rate(bytes, t.fs.load),
        rate(bytes, t.s3.load),
        rate(bytes, t.plain.getSingle),
        rate(bytes, t.plain.getParts),
        ratio(t.plain.getParts, t.s3.load),
        ratio(t.plain.getSingle, t.s3.load),
      ]);
      if (mb >= 1024) {
        notes.push(
          `${label}: save ${rate(bytes, t.s3.save)} MB/s = ${ratio(t.plain.putParts, t.s3.save)} of the plain multipart upload (${rate(bytes, t.plain.putParts)}), ` +
            `${ratio(t.plain.putSingle, t.s3.save)} of the plain single PUT (${rate(bytes, t.plain.putSingle)}); ` +
            `load ${rate(bytes, t.s3.load)} MB/s = ${ratio(t.plain.getParts, t.s3.load)} of the plain parallel ranged GET (${rate(bytes, t.plain.getParts)}), ` +
            `${ratio(t.plain.getSingle, t.s3.load)} of the plain single GET (${rate(bytes, t.plain.getSingle)})`,
        );
      }
      notes.push(
        `resume from a ${label} checkpoint: on the worker that saved it ${t.resume.here.toFixed(2)} s (cache entry, SHA-256 checked), on another worker ${t.resume.elsewhere.toFixed(2)} s (download into its cache); bytes fetched from the bucket: ${(t.resume.fetched / MiB).toFixed(0)} MiB`,
      );
      console.error(`  ${label} done`);
    }
    if (f.matrix) {
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
      figures.push([
        `full matrix read (${f.models} × ${f.datasets} = ${cells} cells)`,
        rate(bytes, read.fs ?? NaN),
        rate(bytes, read.s3 ?? NaN),
        '',
        '',
        '',
        '',
      ]);
    }
    if (figures.length > 0) console.log(figures.toString());
    for (const r of notes) console.log(r);
    if (f.sweep) {
      const grid = { partSizes: f.sweepPartSizes.split(',').map(Number), concurrencies: f.sweepConcurrency.split(',').map(Number) };
      const { rows, plain: p } = await sweep(server, plain, scratch, f.sweepSize, grid, f.sweepRepeat);
      const bytes = f.sweepSize * MiB;
      console.log(
        `part size × parts in flight, ${sizeLabel(f.sweepSize)} (median of ${f.sweepRepeat}); plain client in the same run: single PUT ${rate(bytes, p.putSingle)} MB/s, ` +
          `multipart ${rate(bytes, p.putParts)} MB/s, single GET ${rate(bytes, p.getSingle)} MB/s, parallel ranged GET ${rate(bytes, p.getParts)} MB/s ` +
          `(parts of ${transfer.partSize / MiB} MiB, ${transfer.concurrency} in flight)`,
      );
      const t = table([
        'part size',
        'in flight',
        'save MB/s',
        'save / plain parts',
        'save / plain 1 stream',
        'load MB/s',
        'load / plain parts',
        'load / plain 1 stream',
      ]);
      for (const r of rows) {
        t.push([
          `${r.partSize} MiB`,
          r.concurrency,
          rate(bytes, r.save),
          ratio(p.putParts, r.save),
          ratio(p.putSingle, r.save),
          rate(bytes, r.load),
          ratio(p.getParts, r.load),
          ratio(p.getSingle, r.load),
        ]);
      }
      console.log(t.toString());
    }
    // One link per congestion control asked for ('' is the system's default).
    for (const cc of f.link ? f.linkCc.split(',') : []) {
      const o = {
        sizeMiB: f.linkSize,
        delayMs: f.linkDelay,
        lossPercent: f.linkLoss,
        rateMbit: f.linkRate,
        congestionControl: cc,
        keepAlive: f.linkKeepAlive,
        transfer,
        repeat: f.linkRepeat,
        scratch,
      };
      const r = await linkBench(o);
      const bytes = f.linkSize * MiB;
      const s = r.seconds;
      console.log(
        `emulated link: ${o.delayMs} ms each way (TCP connect ${r.connectMs.toFixed(1)} ms), ${o.lossPercent}% of packets lost each way, ` +
          `${o.rateMbit > 0 ? `${o.rateMbit} Mbit/s each way` : 'no rate limit'}, ` +
          `TCP ${r.congestionControl}, versitygw ${o.keepAlive ? 'keeping connections alive' : 'closing each connection'}; ${sizeLabel(f.linkSize)}, median of ${o.repeat}`,
      );
      const t = table(['transfer', 'MB/s', 'over one stream']);
      const parts = `${transfer.partSize / MiB} MiB parts`;
      t.push(['save: plain PutObject, one stream', rate(bytes, s.putSingle), '1.00']);
      t.push([`save: plain lib-storage Upload, ${parts}, ${transfer.concurrency} in flight`, rate(bytes, s.putParts), ratio(s.putSingle, s.putParts)]);
      t.push([`save: mselect putFile, ${parts}, 1 in flight`, rate(bytes, s.oursSequential), ratio(s.putSingle, s.oursSequential)]);
      t.push([`save: mselect putFile, ${parts}, ${transfer.concurrency} in flight`, rate(bytes, s.ours), ratio(s.putSingle, s.ours)]);
      t.push(['load: plain GetObject, one stream', rate(bytes, s.getSingle), '1.00']);
      t.push([`load: plain ranged GETs, ${parts}, ${transfer.concurrency} in flight`, rate(bytes, s.getParts), ratio(s.getSingle, s.getParts)]);
      t.push([`load: mselect getFile, ${parts}, 1 in flight`, rate(bytes, s.oursLoadSequential), ratio(s.getSingle, s.oursLoadSequential)]);
      t.push([`load: mselect getFile, ${parts}, ${transfer.concurrency} in flight`, rate(bytes, s.oursLoad), ratio(s.getSingle, s.oursLoad)]);
      console.log(t.toString());
    }
  } finally {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
  if (f.selection) await selectionBench(f);
}

/**
 * The selection on the three-machine set-up (bench/storage-selection.ts). It starts the fault
 * tests' harness, which is not part of the build, so it runs from its TypeScript source
 * through ts-node (a development dependency); without ts-node it is skipped with a note.
 */
async function selectionBench(f: Flags): Promise<void> {
  let register: string;
  try {
    register = require.resolve('ts-node/register/transpile-only', { paths: [PROJECT_ROOT] });
  } catch {
    console.log('selection on three machines: skipped (needs ts-node, a development dependency: npm ci)');
    return;
  }
  const args = ['--models', String(f.selectionModels), '--width', String(f.selectionWidth), '--repeat', String(f.selectionRepeat)];
  const child = spawn(process.execPath, ['-r', register, path.join(PROJECT_ROOT, 'bench', 'storage-selection.ts'), ...args], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`the selection on three machines exited with ${code}`);
}

const program = new Command()
  .option('--sizes <list>', 'checkpoint sizes in MiB (empty: none)', '1,64,1024,4096')
  .option('--models <n>', 'models in the matrix', (v) => Number(v), 200)
  .option('--datasets <n>', 'datasets in the matrix', (v) => Number(v), 20)
  .option('--no-matrix', 'skip the matrix read')
  .option('--repeat <n>', 'runs per figure (median)', (v) => Number(v), 3)
  .option('--big-repeat <n>', 'runs per figure for files of 1 GB and more', (v) => Number(v), 1)
  .option('--part-size <size>', 'part size of S3 transfers', `${DEFAULT_TRANSFER.partSize / MiB}MiB`)
  .option('--concurrency <n>', 'parts in flight per S3 transfer', (v) => Number(v), DEFAULT_TRANSFER.concurrency)
  .option('--sweep', 'also save and load one file with each part size × concurrency below')
  .option('--sweep-size <MiB>', 'file size of the sweep', (v) => Number(v), 1024)
  .option('--sweep-part-sizes <list>', 'part sizes of the sweep, MiB', '16,64,128')
  .option('--sweep-concurrency <list>', 'parts in flight of the sweep', '2,4,8')
  .option('--sweep-repeat <n>', 'runs per figure of the sweep (median)', (v) => Number(v), 3)
  .option('--link', 'also move one file over an emulated link (network namespaces and scripts/link-emulator.py; needs root)')
  .option('--link-size <MiB>', 'file size over the link', (v) => Number(v), 256)
  .option('--link-delay <ms>', 'one-way delay of the link', (v) => Number(v), 20)
  .option('--link-loss <percent>', 'packets lost each way', (v) => Number(v), 0.1)
  .option('--link-rate <Mbit/s>', 'link rate each way (0: none)', (v) => Number(v), 200)
  .option('--link-cc <list>', "TCP congestion control on the link, one run each (of net.ipv4.tcp_allowed_congestion_control; '' for the system's default)", '')
  .option('--no-link-keep-alive', 'let versitygw close each connection after a request (its default)')
  .option('--link-repeat <n>', 'runs per figure over the link (median)', (v) => Number(v), 1)
  .option('--no-selection', 'skip the selection on three machines with and without worker affinity')
  .option('--selection-models <n>', 'models in that selection', (v) => Number(v), 4)
  .option('--selection-width <units>', 'hidden units of its models (checkpoints grow with it: about 100 bytes per unit)', (v) => Number(v), 6)
  .option('--selection-repeat <n>', 'selections of each kind (with and without affinity), taking turns', (v) => Number(v), 3);
program.parse();
main(program.opts<Flags>()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

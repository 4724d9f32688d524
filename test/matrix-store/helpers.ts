/**
 * Shared fixtures of the matrix store tests: temporary stores on either backend (a folder, or a
 * prefix of a real S3 server, versitygw, started on first use), sample rows, whole-content dumps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { CellRecordInput, OpenStoreOptions } from '../../contracts/schemas/store';
import { exportTableCsv } from '../../interop';
import { openStore, openStoreOn, TABLES, type MatrixStore, type Snapshot } from '../../matrix-store';
import { S3Server } from '../../server/versitygw';
import { FsObjectStore, S3ObjectStore, type ObjectStore } from '../../storage';
import { tempDir as tempFolder } from '../helpers/temp';

/** Every backend the store's tests run on. */
export const BACKENDS = ['fs', 's3'] as const;
export type Backend = (typeof BACKENDS)[number];

let server: Promise<S3Server> | null = null;
// Registered at import, so it runs after the importing test file's tests (before the temporary folders go).
afterAll(async () => {
  const running = server;
  server = null;
  if (running) await (await running).stop();
});

/** A fresh empty directory, removed after the test file's tests. */
export function tempDir(): string {
  return tempFolder('store-test');
}

/** The S3 server of this test file (started on first use, stopped after its tests). */
export function s3Server(): Promise<S3Server> {
  server ??= S3Server.start({ dir: tempDir(), bucket: 'mselect-store' });
  return server;
}

/** Where a test store lives, on either backend. */
export interface Place {
  readonly backend: Backend;
  /** What `openStoreUrl` and the child writer take: a folder path or an s3:// URL. */
  readonly url: string;
  /** The S3 variables a child process needs (empty for a folder). */
  readonly env: Record<string, string>;
  readonly objects: ObjectStore;
  /** Open the store here (created when missing). */
  open(options?: Omit<OpenStoreOptions, 'dir'>): Promise<MatrixStore>;
  /** The local file behind a key (a folder's file, or the file versitygw serves), to damage it. */
  local(key: string): string;
  /** Keys under a prefix. */
  keys(prefix: string): Promise<string[]>;
}

/** A fresh empty place for a store on `backend`. */
export async function tempPlace(backend: Backend): Promise<Place> {
  if (backend === 'fs') {
    const dir = tempDir();
    const objects = new FsObjectStore(dir, { tmpDir: path.join(dir, 'tmp') });
    return {
      backend,
      url: dir,
      env: {},
      objects,
      open: async (options = {}) => openStore({ ...options, dir }),
      local: (key) => path.join(dir, key),
      keys: async (prefix) => (await objects.list(prefix)).map((o) => o.key),
    };
  }
  const s3 = await s3Server();
  const prefix = `store-${randomBytes(5).toString('hex')}`;
  const objects = new S3ObjectStore(s3.settings(prefix));
  return {
    backend,
    url: `s3://${s3.bucket}/${prefix}`,
    env: s3.env(prefix),
    objects,
    open: (options = {}) => openStoreOn(objects, options),
    local: (key) => path.join(s3.dir, s3.bucket, prefix, key),
    keys: async (p) => (await objects.list(p)).map((o) => o.key),
  };
}

/** A fresh store on `backend` (default a temporary folder). */
export async function tempStore(backend: Backend = 'fs', options: Omit<OpenStoreOptions, 'dir'> = {}): Promise<MatrixStore> {
  return (await tempPlace(backend)).open(options);
}

/** A cell with defaults for the fields a test does not care about. */
export function cell(model: string, dataset: string, value: number | null, extra: Partial<CellRecordInput> = {}): CellRecordInput {
  return { model, dataset, value, settingsHash: 's1', metric: 'accuracy', epochs: 3, runId: `${model}@${dataset}`, finishedAt: 1000, ...extra };
}

/** Commit cells (and a 3-point curve per cell ending at its value) as one version. */
export async function commitCells(store: MatrixStore, cells: readonly CellRecordInput[], message = 'cells'): Promise<number> {
  const w = store.beginWrite();
  await w.appendCells(cells);
  await w.appendCurves(
    cells.map((c) => ({ model: c.model, dataset: c.dataset, settingsHash: c.settingsHash, metric: c.metric, values: [0.1, 0.2, c.value ?? 0.3] })),
  );
  return w.commit(message);
}

/** Everything a snapshot holds, as text: every table's CSV plus the matrix. */
export async function contentOf(snapshot: Snapshot): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of Object.keys(TABLES) as (keyof typeof TABLES)[]) out[table] = await exportTableCsv(snapshot, table);
  const m = await snapshot.performanceMatrix();
  out.matrix = JSON.stringify({ models: m.models, datasets: m.datasets, values: Array.from(m.values, (v) => (Number.isNaN(v) ? null : v)) });
  return out;
}

/** Spawn `child-writer.ts` with a JSON config; resolves when it prints `line` (or exits). */
export function spawnWriter(config: Record<string, unknown>): ChildProcess {
  const script = path.join(__dirname, 'child-writer.ts');
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, JSON.stringify(config)], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolve when the child prints a line containing `text`. */
export function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) resolve();
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`child exited (${String(code)}) before printing ${text}: ${err}`)));
  });
}

/** Resolve with the exit code; reject with stderr when it is not 0. */
export function exitOk(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code)}: ${err}`))));
  });
}

/** Shared fixtures of the matrix store tests: temporary stores, sample rows, whole-content dumps. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { CellRecordInput } from '../../contracts/schemas/store';
import { exportTableCsv, openStore, TABLES, type MatrixStore, type Snapshot } from '../../matrix-store';
import { tempDir as tempFolder } from '../helpers/temp';

/** A fresh empty directory, removed after the test file's tests. */
export function tempDir(): string {
  return tempFolder('store-test');
}

/** A fresh store in a temporary directory. */
export function tempStore(options: Parameters<typeof openStore>[0] = {}): MatrixStore {
  return openStore({ ...options, dir: tempDir() });
}

/** A cell with defaults for the fields a test does not care about. */
export function cell(model: string, dataset: string, value: number | null, extra: Partial<CellRecordInput> = {}): CellRecordInput {
  return { model, dataset, value, settingsHash: 's1', metric: 'accuracy', epochs: 3, runId: `${model}@${dataset}`, finishedAt: 1000, ...extra };
}

/** Commit cells (and a 3-point curve per cell ending at its value) as one version. */
export async function commitCells(store: MatrixStore, cells: readonly CellRecordInput[], message = 'cells'): Promise<number> {
  const w = store.beginWrite();
  await w.appendCells(cells);
  await w.appendCurves(cells.map((c) => ({ model: c.model, dataset: c.dataset, settingsHash: c.settingsHash, metric: c.metric, values: [0.1, 0.2, c.value ?? 0.3] })));
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

/**
 * Running catalogue cases: a tiny hub with the broken entries added, the offline workflow
 * over chosen cells with in-process workers, and the checks every failed cell must pass.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildMatrixResult } from '../../../contracts/schemas';
import { openStore } from '../../../matrix-store';
import type { WorkerConfig } from '../../../workers/config';
import { buildPerformanceMatrix } from '../../../workflows';
import { writeTinyDataset, writeTinyModel } from '../../hub/tiny-hub';
import type { FaultCase } from '../catalogue';
import { BENCHMARK, MODELS, TARGET, makeRoots, removeDir, workerConfig, type Roots } from './fixtures';
import { activityRuns, type ActivityRun } from './history';
import { seedHistory } from './selection';
import { freshQueue, gpu, orchestrator, withWorkers, type Server } from './server';

/** `it`, or `it.failing` for a case that documents a known product gap. */
export const itFor = (c: FaultCase): jest.It => (c.bug ? it.failing : it);

export function missing(c: FaultCase): never {
  throw new Error(`no fixture for catalogue case ${c.id}`);
}

const made: string[] = [];
/** Remove every folder `hubRoots` made. */
export async function removeHubRoots(): Promise<void> {
  await Promise.all(made.splice(0).map(removeDir));
}

/** A hub with the good tiny models and datasets plus what `extra` adds, and a store with history. */
export async function hubRoots(extra: (r: Roots) => Promise<void> = async () => undefined): Promise<Roots> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'mselect-faults-bad-'));
  const r = await makeRoots({ hubDir: path.join(base, 'hub'), datasetsDir: path.join(base, 'datasets') });
  made.push(base, r.dataDir);
  for (const [i, m] of MODELS.entries()) await writeTinyModel(r.hubDir, m, 6, i + 1);
  await writeTinyDataset(r.datasetsDir, BENCHMARK, { role: 'benchmark' });
  await writeTinyDataset(r.datasetsDir, TARGET, { role: 'target' });
  await extra(r);
  await seedHistory(r.storeDir);
  return r;
}

/** Cells of the store's head version, as [model, dataset, value]. */
export async function storedCells(r: Roots): Promise<unknown[][]> {
  return (await (await openStore({ dir: r.storeDir }).snapshot()).rows('cells')).map((c) => [c.model, c.dataset, c.value]);
}

export interface OfflineRun {
  readonly result: BuildMatrixResult;
  readonly runs: ActivityRun[];
}

/** The offline workflow over `input` (3 epochs, 4 at once) with in-process workers; its result and activities. */
export async function runOffline(server: Server, r: Roots, input: Record<string, unknown>, config: WorkerConfig = workerConfig(r)): Promise<OfflineRun> {
  const taskQueue = freshQueue('bad-cell');
  const workflowId = `offline-${taskQueue}`;
  const result = await withWorkers([await orchestrator(server, taskQueue, config), await gpu(server, taskQueue, config, undefined, 4)], () =>
    server.client.workflow.execute(buildPerformanceMatrix, { taskQueue, workflowId, args: [{ epochs: 3, maxParallel: 4, ...input }] }),
  );
  return { result, runs: await activityRuns(server.client.workflow.getHandle(workflowId)) };
}

/**
 * Cell (model, dataset) failed as case `c` says: the run lists it with the excerpt (and
 * `where`, when given), and its fineTune failed with the case's type after `attempts`
 * attempts (1: not retried).
 */
export function expectCellFailure(c: FaultCase, out: OfflineRun, model: string, dataset: string, where: string | null, attempts = 1): void {
  const failure = out.result.failures.find((f) => f.model === model && f.dataset === dataset);
  expect(failure?.error).toContain(c.excerpt);
  if (where !== null) expect(failure?.error).toContain(where);
  const run = out.runs.find((a) => {
    const i = a.input as { modelId?: string; datasetId?: string };
    return a.type === 'fineTune' && i.modelId === model && i.datasetId === dataset;
  });
  expect(run?.failure).toMatchObject({ type: c.errorType, nonRetryable: attempts === 1 });
  expect(run?.attempt).toBe(attempts);
}

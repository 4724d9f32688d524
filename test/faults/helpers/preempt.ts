/**
 * Killing a GPU worker process in the middle of a fine-tune epoch, and what the history says
 * about the takeover: which attempt finished, why the one before ended, where it resumed.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FineTuneOutput, FineTuneRequest } from '../../../contracts/schemas/training';
import { CheckpointStore } from '../../../training/checkpoint-store';
import type { ActivityRun } from './history';
import { checkpointEpochs } from './fixtures';
import type { Child } from './processes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every run id with a checkpoint of `epoch` on disk. */
async function runsAtEpoch(checkpointDir: string, epoch: number): Promise<string[]> {
  const runsDir = path.join(checkpointDir, path.dirname(path.dirname(new CheckpointStore(checkpointDir).keyFor('x', 0))));
  const dirs = await fs.readdir(runsDir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const d of dirs) {
    const runId = decodeURIComponent(d);
    if ((await checkpointEpochs(checkpointDir, runId)).includes(epoch)) found.push(runId);
  }
  return found;
}

async function mtimeMs(checkpointDir: string, runId: string, epoch: number): Promise<number> {
  return (await fs.stat(path.join(checkpointDir, new CheckpointStore(checkpointDir).keyFor(runId, epoch)))).mtimeMs;
}

export interface Preemption {
  readonly runId: string;
  /** Last epoch whose checkpoint was on disk when the worker died. */
  readonly lastCheckpoint: number;
  /** Seconds one epoch took just before the kill. */
  readonly epochSeconds: number;
}

/**
 * Wait until some run has checkpointed epoch `epoch`, let the next epoch get about 40% done,
 * then SIGKILL `worker` and wait until it is gone.
 */
export async function killMidEpoch(worker: Child, checkpointDir: string, epoch: number, timeoutMs = 180_000): Promise<Preemption> {
  const deadline = Date.now() + timeoutMs;
  const watchedFrom = Date.now();
  let runId: string | undefined;
  while (!runId) {
    if (Date.now() > deadline) throw new Error(`no run reached epoch ${epoch} within ${timeoutMs} ms; worker output:\n${worker.output()}`);
    runId = (await runsAtEpoch(checkpointDir, epoch))[0];
    if (!runId) await sleep(50);
  }
  // The epoch before may already be deleted (a run keeps only what a retry could resume from): then the time since the run's start.
  const before = await mtimeMs(checkpointDir, runId, epoch - 1).catch(() => undefined);
  const epochMs =
    before === undefined ? ((await mtimeMs(checkpointDir, runId, epoch)) - watchedFrom) / epoch : (await mtimeMs(checkpointDir, runId, epoch)) - before;
  await sleep(Math.max(200, 0.4 * epochMs));
  worker.kill('SIGKILL');
  const exit = await worker.exited;
  if (exit.signal !== 'SIGKILL') throw new Error(`worker ended on its own (${JSON.stringify(exit)}) before the kill; output:\n${worker.output()}`);
  const on = await checkpointEpochs(checkpointDir, runId);
  return { runId, lastCheckpoint: Math.max(...on), epochSeconds: epochMs / 1000 };
}

export interface FineTuneRun {
  readonly input: FineTuneRequest;
  readonly output: FineTuneOutput;
  readonly attempt: number;
  readonly lastFailure: ActivityRun['lastFailure'];
}

/** The completed fineTune activities of `runId`, in order. */
export function fineTunesOf(runs: readonly ActivityRun[], runId: string): FineTuneRun[] {
  return runs
    .filter((r) => r.type === 'fineTune' && (r.input as FineTuneRequest).runId === runId && r.result !== undefined)
    .map((r) => ({ input: r.input as FineTuneRequest, output: r.result as FineTuneOutput, attempt: r.attempt, lastFailure: r.lastFailure }));
}

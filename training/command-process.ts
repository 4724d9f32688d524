/**
 * The child-process side of the command trainer: the job description a command receives
 * (as stdin JSON, MSELECT_* variables and `{placeholder}` arguments), and one running
 * command with its exit status, a bounded stderr tail and termination.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType, nonRetryable } from '../contracts/errors';

/** The job description the command receives (stdin JSON and MSELECT_JOB). */
export interface CommandJob {
  readonly modelId: string;
  readonly modelDir: string;
  readonly datasetId: string;
  readonly datasetDir: string;
  readonly fromEpoch: number;
  readonly toEpoch: number;
  readonly seed: number;
  readonly runId: string;
  readonly checkpointRoot: string;
  /** Where this run should write its checkpoints. */
  readonly checkpointDir: string;
  readonly resume: { readonly key: string; readonly epoch: number; readonly path: string } | null;
}

/** A TrainerFailed failure; `permanent` ones (bad output, missing binary) are non-retryable. */
export function failed(message: string, permanent: boolean): ApplicationFailure {
  return permanent ? nonRetryable(ErrorType.TrainerFailed, message) : ApplicationFailure.retryable(message, ErrorType.TrainerFailed);
}

/** The typed failure an `error` line reports: non-retryable unless the command says `retryable`. */
export function reportedFailure(error: { type: string; message: string; retryable: boolean }, command: string): ApplicationFailure {
  const message = `${error.message} (reported by ${command})`;
  return error.retryable ? ApplicationFailure.retryable(message, error.type) : nonRetryable(error.type as ErrorType, message);
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error: Error | null;
}

/** One child process: its exit, a bounded stderr tail and termination. */
export class CommandRun {
  readonly exited: Promise<Exit>;
  private readonly tail: string[] = [];

  constructor(
    readonly child: ChildProcess & { stdout: NodeJS.ReadableStream },
    keep: number,
  ) {
    createInterface({ input: child.stderr as NodeJS.ReadableStream, crlfDelay: Infinity }).on('line', (l) => {
      this.tail.push(l);
      if (this.tail.length > keep) this.tail.shift();
    });
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal, error: null }));
    });
  }

  /** Throw TrainerFailed unless the command exited with 0. */
  check(exit: Exit, command: string): void {
    const stderr = this.tail.length ? `; stderr tail:\n${this.tail.join('\n')}` : '; stderr was empty';
    if (exit.error) throw failed(`${command} could not be started: ${exit.error.message}`, true);
    if (exit.code !== 0) throw failed(`${command} ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}${stderr}`, false);
  }

  terminate(graceMs: number): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    if (graceMs <= 0) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    timer.unref();
    this.child.once('close', () => clearTimeout(timer));
  }
}

/** The MSELECT_* environment of a job. */
export function jobEnv(job: CommandJob): Record<string, string> {
  return {
    MSELECT_JOB: JSON.stringify(job),
    MSELECT_MODEL_ID: job.modelId,
    MSELECT_MODEL_DIR: job.modelDir,
    MSELECT_DATASET_ID: job.datasetId,
    MSELECT_DATASET_DIR: job.datasetDir,
    MSELECT_FROM_EPOCH: String(job.fromEpoch),
    MSELECT_TO_EPOCH: String(job.toEpoch),
    MSELECT_SEED: String(job.seed),
    MSELECT_RUN_ID: job.runId,
    MSELECT_CHECKPOINT_ROOT: job.checkpointRoot,
    MSELECT_CHECKPOINT_DIR: job.checkpointDir,
    MSELECT_RESUME_PATH: job.resume?.path ?? '',
  };
}

/** Replace `{name}` placeholders in one configured argument; unknown names stay as they are. */
export function substitute(arg: string, job: CommandJob): string {
  const values: Record<string, string> = {
    modelDir: job.modelDir,
    datasetDir: job.datasetDir,
    fromEpoch: String(job.fromEpoch),
    toEpoch: String(job.toEpoch),
    seed: String(job.seed),
    runId: job.runId,
    checkpointDir: job.checkpointDir,
    resumePath: job.resume?.path ?? '',
  };
  return arg.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

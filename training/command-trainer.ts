/**
 * A Trainer that runs an external command (e.g. a PyTorch script on a GPU worker) in place
 * of tfjs. The command and its fixed arguments come only from worker configuration; the
 * job (model, dataset, epoch range, resume checkpoint) reaches it as JSON on stdin, as
 * MSELECT_* environment variables and through `{placeholders}` in the configured args.
 * It prints one JSON line per epoch on stdout; see docs/external-trainer.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { formatIssues } from '../contracts/parse';
import { CommandEpochLineSchema, CommandTestLineSchema } from '../contracts/schemas/training';
import { resolveInside } from '../hub/files';
import { CheckpointStore } from './checkpoint-store';
import { abortError } from './session';
import type { CheckpointRef, EpochRecord, Trainer, TrainHooks, TrainRequest, TrainResult } from './trainer';

export interface CommandTrainerConfig {
  /** Executable to run (no shell is involved). */
  readonly command: string;
  /** Fixed arguments; `{modelDir}`, `{datasetDir}`, `{fromEpoch}`, `{toEpoch}`, `{seed}`, `{runId}`, `{checkpointDir}`, `{resumePath}` are substituted. @default [] */
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** Extra environment for the command, on top of the worker's own. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly checkpointDir: string;
  /** Name this trainer answers to. @default 'command' */
  readonly name?: string;
  /** Backend recorded when the command does not report one. @default 'external' */
  readonly backendName?: string;
  /** Lines of stderr quoted in failures. @default 20 */
  readonly stderrTailLines?: number;
  /** Time between SIGTERM and SIGKILL when cancelled. @default 5000 */
  readonly killGraceMs?: number;
}

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

export class CommandTrainer implements Trainer {
  readonly name: string;
  private readonly keys: CheckpointStore;

  constructor(private readonly config: CommandTrainerConfig) {
    this.name = config.name ?? 'command';
    this.keys = new CheckpointStore(config.checkpointDir);
  }

  /**
   * Run the command for epochs fromEpoch+1 .. toEpoch, calling `hooks.onEpoch` per line.
   * Fails with TrainerFailed: retryable when the command exits non-zero or dies (the
   * message carries the stderr tail), non-retryable for a malformed line or a command that
   * cannot start; PathOutsideRoot for ids or checkpoints outside their roots; the abort
   * reason when cancelled (the command is terminated).
   */
  async train(request: TrainRequest, hooks: TrainHooks = {}): Promise<TrainResult> {
    const job = this.job(request);
    const child = spawn(this.config.command, (this.config.args ?? []).map((a) => substitute(a, job)), {
      cwd: this.config.cwd,
      env: { ...process.env, ...this.config.env, ...jobEnv(job) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const run = new CommandRun(child, this.config.stderrTailLines ?? 20);
    const stopOnAbort = (): void => run.terminate(this.config.killGraceMs ?? 5000);
    hooks.signal?.addEventListener('abort', stopOnAbort, { once: true });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(job) + '\n');
    try {
      const out = await this.readLines(run, request, hooks);
      const exit = await run.exited;
      if (hooks.signal?.aborted) throw abortError(hooks.signal);
      run.check(exit, this.config.command);
      const last = out.curve[out.curve.length - 1]?.epoch ?? request.fromEpoch;
      if (last !== request.toEpoch) throw failed(`${this.config.command} exited after epoch ${last}, but epoch ${request.toEpoch} was asked for`, true);
      return { curve: out.curve, checkpoint: out.checkpoint, test: out.test, trainer: this.name, backend: out.backend ?? this.config.backendName ?? 'external' };
    } catch (err) {
      run.terminate(0);
      throw hooks.signal?.aborted ? abortError(hooks.signal) : err;
    } finally {
      hooks.signal?.removeEventListener('abort', stopOnAbort);
    }
  }

  private job(r: TrainRequest): CommandJob {
    const runDir = path.dirname(this.keys.keyFor(r.runId, 0));
    return {
      modelId: r.modelId,
      modelDir: resolveInside(this.config.hubDir, r.modelId),
      datasetId: r.datasetId,
      datasetDir: resolveInside(this.config.datasetsDir, r.datasetId),
      fromEpoch: r.fromEpoch,
      toEpoch: r.toEpoch,
      seed: r.seed,
      runId: r.runId,
      checkpointRoot: path.resolve(this.config.checkpointDir),
      checkpointDir: resolveInside(this.config.checkpointDir, runDir),
      resume: r.resume ? { ...r.resume, path: resolveInside(this.config.checkpointDir, r.resume.key) } : null,
    };
  }

  private async readLines(run: CommandRun, request: TrainRequest, hooks: TrainHooks) {
    const curve: EpochRecord[] = [];
    let checkpoint: CheckpointRef | null = request.resume;
    let test: number | null = null;
    let backend: string | undefined;
    let n = 0;
    for await (const line of createInterface({ input: run.child.stdout, crlfDelay: Infinity })) {
      n += 1;
      if (line.trim() === '') continue;
      const parsed = parseLine(line, n, request.fromEpoch + curve.length + 1);
      backend = parsed.backend ?? backend;
      if ('test' in parsed) {
        test = parsed.test;
        continue;
      }
      checkpoint = parsed.checkpoint === null ? null : { key: this.keyOf(parsed.checkpoint), epoch: parsed.epoch };
      const record: EpochRecord = { epoch: parsed.epoch, metric: parsed.metric, seconds: parsed.seconds };
      curve.push(record);
      await hooks.onEpoch?.(record, checkpoint);
    }
    return { curve, checkpoint, test, backend };
  }

  /** A checkpoint printed as an absolute path or relative to the root, as a root-relative key. */
  private keyOf(printed: string): string {
    const full = resolveInside(this.config.checkpointDir, printed);
    return path.relative(path.resolve(this.config.checkpointDir), full).split(path.sep).join('/');
  }
}

function parseLine(line: string, n: number, expectedEpoch: number) {
  const bad = (why: string): never => {
    throw failed(`stdout line ${n} is not a progress line (${why}): ${line.slice(0, 200)}`, true);
  };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return bad('not JSON');
  }
  const isTest = typeof json === 'object' && json !== null && 'test' in json && !('epoch' in json);
  const r = isTest ? CommandTestLineSchema.safeParse(json) : CommandEpochLineSchema.safeParse(json);
  if (!r.success) return bad(formatIssues(r.error.issues));
  if ('epoch' in r.data && r.data.epoch !== expectedEpoch) bad(`epoch ${r.data.epoch} where ${expectedEpoch} was next`);
  return r.data;
}

function failed(message: string, permanent: boolean): ApplicationFailure {
  return permanent ? nonRetryable(ErrorType.TrainerFailed, message) : ApplicationFailure.retryable(message, ErrorType.TrainerFailed);
}

/** One child process: its exit, a bounded stderr tail and termination. */
class CommandRun {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }>;
  private readonly tail: string[] = [];

  constructor(readonly child: ChildProcess & { stdout: NodeJS.ReadableStream }, keep: number) {
    createInterface({ input: child.stderr as NodeJS.ReadableStream, crlfDelay: Infinity }).on('line', (l) => {
      this.tail.push(l);
      if (this.tail.length > keep) this.tail.shift();
    });
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal, error: null }));
    });
  }

  check(exit: { code: number | null; signal: NodeJS.Signals | null; error: Error | null }, command: string): void {
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

function jobEnv(job: CommandJob): Record<string, string> {
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

function substitute(arg: string, job: CommandJob): string {
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

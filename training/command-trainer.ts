/**
 * A Trainer that runs an external command (e.g. a PyTorch script on a GPU worker) in place
 * of tfjs. The command and its fixed arguments come only from worker configuration; the
 * job (model, dataset, epoch range, resume checkpoint) reaches it as JSON on stdin, as
 * MSELECT_* environment variables and through `{placeholders}` in the configured args.
 * It prints one JSON line per epoch on stdout; see docs/external-trainer.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { formatIssues } from '../contracts/parse';
import { CommandEpochLineSchema, CommandErrorLineSchema, CommandTestLineSchema } from '../contracts/schemas/training';
import { resolveInside } from '../hub/files';
import { ObjectCorruptError, ObjectNotFoundError, type ObjectStore } from '../storage';
import type { CheckpointCache } from './checkpoint-cache';
import { CheckpointStore } from './checkpoint-store';
import { runFeaturesJob, type FeaturesRequest } from './command-features';
import { type CommandJob, CommandRun, failed, jobEnv, reportedFailure, substitute } from './command-process';
import type { ProbeOutputs } from './features';

export type { CommandJob, FeaturesRequest };
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
  /**
   * Storage every machine shares (the bucket's `checkpoints/`): each checkpoint the command
   * reports is copied there before the epoch's heartbeat names it, and a resume fetches it from
   * there when this machine's folder lacks it, so a fine-tune resumes on any machine.
   * @default none: checkpoints stay in checkpointDir
   */
  readonly sharedCheckpoints?: ObjectStore;
  /**
   * The worker's checkpoint cache over `checkpointDir` (its root must be that folder): the
   * checkpoints the command writes become entries once copied, and a resume uses the entry
   * when its SHA-256 still matches the bucket's, else downloads it there. @default none
   */
  readonly checkpointCache?: CheckpointCache;
  /** Name this trainer answers to. @default 'command' */
  readonly name?: string;
  /** Backend recorded when the command does not report one. @default 'external' */
  readonly backendName?: string;
  /** Lines of stderr quoted in failures. @default 20 */
  readonly stderrTailLines?: number;
  /** Time between SIGTERM and SIGKILL when cancelled. @default 5000 */
  readonly killGraceMs?: number;
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
    const release = job.resume ? await this.cache()?.pin(job.resume.key) : undefined;
    try {
      if (job.resume) await this.fetchShared(job.resume.key, job.resume.path);
      return await this.run(job, request, hooks);
    } finally {
      await release?.();
    }
  }

  private async run(job: CommandJob, request: TrainRequest, hooks: TrainHooks): Promise<TrainResult> {
    const run = this.start(job, jobEnv(job));
    const stopOnAbort = (): void => run.terminate(this.config.killGraceMs ?? 5000);
    hooks.signal?.addEventListener('abort', stopOnAbort, { once: true });
    try {
      const out = await this.readLines(run, request, hooks);
      const exit = await run.exited;
      if (hooks.signal?.aborted) throw abortError(hooks.signal);
      if (out.reported) throw out.reported;
      run.check(exit, this.config.command);
      const last = out.curve[out.curve.length - 1]?.epoch ?? request.fromEpoch;
      if (last !== request.toEpoch) throw failed(`${this.config.command} exited after epoch ${last}, but epoch ${request.toEpoch} was asked for`, true);
      return {
        curve: out.curve,
        checkpoint: out.checkpoint,
        test: out.test,
        trainer: this.name,
        backend: out.backend ?? this.config.backendName ?? 'external',
      };
    } catch (err) {
      run.terminate(0);
      throw hooks.signal?.aborted ? abortError(hooks.signal) : err;
    } finally {
      hooks.signal?.removeEventListener('abort', stopOnAbort);
    }
  }

  /**
   * The `features` job (docs/external-trainer.md): the model's penultimate features and
   * source-class probabilities on `rows` of a split, for proxy scores. Fails with the typed
   * failure the command reports (e.g. InvalidModel naming the file), TrainerFailed for bad
   * output or a crash, the abort reason when cancelled.
   */
  async features(request: FeaturesRequest, signal?: AbortSignal): Promise<ProbeOutputs & { backend: string }> {
    const job = {
      ...request,
      modelDir: resolveInside(this.config.hubDir, request.modelId),
      datasetDir: resolveInside(this.config.datasetsDir, request.datasetId),
    };
    return runFeaturesJob(
      (j) => this.start(j, { MSELECT_JOB: JSON.stringify(j) }),
      job,
      { command: this.config.command, killGraceMs: this.config.killGraceMs ?? 5000, backendName: this.config.backendName ?? 'external' },
      signal,
    );
  }

  /** Spawn the configured command with `job` on stdin (no shell). */
  private start(job: object, env: Record<string, string>): CommandRun {
    const values = job as CommandJob;
    const child = spawn(
      this.config.command,
      (this.config.args ?? []).map((a) => ('toEpoch' in job ? substitute(a, values) : a)),
      {
        cwd: this.config.cwd,
        env: { ...process.env, ...this.config.env, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(job) + '\n');
    return new CommandRun(child, this.config.stderrTailLines ?? 20);
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
    let reported: Error | undefined;
    let n = 0;
    for await (const line of createInterface({ input: run.child.stdout, crlfDelay: Infinity })) {
      n += 1;
      if (line.trim() === '') continue;
      if (reported) continue;
      const parsed = parseLine(line, n, request.fromEpoch + curve.length + 1);
      if ('error' in parsed) {
        reported = reportedFailure(parsed.error, this.config.command);
        continue;
      }
      backend = parsed.backend ?? backend;
      if ('test' in parsed) {
        test = parsed.test;
        continue;
      }
      checkpoint = parsed.checkpoint === null ? null : { key: this.keyOf(parsed.checkpoint), epoch: parsed.epoch };
      if (checkpoint) await this.copyShared(checkpoint.key);
      const record: EpochRecord = {
        epoch: parsed.epoch,
        metric: parsed.metric,
        seconds: parsed.seconds,
        ...(parsed.peakMemoryBytes !== undefined ? { peakMemoryBytes: parsed.peakMemoryBytes } : {}),
      };
      curve.push(record);
      await hooks.onEpoch?.(record, checkpoint);
    }
    return { curve, checkpoint, test, backend, reported };
  }

  /** The checkpoint cache, when it caches this trainer's checkpoint folder. */
  private cache(): CheckpointCache | undefined {
    const c = this.config.checkpointCache;
    return c && this.config.sharedCheckpoints && path.resolve(c.root) === path.resolve(this.config.checkpointDir) ? c : undefined;
  }

  /** Copy the checkpoint file `key` to the shared storage (durable when this resolves; multipart, with its SHA-256), keeping it as a cache entry. */
  private async copyShared(key: string): Promise<void> {
    const shared = this.config.sharedCheckpoints;
    if (!shared) return;
    const file = resolveInside(this.config.checkpointDir, key);
    const stored = await shared.putFile(key, file);
    await this.cache()?.commit(key, file, stored.sha256);
  }

  /**
   * Make the checkpoint `key` present in `file`: with a cache, its entry when the SHA-256 still
   * matches the bucket's (bytes hashed again), else a checked download; without one, a checked
   * download unless this machine has the file.
   */
  private async fetchShared(key: string, file: string): Promise<void> {
    const shared = this.config.sharedCheckpoints;
    if (!shared) return;
    const cache = this.cache();
    if (!cache && existsSync(file)) return;
    try {
      if (cache) await cache.fetch(key, shared);
      else {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await shared.getFile(key, file);
      }
    } catch (e) {
      if (e instanceof ObjectNotFoundError)
        throw nonRetryable(ErrorType.InvalidInput, `Checkpoint ${key} is neither in ${this.config.checkpointDir} nor in ${shared.describe(key)}`);
      if (e instanceof ObjectCorruptError) throw nonRetryable(ErrorType.StoreCorrupt, `Checkpoint ${e.message}`);
      throw e;
    }
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
  if (typeof json === 'object' && json !== null && 'error' in json) {
    const e = CommandErrorLineSchema.safeParse(json);
    return e.success ? e.data : bad(formatIssues(e.error.issues));
  }
  const isTest = typeof json === 'object' && json !== null && 'test' in json && !('epoch' in json);
  const r = isTest ? CommandTestLineSchema.safeParse(json) : CommandEpochLineSchema.safeParse(json);
  if (!r.success) return bad(formatIssues(r.error.issues));
  if ('epoch' in r.data && r.data.epoch !== expectedEpoch) bad(`epoch ${r.data.epoch} where ${expectedEpoch} was next`);
  return r.data;
}

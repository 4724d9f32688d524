/**
 * The `fineTune` activity and the factory that builds the training activity group for a
 * worker. Fine-tunes heartbeat `{ epoch, checkpoint, curve }` after every epoch (and keep
 * that heartbeat alive while an epoch runs), resume a retried attempt from the last
 * heartbeat instead of epoch 0, and stop between batches when cancelled.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ErrorType } from '../contracts/errors';
import { parseOrFail } from '../contracts/parse';
import {
  type FineTuneHeartbeat,
  FineTuneHeartbeatSchema,
  type FineTuneInput,
  FineTuneInputSchema,
  type FineTuneOutput,
  type FineTuneRequest,
} from '../contracts/schemas/training';
import type { Backend } from '../training/backend';
import type { CheckpointRef, EpochRecord, Trainer } from '../training/trainer';
import { pruneRun, runPrefix, type CheckpointArea } from './checkpoints';
import { createProxyScore, type FeatureSource } from './proxy-score';

export interface TrainingDeps {
  readonly hubDir: string;
  readonly datasetsDir: string;
  /** Trainers this worker offers; the first is the default. The worker builds them. */
  readonly trainers: readonly Trainer[];
  /** The compute backend proxy scores run on, resolved on first use (the worker picks it). */
  readonly backend: () => Promise<Backend>;
  /** Re-send the last heartbeat this often while an epoch or a proxy's forward pass runs. @default 10000 */
  readonly keepAliveMs?: number;
  /**
   * Where checkpoints live, to delete the epochs no retry can resume from while a run trains
   * (see `pruneHeld`). @default none: nothing is deleted
   */
  readonly checkpoints?: CheckpointArea;
}

/**
 * The training activities for a worker, from the trainers and backend the worker built:
 * `createTrainingActivities({ hubDir, datasetsDir, trainers, backend })`.
 */
export function createTrainingActivities(deps: TrainingDeps) {
  const keepAliveMs = deps.keepAliveMs ?? 10_000;
  return {
    fineTune: createFineTune(deps.trainers, keepAliveMs, deps.checkpoints),
    proxyScore: createProxyScore({
      hubDir: deps.hubDir,
      datasetsDir: deps.datasetsDir,
      backend: deps.backend,
      keepAliveMs,
      external: featureSource(deps.trainers),
    }),
  };
}

/** The first configured trainer that can run a `features` job (e.g. the torch trainer). */
function featureSource(trainers: readonly Trainer[]): FeatureSource | undefined {
  return trainers.find((t): t is Trainer & FeatureSource => typeof (t as Partial<FeatureSource>).features === 'function');
}

function createFineTune(trainers: readonly Trainer[], keepAliveMs: number, area: CheckpointArea | undefined) {
  /**
   * Fine-tune `modelId` on `datasetId` for epochs fromEpoch+1 .. toEpoch and return the
   * curve, the last checkpoint, the test metric, trainer and backend: a small payload, never
   * weights. Idempotent per runId: a retry resumes from the last heartbeated checkpoint.
   * Fails with InvalidInput, ModelNotFound, DatasetNotFound, InvalidModel, InvalidDataset,
   * PathOutsideRoot, StoreCorrupt, TrainingDiverged (all non-retryable) or TrainerFailed
   * (retryable unless the trainer said otherwise); rethrows CancelledFailure when cancelled.
   */
  return async function fineTune(raw: FineTuneInput): Promise<FineTuneOutput> {
    const input = parseOrFail(FineTuneInputSchema, raw, 'fineTune input');
    const ctx = Context.current();
    const trainer = pickTrainer(trainers, input.trainer);
    const start = resumePoint(input, ctx.info.heartbeatDetails);
    if (start.epoch > input.fromEpoch) log.info('fineTune resumes from heartbeat', { runId: input.runId, epoch: start.epoch });
    const curve: EpochRecord[] = [...start.curve];
    let last: FineTuneHeartbeat | undefined = start.heartbeat;
    const keepAlive = setInterval(() => ctx.heartbeat(last), keepAliveInterval(keepAliveMs, ctx.info.heartbeatTimeoutMs));
    // A retry of this attempt resumes from start.checkpoint: everything of the run below it goes.
    if (area && start.epoch > 0) await pruneHeld(area, input.runId, start.epoch, async () => start.epoch);
    try {
      const result = await trainer.train(
        { ...input, fromEpoch: start.epoch, resume: start.checkpoint },
        {
          signal: ctx.cancellationSignal,
          onEpoch: async (record, checkpoint) => {
            curve.push(record);
            last = { epoch: record.epoch, checkpoint, curve: [...curve] };
            ctx.heartbeat(last);
            // Only checkpoints in the run's folder are the lifecycle's (replay's are names of recorded epochs, not files).
            if (area && checkpoint?.key.startsWith(runPrefix(input.runId))) await pruneHeld(area, input.runId, record.epoch, () => heldEpoch(ctx, start.epoch));
          },
        },
      );
      return {
        curve,
        checkpoint: result.checkpoint,
        test: result.test,
        trainer: result.trainer,
        backend: result.backend,
        startedFromEpoch: start.epoch,
        peakMemoryBytes: peakOf(curve),
      };
    } catch (err) {
      throw asFailure(err, ctx.cancellationSignal, input);
    } finally {
      clearInterval(keepAlive);
    }
  };
}

/** The highest peak memory of a curve's epochs; null when none reports one. */
export function peakOf(curve: readonly EpochRecord[]): number | null {
  const peaks = curve.map((r) => r.peakMemoryBytes).filter((b): b is number => b !== undefined);
  return peaks.length ? Math.max(...peaks) : null;
}

/**
 * Delete the run's checkpoints below the epoch a retry would resume from. A retry resumes from
 * the heartbeat details the Temporal server recorded, not from the last one this worker
 * handed to the SDK: heartbeats are throttled (a newer one replaces an unsent one), so the
 * server may still hold an older epoch than the newest checkpoint, and a worker killed before
 * the next flush leaves it there. So the rule is: after heartbeating epoch N, ask the server
 * which epoch it holds (`held`, e.g. N-1 right after the heartbeat of N) and delete only the
 * epochs below that one; the newest durable checkpoint (N) and the one the server names are
 * always kept, and whatever lies between goes at the next epoch or when the run is released.
 * A failed deletion or query only leaves files for later; training goes on.
 */
async function pruneHeld(area: CheckpointArea, runId: string, newest: number, held: () => Promise<number>): Promise<void> {
  try {
    const below = Math.min(newest, await held());
    const deleted = await pruneRun(area, runId, below);
    if (deleted.length > 0) log.debug('fineTune deleted checkpoints no retry can resume from', { runId, below, deleted });
  } catch (err) {
    log.warn('fineTune could not delete older checkpoints; they go when the run is released', { runId, error: (err as Error).message });
  }
}

/**
 * The checkpoint epoch of the heartbeat details the server holds for this activity
 * (DescribeWorkflowExecution: the pending activity's details), or `fallback` (the epoch the
 * attempt started from) when it holds none.
 */
async function heldEpoch(ctx: Context, fallback: number): Promise<number> {
  const { workflowExecution, activityId } = ctx.info;
  if (!workflowExecution) return fallback;
  const client = ctx.client;
  const described = await client.workflow.getHandle(workflowExecution.workflowId, workflowExecution.runId).describe();
  const pending = described.raw.pendingActivities?.find((a) => a.activityId === activityId);
  const payload = pending?.heartbeatDetails?.payloads?.[0];
  if (!payload) return fallback;
  const parsed = FineTuneHeartbeatSchema.safeParse(client.options.loadedDataConverter.payloadConverter.fromPayload(payload));
  return parsed.success && parsed.data.checkpoint ? parsed.data.checkpoint.epoch : fallback;
}

/**
 * How often the last heartbeat is re-sent while an epoch runs: the configured interval, but
 * at most a third of the activity's heartbeat timeout, so a short timeout (workflow input
 * `heartbeatTimeout: '3s'`) never lapses during a long epoch or while data loads.
 */
function keepAliveInterval(configuredMs: number, heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs) return configuredMs;
  return Math.max(100, Math.min(configuredMs, Math.floor(heartbeatTimeoutMs / 3)));
}

function pickTrainer(trainers: readonly Trainer[], name: string | undefined): Trainer {
  const found = name === undefined ? trainers[0] : trainers.find((t) => t.name === name);
  if (found) return found;
  throw ApplicationFailure.create({
    type: ErrorType.InvalidInput,
    nonRetryable: true,
    message: `Trainer ${JSON.stringify(name)} is not configured on this worker (it has ${trainers.map((t) => t.name).join(', ') || 'none'})`,
  });
}

interface StartPoint {
  readonly epoch: number;
  readonly checkpoint: CheckpointRef | null;
  readonly curve: readonly EpochRecord[];
  readonly heartbeat: FineTuneHeartbeat | undefined;
}

/**
 * Where this attempt starts: the last heartbeat when it is a valid continuation of this
 * input (epochs fromEpoch+1 .. epoch, at most toEpoch, with a checkpoint), else the input.
 */
export function resumePoint(input: FineTuneRequest, details: unknown): StartPoint {
  const fresh: StartPoint = { epoch: input.fromEpoch, checkpoint: input.resume, curve: [], heartbeat: undefined };
  if (details === undefined || details === null) return fresh;
  const parsed = FineTuneHeartbeatSchema.safeParse(details);
  if (!parsed.success) {
    log.warn('fineTune ignores malformed heartbeat details', { details });
    return fresh;
  }
  const hb = parsed.data;
  const continues = hb.curve.length === hb.epoch - input.fromEpoch && hb.curve.every((r, i) => r.epoch === input.fromEpoch + i + 1);
  if (hb.checkpoint === null || hb.checkpoint.epoch !== hb.epoch || hb.epoch > input.toEpoch || !continues) {
    log.warn('fineTune ignores heartbeat details that do not continue this input', { details });
    return fresh;
  }
  return { epoch: hb.epoch, checkpoint: hb.checkpoint, curve: hb.curve, heartbeat: hb };
}

/** Cancellation stays a CancelledFailure; ApplicationFailures pass; anything else is TrainerFailed. */
function asFailure(err: unknown, signal: AbortSignal, input: FineTuneRequest): unknown {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new CancelledFailure('fineTune cancelled');
  const e = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({
    type: ErrorType.TrainerFailed,
    message: `fineTune ${input.modelId} on ${input.datasetId} failed: ${e.message}`,
    cause: e,
  });
}

import { ActivityFailure, CancellationScope, TimeoutFailure, condition, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import { FineTuneHeartbeatSchema, type FineTuneInput, type FineTuneOutput } from '../contracts/schemas/training';
import { durationMs } from '../contracts/duration';
import { gpu, light } from './activities';
import type { PlanSelectionOutput } from '../contracts/schemas/selection';
import type { SelectionState } from './selection-state';
import { slidingWindow } from './window';
import { failureMessage } from './failures';

/**
 * Coarse recall: the proxy scores the policy asked for (planSelection's request), computed on
 * the GPU queue at most maxParallel at once, then the policy's recall. The proxy charge is
 * the engine's, identical to replay's.
 */
export async function recallPhase(s: SelectionState, request: PlanSelectionOutput['proxyRequest']): Promise<void> {
  s.phase = 'recall';
  const proxyScores: Record<string, number> = {};
  const failed: string[] = [];
  if (request !== null) {
    const jobs = [s.input.target, ...(request.datasets ?? [])].flatMap((dataset) => request.models.map((model) => ({ dataset, model })));
    await slidingWindow(jobs, s.input.maxParallel, async ({ dataset, model }) => {
      try {
        const act = gpu({ heartbeatTimeoutMs: durationMs(s.input.heartbeatTimeout), summary: `proxyScore ${request.proxy} of ${model} on ${dataset}` });
        const r = await act.proxyScore({ model, target: dataset, proxy: request.proxy, seed: s.input.seed });
        if (dataset === s.input.target) proxyScores[model] = r.value;
      } catch (err) {
        if (isCancellation(err)) throw err;
        failed.push(`${model} on ${dataset}: ${failureMessage(err)}`);
      }
    });
  }
  const by = request === null ? '' : ` by ${request.proxy} on ${request.models.length} models`;
  const r = await light(`recall ${s.input.policy} for ${s.input.target}: ${s.pool.length} models${by}`).recall({
    target: s.input.target,
    policy: s.input.policy,
    options: s.options,
    seed: s.input.seed,
    pool: s.pool,
    direction: s.direction,
    proxy: request?.proxy ?? null,
    proxyScores,
    storeVersion: s.storeVersion,
    budgetEpochs: s.budget,
  });
  s.proxyCharges = r.proxyCharges;
  if (failed.length > 0) s.warnings.push(`proxy ${request?.proxy ?? ''} could not score ${failed.length} model/dataset pair(s), e.g. ${failed[0] ?? ''}`);
  s.setCandidates(r.candidates, r.scores, r.warnings ?? []);
}

/** The policy's decision on the survivors after `epoch` (at the budget epoch: its pick). */
export async function decidePhase(s: SelectionState, epoch: number): Promise<void> {
  s.phase = 'deciding';
  const budget = s.budget;
  const models = [...s.survivors];
  const d = await light(`decideRound round ${s.round}: ${models.length} models at epoch ${epoch} of ${budget}`).decideRound({
    target: s.input.target,
    policy: s.input.policy,
    options: s.options,
    seed: s.input.seed,
    direction: s.direction,
    epoch,
    budgetEpochs: budget,
    models,
    curves: models.map((m) => s.curveOf(m)),
    storeVersion: s.storeVersion,
    pool: s.pool,
  });
  s.applyDecision(d, epoch, budget, models);
}

/** The run id of `model`'s fine-tunes in selection `workflowId`: its checkpoints live under it (gc reads the workflow id back). */
export function selectionRunId(workflowId: string, model: string, target: string): string {
  return `${workflowId}/${model}@${target}`;
}

/** The own task queue of the GPU worker that last trained each model, per selection (worker affinity). */
const workerQueues = new WeakMap<SelectionState, Map<string, string>>();
function queuesOf(s: SelectionState): Map<string, string> {
  let q = workerQueues.get(s);
  if (!q) workerQueues.set(s, (q = new Map()));
  return q;
}

/** Fine-tune `model` to `toEpoch`; the result is recorded unless `late()` says the round already closed. */
async function fineTune(s: SelectionState, model: string, toEpoch: number, late: () => boolean = () => false): Promise<boolean> {
  const from = s.epochsOf(model);
  const request: FineTuneInput = {
    trainer: s.input.trainer,
    modelId: model,
    datasetId: s.input.target,
    fromEpoch: from,
    toEpoch,
    resume: s.checkpointOf(model),
    seed: s.input.seed,
    runId: selectionRunId(workflowInfo().workflowId, model, s.input.target),
  };
  const own = s.input.workerAffinity ? queuesOf(s).get(model) : undefined;
  const summary = `fineTune ${model} on ${s.input.target}, epochs ${from}→${toEpoch}`;
  const r = own
    ? await onWorkerQueue(s, own, request, summary)
    : await gpu({ heartbeatTimeoutMs: durationMs(s.input.heartbeatTimeout), summary }).fineTune(request);
  if (r.workerQueue) queuesOf(s).set(model, r.workerQueue);
  else queuesOf(s).delete(model);
  if (late()) return false;
  s.recordEpochs(
    model,
    r.curve.map((e) => e.metric),
    r.checkpoint,
    r.test,
    r.backend,
  );
  s.recordCost(
    model,
    r.curve.map((e) => e.seconds),
    r.peakMemoryBytes,
  );
  return true;
}

/**
 * Worker affinity: run the fine-tune on the own queue of the worker that trained the model's
 * last round (its checkpoint is there), waiting at most workerQueueTimeout for it to start.
 * When it does not start (the worker is gone, busy or preempted: a ScheduleToStart timeout,
 * also of a retry after the worker died mid-epoch), the fine-tune runs on the shared GPU
 * queue, from the last heartbeat the server recorded when there is one, else from the input.
 */
async function onWorkerQueue(s: SelectionState, queue: string, request: FineTuneInput, summary: string): Promise<FineTuneOutput> {
  const heartbeatTimeoutMs = durationMs(s.input.heartbeatTimeout);
  try {
    return await gpu({
      heartbeatTimeoutMs,
      taskQueue: queue,
      scheduleToStartTimeoutMs: durationMs(s.input.workerQueueTimeout),
      summary: `${summary} on its last worker`,
    }).fineTune(request);
  } catch (err) {
    if (!(err instanceof ActivityFailure) || !(err.cause instanceof TimeoutFailure) || err.cause.timeoutType !== 'SCHEDULE_TO_START') throw err;
    const hb = FineTuneHeartbeatSchema.safeParse(err.cause.lastHeartbeatDetails);
    const shared = gpu({ heartbeatTimeoutMs, summary: `${summary} (its last worker did not start it)` });
    if (!hb.success || hb.data.checkpoint === null || hb.data.epoch <= (request.fromEpoch ?? 0)) return shared.fineTune(request);
    const done = { curve: hb.data.curve, checkpoint: hb.data.checkpoint };
    // Every epoch was trained before the worker was lost: the result lacks only the test metric.
    if (hb.data.epoch >= request.toEpoch) return { ...done, test: null, trainer: s.input.trainer, backend: s.backend, startedFromEpoch: hb.data.epoch };
    const rest = await shared.fineTune({ ...request, fromEpoch: hb.data.epoch, resume: hb.data.checkpoint });
    return { ...rest, curve: [...done.curve, ...rest.curve] };
  }
}

/**
 * Train every survivor to `epoch` in parallel (at most maxParallel at once). The round
 * ends when all finish, when the durable deadline timer fires (stragglers are cancelled
 * and eliminated with reason `deadline`; a result that arrives after the deadline, while
 * cancellation completes, is discarded), or on `finishNow` (running fine-tunes are
 * cancelled; nobody is eliminated for it). A fine-tune that fails for good is eliminated
 * with reason `failed`.
 */
export async function trainRound(s: SelectionState, epoch: number, deadlineMs: number): Promise<void> {
  s.phase = 'training';
  const jobs = s.survivors.filter((m) => s.epochsOf(m) < epoch);
  const finished = new Set<string>();
  let closed = false;
  const work = new CancellationScope();
  const timer = new CancellationScope();
  const training = work.run(() =>
    slidingWindow(jobs, s.input.maxParallel, async (m) => {
      try {
        if (!(await fineTune(s, m, epoch, () => closed))) return;
      } catch (err) {
        if (isCancellation(err) || closed) return;
        s.eliminate(m, 'failed', failureMessage(err));
      }
      finished.add(m);
    }),
  );
  const outcome = await Promise.race([
    training.then(() => 'done' as const),
    timer
      .run(() => sleep(deadlineMs, { summary: `round ${s.round} deadline: ${jobs.length} fine-tune(s) to epoch ${epoch}` }))
      .then(
        () => 'deadline' as const,
        () => 'done' as const,
      ),
    timer
      .run(() => condition(() => s.stopRequested()))
      .then(
        () => 'finish' as const,
        () => 'done' as const,
      ),
  ]);
  timer.cancel();
  if (outcome === 'done') return;
  closed = true;
  work.cancel();
  await training;
  if (outcome === 'deadline') {
    for (const m of jobs)
      if (!finished.has(m)) s.eliminate(m, 'deadline', `still training to epoch ${epoch} when the round deadline of ${deadlineMs} ms passed`);
  }
}

/** Train the pick to the budget (the paper's costing), unless the run is finished early (then training stops at once). */
export async function trainWinner(s: SelectionState): Promise<void> {
  s.phase = 'finishing';
  const pick = s.bestSurvivor();
  if (!pick || s.stopRequested() || s.epochsOf(pick) >= s.budget) return;
  const work = new CancellationScope();
  const stop = new CancellationScope();
  const training = work
    .run(() => fineTune(s, pick, s.budget, () => s.stopRequested()))
    .catch((err: unknown) => {
      if (!isCancellation(err) && !s.stopRequested()) s.eliminate(pick, 'failed', failureMessage(err));
      return false;
    });
  const stopped = await Promise.race([
    training.then(() => false),
    stop
      .run(() => condition(() => s.stopRequested()))
      .then(
        () => true,
        () => false,
      ),
  ]);
  stop.cancel();
  if (stopped) {
    work.cancel();
    await training;
  }
}

/**
 * Release the checkpoints of models eliminated since the last call (their fine-tunes have
 * finished: a round ends only once every cancelled fine-tune has), unless the input keeps all.
 * `released` holds the models already released.
 */
export async function releaseEliminated(s: SelectionState, released: Set<string>): Promise<void> {
  if (s.input.keepCheckpoints === 'all' || s.input.trainer === 'replay') return;
  const models = s
    .progress()
    .eliminations.map((e) => e.model)
    .filter((m) => !released.has(m) && !s.survivors.includes(m));
  if (models.length === 0) return;
  for (const m of models) released.add(m);
  const workflowId = workflowInfo().workflowId;
  await light(`releaseCheckpoints of ${models.length} eliminated model(s): ${models.join(', ')}`).releaseCheckpoints({
    runIds: models.map((m) => selectionRunId(workflowId, m, s.input.target)),
  });
}

/**
 * At the end of a selection: record what it keeps (the pick's final checkpoint, or every
 * candidate's with keepCheckpoints `all`) in the manifest that gc and `mselect export model`
 * read, then release every other checkpoint of the run. Returns the pick's kept checkpoint.
 */
export async function settleCheckpoints(s: SelectionState): Promise<{ key: string; epoch: number } | null> {
  if (s.input.trainer === 'replay') return null;
  const workflowId = workflowInfo().workflowId;
  const result = s.result();
  const pick = result.pick;
  const pickCheckpoint = pick && s.input.keepCheckpoints !== 'none' ? s.checkpointOf(pick) : null;
  const models = [...new Set([...s.candidates, ...s.pool.filter((m) => s.epochsOf(m) > 0)])];
  const keys =
    s.input.keepCheckpoints === 'all'
      ? models.map((m) => s.checkpointOf(m)?.key).filter((k): k is string => k !== undefined)
      : pickCheckpoint
        ? [pickCheckpoint.key]
        : [];
  if (keys.length > 0) {
    await light(`keepCheckpoints ${s.input.keepCheckpoints}: ${keys.length} checkpoint(s)`).keepCheckpoints({
      workflowId,
      keys,
      pick:
        pick && pickCheckpoint
          ? {
              model: pick,
              target: s.input.target,
              trainer: s.input.trainer,
              seed: s.input.seed,
              epochs: s.epochsOf(pick),
              checkpoint: pickCheckpoint,
              metric: s.metric ?? (s.direction === 'maximize' ? 'accuracy' : 'rmse'),
              validation: result.pickValidation,
              test: result.pickTest,
              storeVersion: s.storeVersion,
            }
          : null,
    });
  }
  await light(`releaseCheckpoints of the run's ${models.length} model(s), keeping ${keys.length}`).releaseCheckpoints({
    runIds: models.map((m) => selectionRunId(workflowId, m, s.input.target)),
    keep: keys,
  });
  return pickCheckpoint;
}

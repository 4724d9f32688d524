import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createGpuActivities, createOrchestratorActivities, type GpuActivities } from '../activities';
import { TASK_QUEUES, gpuQueueFor, workerQueueFor } from '../contracts/task-queues';
import { WORKFLOWS_SOURCE } from '../server/paths';
import type { WorkerConfig } from './config';
import { gpuDeps, orchestratorDeps } from './deps';

export interface WorkerSetup {
  readonly connection: NativeConnection;
  /** Data roots: store, hub, datasets, checkpoints, reports, recorded runs. */
  readonly config: WorkerConfig;
  readonly namespace: string;
  /** Orchestration queue (default `mselect`); the GPU worker serves its paired queue. */
  readonly taskQueue?: string;
  /** A prebuilt workflow bundle (tests bundle once); otherwise workflows are bundled at start. */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
  /** Shut down after this long once asked to (running fine-tunes checkpoint and are retried elsewhere). */
  readonly shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

/** The orchestrator worker: every workflow, plus light CPU activities, on `mselect`. */
export async function createOrchestratorWorker(s: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    taskQueue: s.taskQueue ?? TASK_QUEUES.orchestration,
    ...(s.workflowBundle ? { workflowBundle: s.workflowBundle } : { workflowsPath: WORKFLOWS_SOURCE }),
    activities: createOrchestratorActivities(await orchestratorDeps(s.config)),
    shutdownGraceTime: s.shutdownGraceTime ?? '10s',
  });
}

/** The GPU worker: activity-only, fine-tunes and proxy scores on `mselect-gpu`, one slot per GPU. */
export async function createGpuWorker(
  s: WorkerSetup & { readonly slots: number; readonly activities?: GpuActivities; readonly queue?: string },
): Promise<Worker> {
  return Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    taskQueue: s.queue ?? gpuQueueFor(s.taskQueue ?? TASK_QUEUES.orchestration),
    activities: s.activities ?? createGpuActivities(await gpuDeps(s.config)),
    maxConcurrentActivityTaskExecutions: s.slots,
    // fineTune heartbeats once per epoch with its checkpoint. The SDK's default throttle (up to
    // 0.8 x heartbeatTimeout, 60 s at most) would hold those back, and a worker that dies would
    // then lose every epoch since the last heartbeat that went out, not just the one in flight.
    maxHeartbeatThrottleInterval: '500ms',
    shutdownGraceTime: s.shutdownGraceTime ?? '10s',
  });
}

/**
 * A GPU worker that also polls a queue of its own (Temporal's worker-specific task queue
 * pattern): the shared GPU queue and `<gpu queue>@<worker id>`, with one set of activities.
 * fineTune reports the own queue in its output, so a selection can send the model's next round
 * where its checkpoint already is. Both queues share `slots`: a task started while every slot
 * is busy waits for one (heartbeating the details it was given, so a retry still resumes).
 */
export async function createGpuWorkers(
  s: WorkerSetup & { readonly slots: number; readonly activities?: GpuActivities; readonly workerId?: string },
): Promise<Worker[]> {
  const shared = gpuQueueFor(s.taskQueue ?? TASK_QUEUES.orchestration);
  const own = workerQueueFor(shared, s.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`);
  const activities = sharedSlots(reportingQueue(s.activities ?? createGpuActivities(await gpuDeps(s.config)), own), s.slots);
  return [await createGpuWorker({ ...s, activities, queue: shared }), await createGpuWorker({ ...s, activities, queue: own })];
}

/** `acts` with `workerQueue` in every fineTune output. */
function reportingQueue(acts: GpuActivities, workerQueue: string): GpuActivities {
  const fineTune: GpuActivities['fineTune'] = async (input) => ({ ...(await acts.fineTune(input)), workerQueue });
  return { ...acts, fineTune };
}

/** `acts` whose fine-tunes and proxy scores run at most `slots` at once across every worker that serves them. */
function sharedSlots(acts: GpuActivities, slots: number): GpuActivities {
  let free = slots;
  const waiting: (() => void)[] = [];
  const acquire = async (): Promise<void> => {
    if (free > 0) {
      free -= 1;
      return;
    }
    const ctx = Context.current();
    const beat = setInterval(
      () => ctx.heartbeat(ctx.info.heartbeatDetails),
      Math.max(100, Math.min(10_000, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30_000) / 3))),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          ctx.cancellationSignal.removeEventListener('abort', cancel);
          resolve();
        };
        const cancel = (): void => {
          waiting.splice(waiting.indexOf(wake), 1);
          reject(new CancelledFailure('cancelled while waiting for a GPU slot'));
        };
        waiting.push(wake);
        ctx.cancellationSignal.addEventListener('abort', cancel, { once: true });
      });
    } finally {
      clearInterval(beat);
    }
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  const gate =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await acquire();
      try {
        return await fn(...args);
      } finally {
        release();
      }
    };
  return { ...acts, fineTune: gate(acts.fineTune), proxyScore: gate(acts.proxyScore) };
}

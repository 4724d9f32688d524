import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createGpuActivities, createOrchestratorActivities, type GpuActivities } from '../activities';
import { TASK_QUEUES, gpuQueueFor } from '../contracts/task-queues';
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
export async function createGpuWorker(s: WorkerSetup & { readonly slots: number; readonly activities?: GpuActivities }): Promise<Worker> {
  return Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    taskQueue: gpuQueueFor(s.taskQueue ?? TASK_QUEUES.orchestration),
    activities: s.activities ?? createGpuActivities(await gpuDeps(s.config)),
    maxConcurrentActivityTaskExecutions: s.slots,
    // fineTune heartbeats once per epoch with its checkpoint. The SDK's default throttle (up to
    // 0.8 x heartbeatTimeout, 60 s at most) would hold those back, and a worker that dies would
    // then lose every epoch since the last heartbeat that went out, not just the one in flight.
    maxHeartbeatThrottleInterval: '500ms',
    shutdownGraceTime: s.shutdownGraceTime ?? '10s',
  });
}

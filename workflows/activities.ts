import { ActivityCancellationType, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { GpuActivities, OrchestratorActivities } from '../activities';
import { NON_RETRYABLE } from '../contracts/errors';
import { gpuQueueFor } from '../contracts/task-queues';

/**
 * Every activity proxy, with its timeouts and retry policy, is declared here and only here.
 * GPU work goes to the queue paired with the workflow's own (`mselect` → `mselect-gpu`).
 */
export function gpu(opts: { heartbeatTimeoutMs?: number; taskQueue?: string; scheduleToStartTimeoutMs?: number; summary?: string } = {}) {
  return proxyActivities<GpuActivities>({
    ...(opts.summary === undefined ? {} : { summary: opts.summary }),
    taskQueue: opts.taskQueue ?? gpuQueueFor(workflowInfo().taskQueue),
    ...(opts.scheduleToStartTimeoutMs === undefined ? {} : { scheduleToStartTimeout: opts.scheduleToStartTimeoutMs }),
    startToCloseTimeout: '6h',
    heartbeatTimeout: opts.heartbeatTimeoutMs ?? '30s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: [...NON_RETRYABLE] },
  });
}

/**
 * Light activities on the workflow's own queue: store reads and writes, clustering, decisions.
 * `summary` (and gpu's) is the one line the web UI shows for the activity: what it works on.
 */
export function light(summary?: string) {
  return proxyActivities<OrchestratorActivities>({
    ...(summary === undefined ? {} : { summary }),
    startToCloseTimeout: '10m',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: [...NON_RETRYABLE] },
  });
}

/** The patch id of the checkpoint lifecycle's activities (releaseCheckpoints, keepCheckpoints) in selectModel and buildPerformanceMatrix. */
export const CHECKPOINT_LIFECYCLE_PATCH = 'checkpoint-lifecycle';

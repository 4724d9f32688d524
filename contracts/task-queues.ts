/** Task queues: workflows and light activities on `orchestration`, fine-tunes and proxies on `gpu`. */
export const TASK_QUEUES = { orchestration: 'mselect', gpu: 'mselect-gpu' } as const;

/**
 * The GPU queue that pairs with an orchestration queue: `mselect` → `mselect-gpu`.
 * Workflows derive it from their own queue, so isolated deployments (and tests) pair up.
 */
export function gpuQueueFor(orchestrationQueue: string): string {
  return `${orchestrationQueue}-gpu`;
}

/**
 * The task queue only one GPU worker polls (beside the shared GPU queue): `mselect-gpu` →
 * `mselect-gpu@<host>-<pid>-<tag>`. `fineTune` reports it, and a selection sends the model's
 * next round there, where its checkpoint already is (docs/storage.md, "Worker affinity").
 */
export function workerQueueFor(gpuQueue: string, worker: string): string {
  return `${gpuQueue}@${worker}`;
}

/** Task queues: workflows and light activities on `orchestration`, fine-tunes and proxies on `gpu`. */
export const TASK_QUEUES = { orchestration: 'mselect', gpu: 'mselect-gpu' } as const;

/**
 * The GPU queue that pairs with an orchestration queue: `mselect` → `mselect-gpu`.
 * Workflows derive it from their own queue, so isolated deployments (and tests) pair up.
 */
export function gpuQueueFor(orchestrationQueue: string): string {
  return `${orchestrationQueue}-gpu`;
}

/** Task queues: workflows and light activities on `orchestration`, fine-tunes and proxies on `gpu`. */
export const TASK_QUEUES = { orchestration: 'mselect', gpu: 'mselect-gpu' } as const;
export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];

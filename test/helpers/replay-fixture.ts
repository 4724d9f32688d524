import { existsSync } from 'node:fs';
import type { GpuActivities } from '../../activities';
import { createGpuActivities } from '../../activities';
import { DEFAULT_REPLAY_DIR, type WorkerConfig } from '../../workers/config';
import { buildPerformanceMatrix } from '../../workflows';
import type { Harness } from './test-env';
import { gpuDeps } from '../../workers/deps';

/** Recorded runs are available (the shared anchors folder beside the project). */
export const HAVE_REPLAY_DATA = existsSync(DEFAULT_REPLAY_DIR);

/** A small slice of the recorded NLP hub: 8 models × 6 benchmarks, target mnli. */
export const REPLAY_MODELS = ['albert-base-v2', 'bert-base-uncased', 'distilbert-base-uncased', 'roberta-base', 'ishan--bert-base-uncased-mnli',
  'Alireza1044--albert-base-v2-qnli', 'connectivity--bert_ft_qqp-1', 'gchhablani--bert-base-cased-finetuned-rte'];
export const REPLAY_BENCHMARKS = ['sst2', 'mrpc', 'qqp', 'qnli', 'rte', 'cola'];
export const REPLAY_TARGET = 'mnli';

/** Build the slice's matrix with the offline workflow (workers must be running). */
export async function buildReplayMatrix(h: Harness): Promise<void> {
  await h.client.workflow.execute(buildPerformanceMatrix, {
    taskQueue: h.taskQueue, workflowId: `offline-${h.taskQueue}`,
    args: [{ models: REPLAY_MODELS, benchmarks: REPLAY_BENCHMARKS, epochs: 5, trainer: 'replay', maxParallel: 8 }],
  });
}

/** The real GPU activities with every fine-tune of `slow` models delayed by `delayMs` (a straggler). */
export async function slowedGpuActivities(cfg: WorkerConfig, delayMs: number, slow: (model: string) => boolean = () => true): Promise<GpuActivities> {
  const real = createGpuActivities(await gpuDeps(cfg));
  return {
    ...real,
    fineTune: async (input) => {
      if (slow(input.modelId)) await new Promise((r) => setTimeout(r, delayMs));
      return real.fineTune(input);
    },
  };
}

import type { GpuActivities } from '../../activities';
import { createGpuActivities } from '../../activities';
import type { WorkerConfig } from '../../workers/config';
import { gpuDeps } from '../../workers/deps';

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

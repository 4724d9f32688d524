import type { GpuActivities } from '../../activities';
import { createGpuActivities } from '../../activities';
import { syntheticRecordedHub, writeAnchorsDir, type SyntheticHubOptions } from '../../replay/synthetic';
import type { WorkerConfig } from '../../workers/config';
import { buildPerformanceMatrix } from '../../workflows';
import type { Harness } from './test-env';
import { tempDir } from './temp';
import { gpuDeps } from '../../workers/deps';

/** Recorded runs for the replay trainer, generated: no data from outside the repository. */
export interface ReplayFixture {
  /** The anchors folder (pass as `replayDir`); removed after the test file. */
  readonly dir: string;
  readonly models: readonly string[];
  /** Datasets for the offline phase. */
  readonly benchmarks: readonly string[];
  /** One more dataset, left out of `benchmarks`, to select for. */
  readonly target: string;
}

/**
 * A synthetic recorded hub (replay/synthetic.ts: noisy rising curves, rounding ties) in a
 * temporary anchors folder: 8 models in 3 families, 6 benchmarks and a target, 5 epochs.
 */
export function syntheticReplay(options: SyntheticHubOptions = {}): ReplayFixture {
  const hub = syntheticRecordedHub({ models: 8, datasets: 7, epochs: 5, decimals: 2, seed: 14, ...options });
  const dir = writeAnchorsDir(tempDir('anchors'), hub);
  const datasets = hub.runs.datasets;
  return { dir, models: hub.runs.models, benchmarks: datasets.slice(0, -1), target: datasets.at(-1) as string };
}

/** Build the fixture's matrix with the offline workflow (workers must be running). */
export async function buildFixtureMatrix(h: Harness, fx: ReplayFixture): Promise<void> {
  await h.client.workflow.execute(buildPerformanceMatrix, {
    taskQueue: h.taskQueue, workflowId: `offline-${h.taskQueue}`,
    args: [{ models: [...fx.models], benchmarks: [...fx.benchmarks], epochs: 5, trainer: 'replay', maxParallel: 8 }],
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

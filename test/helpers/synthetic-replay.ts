import { rmSync } from 'node:fs';
import { syntheticRecordedHub, writeAnchorsDir, type SyntheticHub } from '../../replay/synthetic';
import { buildPerformanceMatrix } from '../../workflows';
import { tempDir } from './temp';
import type { Harness } from './test-env';

/**
 * A small synthetic recorded hub for the replay trainer (replay/synthetic.ts): 12 models × 6
 * datasets, 5 epochs, values rounded to 2 decimals (ties are common); ds-1 (a benchmark) and
 * ds-3 (a target) are minimized. Benchmarks ds-0, ds-1, ds-2, ds-4; targets ds-3 and ds-5.
 */
export const SYNTHETIC = { models: 12, datasets: 6, epochs: 5, minimized: ['ds-1', 'ds-3'], decimals: 2, seed: 7 } as const;
export const SYNTHETIC_BENCHMARKS = ['ds-0', 'ds-1', 'ds-2', 'ds-4'];
export const MAXIMIZED_TARGET = 'ds-5';
export const MINIMIZED_TARGET = 'ds-3';

export interface SyntheticReplay {
  /** The anchors folder (pass as the workers' `replayDir`); removed after the test file. */
  readonly dir: string;
  readonly hub: SyntheticHub;
  readonly models: readonly string[];
  /** The datasets of the offline phase (SYNTHETIC_BENCHMARKS). */
  readonly benchmarks: readonly string[];
  /** Remove the folder now. */
  remove(): void;
}

/** Write the synthetic hub as an anchors folder in a fresh temporary directory (removed after the test file). */
export function syntheticReplay(): SyntheticReplay {
  const dir = tempDir('synthetic');
  const hub = syntheticRecordedHub({ ...SYNTHETIC, minimized: [...SYNTHETIC.minimized] });
  writeAnchorsDir(dir, hub);
  return { dir, hub, models: hub.runs.models, benchmarks: SYNTHETIC_BENCHMARKS, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run the offline phase over `models` × the benchmarks on the replay trainer (workers must be running). */
export async function buildSyntheticMatrix(h: Harness, models: readonly string[], workflowId = `offline-${h.taskQueue}`): Promise<void> {
  await h.client.workflow.execute(buildPerformanceMatrix, {
    taskQueue: h.taskQueue,
    workflowId,
    args: [{ models: [...models], benchmarks: SYNTHETIC_BENCHMARKS, epochs: SYNTHETIC.epochs, trainer: 'replay', maxParallel: 8 }],
  });
}

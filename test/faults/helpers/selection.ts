/** Shared pieces of the selection fault tests: a store with history, and a comparable outcome. */
import type { SelectModelResult } from '../../../contracts/schemas';
import { openStore } from '../../../matrix-store';
import { BENCHMARK, MODELS } from './fixtures';

/** A matrix store with one benchmark's history of both tiny models, so the online phase has a pool. */
export async function seedHistory(dir: string): Promise<number> {
  const w = openStore({ dir }).beginWrite();
  const cells = MODELS.map((model, i) => ({
    model,
    dataset: BENCHMARK,
    settingsHash: 'seeded',
    metric: 'accuracy',
    value: 0.8 + i / 10,
    epochs: 2,
    runId: `seeded/${model}`,
  }));
  await w.appendCells(cells);
  await w.appendCurves(cells.map((c) => ({ model: c.model, dataset: c.dataset, settingsHash: c.settingsHash, metric: c.metric, values: [0.5, c.value] })));
  return w.commit('history of the tiny hub');
}

/**
 * Everything a selection returns except what names or times the run: where its report went, the
 * key of its kept checkpoint (both name the workflow id; the kept epoch stays), the workflow id,
 * namespace, start and finish time, the wall seconds and memory of its fine-tunes, and the
 * brute-force time estimate (from the offline phase's epoch timings, which differ run to run).
 */
export function selectionOutcome(
  r: SelectModelResult,
): Omit<
  SelectModelResult,
  | 'reportPath'
  | 'pickCheckpoint'
  | 'workflowId'
  | 'namespace'
  | 'startedAt'
  | 'finishedAt'
  | 'gpuSeconds'
  | 'gpuSecondsSpent'
  | 'peakMemoryBytes'
  | 'bruteForceGpuSeconds'
> & { pickCheckpointEpoch: number | null } {
  const {
    reportPath: _reportPath,
    pickCheckpoint,
    workflowId: _id,
    namespace: _ns,
    startedAt: _start,
    finishedAt: _end,
    gpuSeconds: _s,
    gpuSecondsSpent: _spent,
    peakMemoryBytes: _peak,
    bruteForceGpuSeconds: _brute,
    ...rest
  } = r;
  return { ...rest, pickCheckpointEpoch: pickCheckpoint?.epoch ?? null };
}

import { allHandlersFinished, condition, continueAsNew, patched, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { parseOrFail } from '../contracts/parse';
import { durationMs } from '../contracts/duration';
import { matrixProgressLine } from '../contracts/progress-text';
import {
  BuildMatrixInputSchema,
  MatrixCarrySchema,
  type BuildMatrixResult,
  type CellKey,
  type CellResult,
  type MatrixCarry,
  type MatrixProgress,
} from '../contracts/schemas/offline';
import { CHECKPOINT_LIFECYCLE_PATCH, gpu, light } from './activities';
import { matrixProgressQuery } from './messages';
import { slidingWindow } from './window';
import { failureMessage } from './failures';

/** Deterministic run id of one cell: a retry of the same cell resumes the same checkpoints. */
export function cellRunId(c: CellKey, epochs: number, seed: number): string {
  return `offline/${c.model}@${c.dataset}/e${epochs}-s${seed}`;
}

/**
 * Offline phase: fine-tune the missing (model, benchmark) cells on the GPU queue through
 * a sliding window, commit results to the matrix store in batches, continue as new after
 * `cellsPerRun` cells, or earlier when Temporal suggests it (`continueAsNewSuggested`: the
 * history grows too long; no new cell starts, those in flight finish, the rest is planned
 * again by the next run), then cluster and commit a new store version. Idempotent: only missing cells are computed. Answers `progress`.
 * Fails with InvalidInput; a cell that fails for good is reported, not fatal. Its current
 * details in the web UI are the CLI's progress line; every activity has a summary.
 */
export async function buildPerformanceMatrix(raw: unknown, rawCarry?: unknown): Promise<BuildMatrixResult> {
  const input = parseOrFail(BuildMatrixInputSchema, raw, `buildPerformanceMatrix input (workflow ${workflowInfo().workflowId})`);
  const carry: MatrixCarry =
    rawCarry === undefined ? { done: 0, failed: [], runs: 1, maxHistoryEvents: 0 } : parseOrFail(MatrixCarrySchema, rawCarry, 'continue-as-new state');
  let phase: MatrixProgress['phase'] = 'planning';
  let total = carry.done;
  let done = carry.done;
  let running = 0;
  const failures = [...carry.failed];
  const progress = (): MatrixProgress => ({ phase, total, done, running, failed: failures.length, failures, run: carry.runs });
  const show = (): void => setCurrentDetails(matrixProgressLine(progress()));
  setHandler(matrixProgressQuery, progress);
  show();

  const plan = await light(`planMatrix: ${input.trainer} trainer, ${input.epochs} epochs, run ${carry.runs}`).planMatrix({
    models: input.models,
    benchmarks: input.benchmarks,
    epochs: input.epochs,
    trainer: input.trainer,
    seed: input.seed,
    limit: input.cellsPerRun,
    exclude: failures.map(({ model, dataset }) => ({ model, dataset })),
  });
  total = carry.done + plan.missing;
  phase = 'fine-tuning';
  show();
  const buffer: CellResult[] = [];
  // Histories recorded before the checkpoint lifecycle replay without its release activities.
  const lifecycle = patched(CHECKPOINT_LIFECYCLE_PATCH);
  // Runs whose checkpoints are no longer needed: committed cells, and cells that failed for good (a later run starts them afresh).
  const finishedRuns: string[] = [];
  const flush = async (): Promise<void> => {
    if (buffer.length > 0) {
      const results = buffer.splice(0);
      await light(`recordCells: ${results.length} cell(s)`).recordCells({ results });
      finishedRuns.push(...results.map((r) => r.runId));
    }
    if (lifecycle && finishedRuns.length > 0 && input.trainer !== 'replay') {
      const runIds = finishedRuns.splice(0);
      await light(`releaseCheckpoints of ${runIds.length} finished cell(s)`).releaseCheckpoints({ runIds });
    }
  };
  const heartbeatTimeoutMs = durationMs(input.heartbeatTimeout);
  // At least one cell per run, so a chain of runs always makes progress.
  let begun = 0;
  const suggested = (): boolean => begun > 0 && workflowInfo().continueAsNewSuggested;
  const started = await slidingWindow(
    plan.cells,
    input.maxParallel,
    async (c) => {
      begun += 1;
      running += 1;
      show();
      try {
        const runId = cellRunId(c, input.epochs, input.seed);
        const act = gpu({ heartbeatTimeoutMs, summary: `fineTune ${c.model} on ${c.dataset}, epochs 0→${input.epochs} (offline cell)` });
        const r = await act.fineTune({
          trainer: input.trainer,
          modelId: c.model,
          datasetId: c.dataset,
          fromEpoch: 0,
          toEpoch: input.epochs,
          resume: null,
          seed: input.seed,
          runId,
        });
        buffer.push({ ...c, epochs: input.epochs, seed: input.seed, runId, curve: r.curve, test: r.test, trainer: r.trainer, backend: r.backend });
        done += 1;
        if (buffer.length >= input.commitEvery) await flush();
      } catch (err) {
        failures.push({ ...c, error: failureMessage(err) });
        finishedRuns.push(cellRunId(c, input.epochs, input.seed));
      } finally {
        running -= 1;
        show();
      }
    },
    suggested,
  );
  await flush();
  const maxHistoryEvents = Math.max(carry.maxHistoryEvents, workflowInfo().historyLength);
  if (plan.missing > started) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof buildPerformanceMatrix>(input, { done, failed: failures, runs: carry.runs + 1, maxHistoryEvents });
  }
  phase = 'clustering';
  show();
  const clustered = await light(`clusterModels: ${input.clusterMode}`).clusterModels({ spec: input.cluster, mode: input.clusterMode });
  phase = 'done';
  show();
  return {
    cellsComputed: done,
    cellsFailed: failures.length,
    failures,
    storeVersion: clustered.storeVersion,
    clusters: clustered.clusters,
    placed: clustered.placed,
    runs: carry.runs,
    maxHistoryEvents,
  };
}

/**
 * A Trainer that answers from recorded curves: "train model m on dataset d for epochs
 * a+1..b" returns the recorded validation scores of those epochs, in 0 seconds. It lets
 * every selection policy, workflow and benchmark run unchanged without training.
 */
import type { RunRecord, RunSet } from '../algorithms/types';
import type { CheckpointRef, EpochRecord, Trainer, TrainHooks, TrainRequest, TrainResult } from '../training/trainer';
import { ErrorType, nonRetryable } from '../contracts/errors';

/** Checkpoint key of a replayed run after `epoch` epochs. */
export function replayCheckpointKey(modelId: string, datasetId: string, epoch: number): string {
  return `replay/${modelId}@${datasetId}/epoch-${epoch}`;
}

export class ReplayTrainer implements Trainer {
  readonly name = 'replay';
  private readonly index = new Map<string, RunRecord>();
  private readonly models: ReadonlySet<string>;
  private readonly datasets: ReadonlySet<string>;

  constructor(runs: RunSet) {
    for (const r of runs.runs) this.index.set(`${r.model}\u0000${r.dataset}`, r);
    this.models = new Set(runs.runs.map((r) => r.model));
    this.datasets = new Set(runs.runs.map((r) => r.dataset));
  }

  /**
   * Replay epochs fromEpoch+1..toEpoch of the recorded run; `test` is the recorded test
   * score when toEpoch is the run's last epoch, else null. Calls hooks.onEpoch once per
   * epoch with that epoch's checkpoint. Idempotent.
   * Fails (non-retryable ApplicationFailure) with ModelNotFound / DatasetNotFound when
   * nothing was recorded, InvalidInput when the epochs are out of the record's range, and
   * rethrows the abort reason when hooks.signal is aborted.
   */
  async train(request: TrainRequest, hooks: TrainHooks = {}): Promise<TrainResult> {
    const run = this.lookup(request.modelId, request.datasetId);
    const { fromEpoch, toEpoch } = request;
    if (!Number.isInteger(fromEpoch) || !Number.isInteger(toEpoch) || fromEpoch < 0 || toEpoch <= fromEpoch || toEpoch > run.val.length) {
      throw nonRetryable(
        ErrorType.InvalidInput,
        `epochs ${fromEpoch + 1}..${toEpoch} of ${request.modelId} on ${request.datasetId}: the record has epochs 1..${run.val.length} and fromEpoch must be < toEpoch`,
      );
    }
    const curve: EpochRecord[] = [];
    let checkpoint: CheckpointRef | null = request.resume;
    for (let epoch = fromEpoch + 1; epoch <= toEpoch; epoch += 1) {
      hooks.signal?.throwIfAborted();
      const record: EpochRecord = { epoch, metric: run.val[epoch - 1] ?? Number.NaN, seconds: 0 };
      checkpoint = { key: replayCheckpointKey(request.modelId, request.datasetId, epoch), epoch };
      curve.push(record);
      await hooks.onEpoch?.(record, checkpoint);
    }
    return { curve, checkpoint, test: toEpoch === run.val.length ? run.test : null, trainer: 'replay', backend: 'replay' };
  }

  private lookup(modelId: string, datasetId: string): RunRecord {
    const run = this.index.get(`${modelId}\u0000${datasetId}`);
    if (run !== undefined) return run;
    if (!this.datasets.has(datasetId)) throw nonRetryable(ErrorType.DatasetNotFound, `no recorded run on dataset ${datasetId}`);
    if (!this.models.has(modelId)) throw nonRetryable(ErrorType.ModelNotFound, `no recorded run of model ${modelId}`);
    throw nonRetryable(ErrorType.ModelNotFound, `model ${modelId} was never run on dataset ${datasetId}`);
  }
}

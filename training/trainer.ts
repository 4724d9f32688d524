/**
 * The one contract every way of fine-tuning implements: "train model m on dataset d from
 * epoch a to epoch b, return the curve". The tfjs trainer, the external-command trainer
 * and the replay trainer (answers from recorded curves) all implement it, so workflows
 * and benchmarks run unchanged on any of them.
 */

/** Where a trainer left its weights; a reference, never the weights themselves. */
export interface CheckpointRef {
  /** Opaque key inside the trainer's checkpoint root (e.g. `runs/<runId>/epoch-3`). */
  readonly key: string;
  /** Number of epochs completed in this checkpoint. */
  readonly epoch: number;
}

export interface EpochRecord {
  /** 1-based epoch number. */
  readonly epoch: number;
  /** Validation metric after this epoch. */
  readonly metric: number;
  /** Wall seconds the epoch took (0 for replay). */
  readonly seconds: number;
  /**
   * Peak memory of the epoch in bytes, where the backend can tell: tfjs, the most tensor bytes
   * alive at once (`tf.memory().numBytes` after each batch's gradients); PyTorch on CUDA,
   * `torch.cuda.max_memory_allocated`; PyTorch on CPU, the process's peak resident size.
   */
  readonly peakMemoryBytes?: number;
}

export interface TrainRequest {
  readonly modelId: string;
  readonly datasetId: string;
  /** Epochs already done: training starts at epoch `fromEpoch + 1`. */
  readonly fromEpoch: number;
  /** Last epoch to run (inclusive, 1-based). */
  readonly toEpoch: number;
  /** Checkpoint holding `fromEpoch` epochs of training; required when fromEpoch > 0 for live trainers. */
  readonly resume: CheckpointRef | null;
  /** Seed for head initialisation and data order. */
  readonly seed: number;
  /** Stable id of this (model, dataset, settings) run: checkpoints live under it. */
  readonly runId: string;
}

export interface TrainHooks {
  /** Called after every epoch once its checkpoint is durable; the activity heartbeats here. */
  onEpoch?(record: EpochRecord, checkpoint: CheckpointRef | null): void | Promise<void>;
  /** Aborted when the activity is cancelled; trainers stop between batches. */
  signal?: AbortSignal;
}

export interface TrainResult {
  /** Records for epochs fromEpoch+1 .. toEpoch, in order. */
  readonly curve: readonly EpochRecord[];
  readonly checkpoint: CheckpointRef | null;
  /** Test metric after the last epoch, when the trainer evaluates one. */
  readonly test: number | null;
  /** Trainer name (`tfjs`, `command`, `replay`). */
  readonly trainer: string;
  /** Compute backend that ran the epochs (`tensorflow`, `wasm`, `cpu`, `replay`, ...). */
  readonly backend: string;
}

export interface Trainer {
  readonly name: string;
  train(request: TrainRequest, hooks?: TrainHooks): Promise<TrainResult>;
}

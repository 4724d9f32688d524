/**
 * Fine-tuning with TensorFlow.js: a hub model gets a fresh head for the dataset's task on its
 * feature layer (classes, or one linear output for regression) and is trained epoch by epoch;
 * after each epoch the validation metric named by the manifest (accuracy, or RMSE) is measured, weights and optimiser state are checkpointed durably, and only
 * then `hooks.onEpoch` runs. A request with `resume` continues from that checkpoint and,
 * with the same seed, reproduces the uninterrupted run exactly.
 */
import { performance } from 'node:perf_hooks';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { type LoadedDataset, loadDataset } from '../hub/datasets';
import { loadHubModel, sameShape } from '../hub/models';
import { activate, type Backend } from './backend';
import { type CheckpointMeta, CheckpointStore } from './checkpoint-store';
import { FineTuneSession, regressionHead, resolveSessionOptions, type SessionOptions } from './session';
import type { CheckpointRef, EpochRecord, Trainer, TrainHooks, TrainRequest, TrainResult } from './trainer';

export interface TfjsTrainerConfig {
  readonly backend: Backend;
  readonly hubDir: string;
  readonly datasetsDir: string;
  /** Root of the checkpoint store (a folder). */
  readonly checkpointDir: string;
  /** The checkpoint store to use instead of a folder at `checkpointDir` (e.g. one on object storage). */
  readonly checkpoints?: CheckpointStore;
  /** Optimiser and batching; see SESSION_DEFAULTS and ADAM_DEFAULTS. */
  readonly options?: SessionOptions;
}

export class TfjsTrainer implements Trainer {
  readonly name = 'tfjs';
  private readonly store: CheckpointStore;

  /** Throws at once for bad `options` (a worker configuration error). */
  constructor(private readonly config: TfjsTrainerConfig) {
    resolveSessionOptions(config.options);
    this.store = config.checkpoints ?? new CheckpointStore(config.checkpointDir);
  }

  /**
   * Train epochs fromEpoch+1 .. toEpoch (none when they are equal: a resumed run that only
   * needs its test metric). Idempotent for a given request: checkpoints are
   * keyed by (runId, epoch) and rewritten with identical content. Fails with
   * ModelNotFound, DatasetNotFound, InvalidModel, InvalidDataset, InvalidInput (bad epoch
   * range or a checkpoint from another run), PathOutsideRoot, StoreCorrupt,
   * TrainingDiverged, or the abort reason of `hooks.signal`.
   */
  async train(request: TrainRequest, hooks: TrainHooks = {}): Promise<TrainResult> {
    checkRequest(request);
    const { backend, hubDir, datasetsDir } = this.config;
    await activate(backend);
    const data = await loadDataset(datasetsDir, request.datasetId);
    const hub = await loadHubModel(backend.tf, hubDir, request.modelId);
    if (!sameShape(hub.card.input.shape, data.manifest.featureShape)) {
      hub.model.dispose();
      throw nonRetryable(
        ErrorType.InvalidModel,
        `Input shape mismatch: model ${request.modelId} expects [${hub.card.input.shape.join(',')}], dataset ${request.datasetId} has [${data.manifest.featureShape.join(',')}]`,
      );
    }
    const regression = data.manifest.task === 'regression';
    const head = regression ? regressionHead(data.train) : ({ task: 'classification' } as const);
    const session = new FineTuneSession(backend.tf, hub, regression ? 1 : data.manifest.classes.length, request.seed, this.config.options, head);
    try {
      return await this.run(session, data, request, hooks);
    } finally {
      session.dispose();
    }
  }

  private async run(session: FineTuneSession, data: LoadedDataset, request: TrainRequest, hooks: TrainHooks): Promise<TrainResult> {
    const shape = data.manifest.featureShape;
    const meta = (epoch: number): CheckpointMeta => ({
      modelId: request.modelId,
      datasetId: request.datasetId,
      seed: request.seed,
      numClasses: session.numClasses,
      epoch,
    });
    let checkpoint: CheckpointRef | null = request.resume;
    if (request.resume) {
      const payload = await this.store.load(request.resume);
      checkMeta(payload.meta, meta(request.fromEpoch), request.resume.key);
      session.restore(payload);
    }
    const curve: EpochRecord[] = [];
    for (let epoch = request.fromEpoch + 1; epoch <= request.toEpoch; epoch++) {
      const started = performance.now();
      session.takePeakBytes();
      await session.trainEpoch(data.train, shape, epoch, hooks.signal);
      const metric = await session.evaluate(data.val, shape, hooks.signal);
      const record: EpochRecord = { epoch, metric, seconds: (performance.now() - started) / 1000, peakMemoryBytes: session.takePeakBytes() };
      checkpoint = await this.store.save(request.runId, session.snapshot(meta(epoch)));
      curve.push(record);
      await hooks.onEpoch?.(record, checkpoint);
    }
    const test = data.test ? await session.evaluate(data.test, shape, hooks.signal) : null;
    return { curve, checkpoint, test, trainer: this.name, backend: this.config.backend.name };
  }
}

function checkRequest(r: TrainRequest): void {
  const bad = (why: string): never => {
    throw nonRetryable(ErrorType.InvalidInput, `Train request for ${r.modelId} on ${r.datasetId}: ${why}`);
  };
  if (!Number.isInteger(r.fromEpoch) || r.fromEpoch < 0) bad(`fromEpoch is ${r.fromEpoch}, but must be an integer >= 0`);
  // toEpoch === fromEpoch (> 0, with resume) re-evaluates a finished run: no epochs, test metric only.
  const minTo = r.fromEpoch > 0 ? r.fromEpoch : 1;
  if (!Number.isInteger(r.toEpoch) || r.toEpoch < minTo) bad(`toEpoch is ${r.toEpoch}, but must be an integer >= ${minTo}`);
  if (r.fromEpoch > 0 && r.resume === null) bad(`fromEpoch is ${r.fromEpoch}, but no resume checkpoint was given`);
  if (r.resume !== null && r.resume.epoch !== r.fromEpoch) bad(`resume checkpoint holds epoch ${r.resume.epoch}, but fromEpoch is ${r.fromEpoch}`);
}

function checkMeta(found: CheckpointMeta, wanted: CheckpointMeta, key: string): void {
  const fields = ['modelId', 'datasetId', 'seed', 'numClasses', 'epoch'] as const;
  const diff = fields.filter((f) => found[f] !== wanted[f]);
  if (diff.length > 0) {
    const what = diff.map((f) => `${f} ${String(found[f])} (request: ${String(wanted[f])})`).join(', ');
    throw nonRetryable(ErrorType.InvalidInput, `Checkpoint ${key} belongs to another run: ${what}`);
  }
}

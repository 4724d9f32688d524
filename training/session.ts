/**
 * One fine-tune in memory: a hub model with a fresh, seeded head on its feature layer, an
 * exact-resume Adam, seeded per-epoch data order and evaluation. Classification: one logit
 * per class, softmax cross-entropy, accuracy (higher is better). Regression: one linear
 * output on the standardised target, mean squared error, RMSE (lower is better). Owns every tensor it creates;
 * `dispose()` releases them all.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { ErrorType, nonRetryable } from '../contracts/errors';
import type { DatasetSplit } from '../hub/datasets';
import type { Tf } from '../hub/model-io';
import type { HubModel } from '../hub/models';
import { mixSeed, permutation } from '../hub/rng';
import { Adam, ADAM_DEFAULTS, type AdamOptions } from './adam';
import type { CheckpointMeta, CheckpointPayload } from './checkpoint-store';
import { disposeModels } from './dispose';

export interface SessionOptions extends AdamOptions {
  /** @default 32 */
  batchSize?: number;
  /** Batch size for evaluation only. @default 256 */
  evalBatchSize?: number;
}

export const SESSION_DEFAULTS = { batchSize: 32, evalBatchSize: 256 };

/** Merge `options` over the defaults and check them; throws naming the bad option. */
export function resolveSessionOptions(options: SessionOptions = {}): Required<SessionOptions> {
  const o: Required<SessionOptions> = { ...ADAM_DEFAULTS, ...SESSION_DEFAULTS, ...options };
  for (const key of ['batchSize', 'evalBatchSize'] as const) {
    if (!(Number.isInteger(o[key]) && o[key] >= 1)) throw new Error(`\`${key}\` is ${o[key]}, but must be an integer >= 1`);
  }
  if (!(o.learningRate >= 0 && Number.isFinite(o.learningRate))) throw new Error(`\`learningRate\` is ${o.learningRate}, but must be a finite number >= 0`);
  for (const key of ['beta1', 'beta2'] as const) {
    if (!(o[key] >= 0 && o[key] < 1)) throw new Error(`\`${key}\` is ${o[key]}, but must be in [0, 1)`);
  }
  if (!(o.epsilon > 0)) throw new Error(`\`epsilon\` is ${o.epsilon}, but must be > 0`);
  return o;
}

export const HEAD_LAYER = 'mselect_head';

/** What the head learns: `classification` (numClasses logits) or `regression` (one linear output). */
export type HeadTask = 'classification' | 'regression';

/**
 * The head of a session. A regression head learns the standardised target (t − center) / scale
 * and predicts center + scale · output, so its bias need not travel to the targets' mean in
 * a few epochs; RMSE is reported in the target's own units.
 */
export type HeadSpec = { readonly task: 'classification' } | { readonly task: 'regression'; readonly center: number; readonly scale: number };

/** The regression head for a train split: center = mean target, scale = its standard deviation (1 when 0). */
export function regressionHead(train: DatasetSplit): HeadSpec {
  const t = train.target ?? new Float32Array(0);
  const center = t.reduce((a, v) => a + v, 0) / Math.max(1, t.length);
  const sd = Math.sqrt(t.reduce((a, v) => a + (v - center) ** 2, 0) / Math.max(1, t.length));
  return { task: 'regression', center, scale: sd > 0 ? sd : 1 };
}

/** Resolve on the next macrotask so heartbeats, timers and cancellation get a turn. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FineTuneSession {
  private readonly model: tfjs.LayersModel;
  private readonly adam: Adam;
  private readonly vars: tfjs.Variable[];
  private readonly o: Required<SessionOptions>;
  readonly task: HeadTask;
  /** Most tensor bytes alive at once since the last `takePeakBytes()`. */
  private peakBytes = 0;

  /**
   * Build the head model; `hub.model` becomes part of it and is disposed with the session.
   * A regression head has one output, so `numClasses` must be 1 then (it is recorded in checkpoints).
   */
  constructor(
    private readonly tf: Tf,
    private readonly hub: HubModel,
    readonly numClasses: number,
    readonly seed: number,
    options: SessionOptions = {},
    private readonly head: HeadSpec = { task: 'classification' },
  ) {
    this.o = resolveSessionOptions(options);
    this.task = head.task;
    if (head.task === 'regression' && numClasses !== 1) throw new Error(`numClasses is ${numClasses}, but a regression head has 1 output`);
    if (head.task === 'regression' && !(Number.isFinite(head.center) && head.scale > 0))
      throw new Error(`regression head center ${head.center} / scale ${head.scale}: center must be finite and scale > 0`);
    for (const layer of hub.model.layers) if (hub.card.frozenLayers.includes(layer.name)) layer.trainable = false;
    const layer = tf.layers.dense({
      units: numClasses,
      name: HEAD_LAYER,
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: 'zeros',
    });
    const logits = layer.apply(hub.features) as tfjs.SymbolicTensor;
    this.model = tf.model({ inputs: hub.model.inputs, outputs: logits });
    this.vars = this.model.trainableWeights.map((w) => w.read() as tfjs.Variable);
    this.adam = new Adam(tf, this.vars, this.o);
  }

  /**
   * One epoch over `split` in the seeded order for (seed, epoch), yielding to the event loop
   * between batches and stopping with `signal.reason` once aborted. Returns the mean loss;
   * fails with TrainingDiverged when the loss stops being finite.
   */
  async trainEpoch(split: DatasetSplit, inputShape: readonly number[], epoch: number, signal?: AbortSignal): Promise<number> {
    const { tf } = this;
    const order = permutation(split.n, mixSeed(this.seed, epoch));
    let total = 0;
    for (let start = 0; start < split.n; start += this.o.batchSize) {
      if (signal?.aborted) throw abortError(signal);
      const idx = order.subarray(start, Math.min(start + this.o.batchSize, split.n));
      const loss = tf.tidy(() => {
        const { x, y } = batch(tf, split, idx, inputShape, this.numClasses, this.head);
        const lossOf = (out: tfjs.Tensor): tfjs.Scalar =>
          (this.task === 'regression' ? tf.losses.meanSquaredError(y, out) : tf.losses.softmaxCrossEntropy(y, out)) as tfjs.Scalar;
        const { value, grads } = tf.variableGrads(() => lossOf(this.model.apply(x, { training: true }) as tfjs.Tensor), this.vars);
        this.adam.apply(this.vars.map((v) => grads[v.name] as tfjs.Tensor));
        // The batch, its activations' gradients and the updated weights are all alive here: the epoch's high-water mark.
        this.peakBytes = Math.max(this.peakBytes, tf.memory().numBytes);
        return value.dataSync()[0] ?? Number.NaN;
      });
      if (!Number.isFinite(loss)) throw nonRetryable(ErrorType.TrainingDiverged, `Loss became ${loss} in epoch ${epoch} (batch at sample ${start})`);
      total += loss * idx.length;
      await yieldToEventLoop();
    }
    return total / split.n;
  }

  /** Peak tensor bytes (`tf.memory().numBytes`, sampled after each batch's update) since the last call; resets it. */
  takePeakBytes(): number {
    const peak = this.peakBytes;
    this.peakBytes = 0;
    return peak;
  }

  /** The validation/test metric of the head on `split`: accuracy in [0, 1], or RMSE for a regression head. */
  async evaluate(split: DatasetSplit, inputShape: readonly number[], signal?: AbortSignal): Promise<number> {
    const { tf } = this;
    let correct = 0;
    let squared = 0;
    for (let start = 0; start < split.n; start += this.o.evalBatchSize) {
      if (signal?.aborted) throw abortError(signal);
      const end = Math.min(start + this.o.evalBatchSize, split.n);
      const predicted = tf.tidy(() => {
        const x = tf.tensor(split.x.subarray(start * split.d, end * split.d), [end - start, ...inputShape]);
        const out = this.model.predict(x) as tfjs.Tensor;
        return this.task === 'regression' ? out.reshape([-1]).dataSync() : out.argMax(-1).dataSync();
      });
      for (let i = start; i < end; i++) {
        if (this.head.task === 'regression') squared += (this.head.center + this.head.scale * (predicted[i - start] ?? Number.NaN) - targetAt(split, i)) ** 2;
        else if (predicted[i - start] === split.y[i]) correct++;
      }
      await yieldToEventLoop();
    }
    return this.task === 'regression' ? Math.sqrt(squared / split.n) : correct / split.n;
  }

  /** Weights and optimiser state for a checkpoint. */
  snapshot(meta: CheckpointMeta): CheckpointPayload {
    const weights = this.model.getWeights().map((w) => Float32Array.from(w.dataSync()));
    return { meta, weights, optimizer: this.adam.getState() };
  }

  /** Restore a checkpoint taken from a session over the same model and head. */
  restore(payload: CheckpointPayload): void {
    const { tf } = this;
    const current = this.model.weights;
    if (payload.weights.length !== current.length) {
      throw nonRetryable(ErrorType.InvalidInput, `Checkpoint holds ${payload.weights.length} weights, the model has ${current.length}`);
    }
    const tensors = current.map((w, i) => {
      const values = payload.weights[i] as Float32Array;
      const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      if (values.length !== size) throw nonRetryable(ErrorType.InvalidInput, `Checkpoint weight ${i} has ${values.length} values, ${w.name} needs ${size}`);
      return tf.tensor(values, w.shape as number[]);
    });
    try {
      this.model.setWeights(tensors);
      this.adam.setState(payload.optimizer);
    } finally {
      tf.dispose(tensors);
    }
  }

  /** Save the fine-tuned model (the hub model with its head) through a tfjs IO handler (hub/model-io.ts fileSystemIO writes a hub folder). */
  async save(handler: tfjs.io.IOHandler): Promise<void> {
    await this.model.save(handler);
  }

  /** Release the optimiser state, the head and every weight of the hub model. */
  dispose(): void {
    this.adam.dispose();
    disposeModels(this.model, this.hub.model);
  }
}

function targetAt(split: DatasetSplit, row: number): number {
  if (!split.target) throw nonRetryable(ErrorType.InvalidDataset, 'A regression head needs a split with targets; this split holds class labels');
  return split.target[row] ?? Number.NaN;
}

function batch(
  tf: Tf,
  split: DatasetSplit,
  idx: Int32Array,
  inputShape: readonly number[],
  numClasses: number,
  head: HeadSpec,
): { x: tfjs.Tensor; y: tfjs.Tensor } {
  const xs = new Float32Array(idx.length * split.d);
  const ys = new Int32Array(idx.length);
  const ts = new Float32Array(head.task === 'regression' ? idx.length : 0);
  idx.forEach((row, i) => {
    xs.set(split.x.subarray(row * split.d, (row + 1) * split.d), i * split.d);
    if (head.task === 'regression') ts[i] = (targetAt(split, row) - head.center) / head.scale;
    else ys[i] = split.y[row] as number;
  });
  const x = tf.tensor(xs, [idx.length, ...inputShape]);
  return { x, y: head.task === 'regression' ? tf.tensor2d(ts, [idx.length, 1]) : tf.oneHot(tf.tensor1d(ys, 'int32'), numClasses) };
}

/** The abort reason (Temporal passes a CancelledFailure) or a plain AbortError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(typeof reason === 'string' ? reason : 'Training was cancelled');
  err.name = 'AbortError';
  return err;
}

/**
 * Forward passes for proxy scores: a hub model's source-task probabilities (for LEEP) and
 * its feature-layer activations (for LogME) on chosen rows of a dataset split.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { DatasetSplit } from '../hub/datasets';
import type { Tf } from '../hub/model-io';
import type { HubModel } from '../hub/models';
import { abortError, yieldToEventLoop } from './session';

export interface ProbeOutputs {
  /** Source-label probabilities, one row per probe sample (softmax applied for logit models). */
  readonly probs: number[][];
  /** Feature-layer activations, one row per probe sample. */
  readonly features: number[][];
}

/**
 * Run `hub` on `rows` of `split` in batches of `batchSize`, yielding between batches.
 * Does not dispose `hub.model`; the caller still owns it.
 */
export async function probeOutputs(
  tf: Tf,
  hub: HubModel,
  split: DatasetSplit,
  rows: readonly number[],
  inputShape: readonly number[],
  batchSize = 256,
  signal?: AbortSignal,
): Promise<ProbeOutputs> {
  const output = hub.model.outputs[0] as tfjs.SymbolicTensor;
  // A second view over the same layers: it owns no weights, so there is nothing to dispose.
  const both = tf.model({ inputs: hub.model.inputs, outputs: [hub.features, output] });
  const probs: number[][] = [];
  const features: number[][] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    if (signal?.aborted) throw abortError(signal);
    const batch = rows.slice(start, start + batchSize);
    const [f, p] = tf.tidy(() => {
      const x = new Float32Array(batch.length * split.d);
      batch.forEach((row, i) => x.set(split.x.subarray(row * split.d, (row + 1) * split.d), i * split.d));
      const [feat, out] = both.predict(tf.tensor(x, [batch.length, ...inputShape])) as tfjs.Tensor[];
      const prob = hub.card.output === 'logits' ? tf.softmax(out as tfjs.Tensor) : (out as tfjs.Tensor);
      return [(feat as tfjs.Tensor).arraySync() as number[][], prob.arraySync() as number[][]];
    });
    features.push(...f);
    probs.push(...p);
    await yieldToEventLoop();
  }
  return { probs, features };
}

/** Magic of a features file (the `features` job of docs/external-trainer.md). */
export const FEATURES_MAGIC = 'MSFEAT01';

/**
 * Decode a features file: 8 bytes magic `MSFEAT01`, uint32 LE header length, a JSON header
 * `{"rows", "featureSize", "classes"}` (space-padded to a multiple of 4 bytes), then float32
 * LE features [rows, featureSize] and probabilities [rows, classes], row-major. Throws a plain
 * Error saying what is wrong.
 */
export function decodeFeatures(bytes: Uint8Array): ProbeOutputs {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== FEATURES_MAGIC) throw new Error('bad magic (not a features file)');
  const length = buf.readUInt32LE(8);
  if (12 + length > buf.length) throw new Error('truncated header');
  const header = JSON.parse(buf.toString('utf8', 12, 12 + length)) as { rows: number; featureSize: number; classes: number };
  const { rows, featureSize, classes } = header;
  if (![rows, featureSize, classes].every((v) => Number.isInteger(v) && v > 0)) throw new Error(`bad header ${JSON.stringify(header)}`);
  const start = 12 + length;
  const expected = start + 4 * rows * (featureSize + classes);
  if (buf.length !== expected) throw new Error(`${buf.length} bytes where the header needs ${expected}`);
  const values = new Float32Array(rows * (featureSize + classes));
  new Uint8Array(values.buffer).set(buf.subarray(start));
  const take = (offset: number, width: number): number[][] =>
    Array.from({ length: rows }, (_, r) => Array.from(values.subarray(offset + r * width, offset + (r + 1) * width)));
  return { features: take(0, featureSize), probs: take(rows * featureSize, classes) };
}

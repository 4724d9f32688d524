/**
 * Durable fine-tune checkpoints: one object per (run, epoch) in an ObjectStore (a folder, or
 * `checkpoints/` of the bucket, so any worker on any machine resumes from them), written
 * atomically (filesystem: temp file, fsync, rename; S3: a PutObject), so a worker killed
 * mid-write leaves the previous epoch's checkpoint intact and never a torn one. `save`
 * resolves only once the checkpoint is durable, and the trainer heartbeats its reference
 * only after that.
 *
 * File layout: 8-byte magic `MSCKPT01`, uint32 LE header length, JSON header (padded to a
 * multiple of 4 bytes), then the float32 arrays the header lists, back to back.
 */
import { ErrorType, nonRetryable } from '../contracts/errors';
import { checkKey, FsObjectStore, InvalidKeyError, ObjectNotFoundError, type ObjectStore } from '../storage';
import type { AdamState } from './adam';
import type { CheckpointRef } from './trainer';

const MAGIC = 'MSCKPT01';

/** What a checkpoint must match to be resumed: same model, dataset, seed and head size. */
export interface CheckpointMeta {
  readonly modelId: string;
  readonly datasetId: string;
  readonly seed: number;
  readonly numClasses: number;
  readonly epoch: number;
}

export interface CheckpointPayload {
  readonly meta: CheckpointMeta;
  /** Model weights in `model.getWeights()` order. */
  readonly weights: Float32Array[];
  readonly optimizer: AdamState;
}

interface Header {
  readonly meta: CheckpointMeta;
  readonly step: number;
  /** Lengths of the arrays: weights, then Adam m, then Adam v. */
  readonly weights: number[];
  readonly m: number[];
  readonly v: number[];
}

export class CheckpointStore {
  readonly objects: ObjectStore;

  /** Checkpoints in `root`: a folder path (today's layout) or an ObjectStore (e.g. the bucket's `checkpoints/`). */
  constructor(root: string | ObjectStore) {
    this.objects = typeof root === 'string' ? new FsObjectStore(root) : root;
  }

  /** Where the checkpoints live, for messages. */
  get root(): string {
    return this.objects instanceof FsObjectStore ? this.objects.root : this.objects.url;
  }

  /** The key of run `runId` after `epoch` epochs; the run id is percent-encoded into one path segment. */
  keyFor(runId: string, epoch: number): string {
    const segment = encodeURIComponent(runId).replace(/\./g, '%2E');
    return `runs/${segment}/epoch-${epoch}.ckpt`;
  }

  /** Write a checkpoint durably; resolves once it survives a crash. Idempotent per (run, epoch). */
  async save(runId: string, payload: CheckpointPayload): Promise<CheckpointRef> {
    const key = this.keyFor(runId, payload.meta.epoch);
    await this.objects.put(key, encode(payload));
    return { key, epoch: payload.meta.epoch };
  }

  /**
   * Read a checkpoint. Fails with PathOutsideRoot for a key escaping the root, InvalidInput
   * when it does not exist and StoreCorrupt when the file cannot be decoded.
   */
  async load(ref: CheckpointRef): Promise<CheckpointPayload> {
    const key = this.checkedKey(ref.key);
    const file = this.objects.describe(key);
    let bytes: Buffer;
    try {
      bytes = await this.objects.get(key);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) throw nonRetryable(ErrorType.InvalidInput, `Checkpoint ${ref.key} not found under ${this.root}`);
      throw err;
    }
    try {
      const payload = decode(bytes);
      if (payload.meta.epoch !== ref.epoch) throw new Error(`holds epoch ${payload.meta.epoch}, reference says ${ref.epoch}`);
      return payload;
    } catch (err) {
      throw nonRetryable(ErrorType.StoreCorrupt, `Checkpoint ${file} is unreadable: ${(err as Error).message}`);
    }
  }

  /** `key` when it stays inside the store; PathOutsideRoot otherwise (keys arrive from input and heartbeats). */
  private checkedKey(key: string): string {
    try {
      return checkKey(key);
    } catch (err) {
      if (err instanceof InvalidKeyError) throw nonRetryable(ErrorType.PathOutsideRoot, `Checkpoint key ${JSON.stringify(key)} resolves outside ${this.root}: ${err.message}`);
      throw err;
    }
  }
}

function encode(p: CheckpointPayload): Uint8Array {
  const header: Header = {
    meta: p.meta,
    step: p.optimizer.step,
    weights: p.weights.map((a) => a.length),
    m: p.optimizer.m.map((a) => a.length),
    v: p.optimizer.v.map((a) => a.length),
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  json = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4, 0x20)]);
  const arrays = [...p.weights, ...p.optimizer.m, ...p.optimizer.v];
  const head = Buffer.alloc(12);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32LE(json.length, 8);
  const body = arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  return Buffer.concat([head, json, ...body]);
}

function decode(bytes: Buffer): CheckpointPayload {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 8) !== MAGIC) throw new Error('bad magic');
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) throw new Error('truncated header');
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as Header;
  let offset = 12 + headerLength;
  const take = (lengths: number[]): Float32Array[] =>
    lengths.map((n) => {
      if (offset + n * 4 > bytes.length) throw new Error('truncated data');
      const copy = new Float32Array(n);
      new Uint8Array(copy.buffer).set(bytes.subarray(offset, offset + n * 4));
      offset += n * 4;
      return copy;
    });
  const weights = take(header.weights);
  const m = take(header.m);
  const v = take(header.v);
  if (offset !== bytes.length) throw new Error(`${bytes.length - offset} trailing bytes`);
  return { meta: header.meta, weights, optimizer: { step: header.step, m, v } };
}

/**
 * Durable fine-tune checkpoints: one object per (run, epoch) in an ObjectStore (a folder, or
 * `checkpoints/` of the bucket, so any worker on any machine resumes from them), written
 * atomically (filesystem: temp file, fsync, rename; S3: a PutObject or a completed multipart
 * upload), so a worker killed mid-write leaves the previous epoch's checkpoint intact and never
 * a torn one. `save` resolves only once the checkpoint is durable, and the trainer heartbeats its
 * reference only after that.
 *
 * A checkpoint never lives in memory as one buffer: `save` streams the arrays into a local file
 * (hashing them on the way) and uploads the file (`putFile`, with that SHA-256); `load` reads a
 * local file (the cache's entry, the store's own file on a filesystem, or a download) array by
 * array, hashing it in the same pass and checking the SHA-256 recorded with the object. A
 * mismatch is read once more from the bucket, then fails with StoreCorrupt naming the object.
 *
 * File layout (unchanged, `MSCKPT01`): 8-byte magic, uint32 LE header length, JSON header
 * (padded to a multiple of 4 bytes), then the float32 arrays the header lists, back to back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { checkKey, FsObjectStore, InvalidKeyError, ObjectCorruptError, ObjectNotFoundError, type ObjectStore } from '../storage';
import type { AdamState } from './adam';
import type { CheckpointCache } from './checkpoint-cache';
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

export interface CheckpointStoreOptions {
  /** This worker's local cache of the bucket's checkpoints (GPU workers on object storage). */
  readonly cache?: CheckpointCache;
}

/** A checkpoint's bytes did not hash to the recorded SHA-256 (read again once, then StoreCorrupt). */
class DigestMismatch extends Error {}
/** The file's content does not decode as a checkpoint (read again once, then StoreCorrupt). */
class DecodeError extends Error {}

export class CheckpointStore {
  readonly objects: ObjectStore;
  readonly cache: CheckpointCache | undefined;

  /** Checkpoints in `root`: a folder path (today's layout) or an ObjectStore (e.g. the bucket's `checkpoints/`). */
  constructor(root: string | ObjectStore, options: CheckpointStoreOptions = {}) {
    this.objects = typeof root === 'string' ? new FsObjectStore(root) : root;
    this.cache = options.cache;
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
    const file = this.cache ? await this.cache.stagingPath(key) : await this.scratch(key);
    try {
      const sha256 = await writeCheckpoint(file, payload);
      await this.objects.putFile(key, file, { sha256 });
      if (this.cache) await this.cache.commit(key, file, sha256);
    } finally {
      await fs.rm(file, { force: true });
    }
    return { key, epoch: payload.meta.epoch };
  }

  /**
   * Read a checkpoint. Fails with PathOutsideRoot for a key escaping the root, InvalidInput
   * when it does not exist and StoreCorrupt when the file cannot be decoded or its bytes do not
   * match the SHA-256 recorded when it was written (after reading it once more).
   */
  async load(ref: CheckpointRef): Promise<CheckpointPayload> {
    const key = this.checkedKey(ref.key);
    const where = this.objects.describe(key);
    try {
      let payload: CheckpointPayload;
      try {
        payload = await this.read(key, false);
      } catch (err) {
        // Damaged in the cache or in flight: once more, from the bucket.
        if (!(err instanceof DigestMismatch || err instanceof DecodeError)) throw err;
        payload = await this.read(key, true);
      }
      if (payload.meta.epoch !== ref.epoch) throw new DecodeError(`holds epoch ${payload.meta.epoch}, reference says ${ref.epoch}`);
      return payload;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) throw nonRetryable(ErrorType.InvalidInput, `Checkpoint ${ref.key} not found under ${this.root}`);
      if (err instanceof ObjectCorruptError) throw nonRetryable(ErrorType.StoreCorrupt, `Checkpoint ${err.message}`);
      if (err instanceof DigestMismatch || err instanceof DecodeError)
        throw nonRetryable(ErrorType.StoreCorrupt, `Checkpoint ${where} is unreadable: ${err.message}`);
      throw err;
    }
  }

  /**
   * Remove the checkpoint `ref` names from the store and from this worker's cache (idempotent;
   * also for a checkpoint another trainer wrote under the same key layout).
   */
  async delete(ref: CheckpointRef | string): Promise<void> {
    const key = this.checkedKey(typeof ref === 'string' ? ref : ref.key);
    await this.objects.delete(key);
    await this.cache?.remove(key);
  }

  /**
   * Decode the checkpoint `key` from a local file: the cache's entry (fetched when missing or
   * stale; `again`: dropped and fetched anew), the store's own file on a filesystem, or a
   * download to a scratch file. Throws DigestMismatch when the bytes differ from the recorded SHA-256.
   */
  private async read(key: string, again: boolean): Promise<CheckpointPayload> {
    if (this.cache) {
      const release = await this.cache.pin(key);
      try {
        if (again) await this.cache.remove(key);
        const got = await this.cache.fetch(key, this.objects, { verify: false });
        const { payload, sha256 } = await readCheckpoint(got.file);
        if (sha256 !== got.sha256) throw new DigestMismatch(`its bytes hash to sha256 ${sha256}, but ${got.sha256} was recorded when it was written`);
        return payload;
      } finally {
        await release();
      }
    }
    if (this.objects instanceof FsObjectStore) {
      const info = await this.objects.head(key);
      if (!info) throw new ObjectNotFoundError(key, this.objects.describe(key));
      const { payload, sha256 } = await readCheckpoint(this.objects.pathOf(key));
      if (info.sha256 !== undefined && sha256 !== info.sha256)
        throw new DigestMismatch(`its bytes hash to sha256 ${sha256}, but ${info.sha256} was recorded when it was written`);
      return payload;
    }
    const file = await this.scratch(key);
    try {
      await this.objects.getFile(key, file);
      return (await readCheckpoint(file)).payload;
    } finally {
      await fs.rm(file, { force: true });
    }
  }

  /** A temporary file for one checkpoint: in the store's own temporary folder on a filesystem, else the system's. */
  private async scratch(key: string): Promise<string> {
    const dir = this.objects instanceof FsObjectStore ? this.objects.tmpDir : path.join(os.tmpdir(), 'mselect-checkpoints');
    await fs.mkdir(dir, { recursive: true });
    return path.join(dir, `${process.pid}-${randomBytes(8).toString('hex')}${path.extname(key)}.tmp`);
  }

  /** `key` when it stays inside the store; PathOutsideRoot otherwise (keys arrive from input and heartbeats). */
  private checkedKey(key: string): string {
    try {
      return checkKey(key);
    } catch (err) {
      if (err instanceof InvalidKeyError)
        throw nonRetryable(ErrorType.PathOutsideRoot, `Checkpoint key ${JSON.stringify(key)} resolves outside ${this.root}: ${err.message}`);
      throw err;
    }
  }
}

const bytesOf = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Write `p` to `file` array by array (fsynced); returns the SHA-256 of the bytes written. */
export async function writeCheckpoint(file: string, p: CheckpointPayload): Promise<string> {
  const header: Header = {
    meta: p.meta,
    step: p.optimizer.step,
    weights: p.weights.map((a) => a.length),
    m: p.optimizer.m.map((a) => a.length),
    v: p.optimizer.v.map((a) => a.length),
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  json = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4, 0x20)]);
  const head = Buffer.alloc(12);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32LE(json.length, 8);
  const hash = createHash('sha256');
  const out = await fs.open(file, 'w');
  try {
    let at = 0;
    for (const piece of [head, json, ...[...p.weights, ...p.optimizer.m, ...p.optimizer.v].map(bytesOf)]) {
      hash.update(piece);
      for (let done = 0; done < piece.length;) done += (await out.write(piece, done, piece.length - done, at + done)).bytesWritten;
      at += piece.length;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return hash.digest('hex');
}

/** Read a checkpoint file array by array; returns it with the SHA-256 of its bytes. Throws DecodeError for a malformed file. */
export async function readCheckpoint(file: string): Promise<{ payload: CheckpointPayload; sha256: string }> {
  const hash = createHash('sha256');
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    let offset = 0;
    const readInto = async (target: Uint8Array, what: string): Promise<void> => {
      if (offset + target.length > size) throw new DecodeError(what);
      for (let done = 0; done < target.length;) {
        const { bytesRead } = await handle.read(target, done, target.length - done, offset + done);
        if (bytesRead === 0) throw new DecodeError(what);
        done += bytesRead;
      }
      hash.update(target);
      offset += target.length;
    };
    const head = Buffer.alloc(12);
    if (size < 12) throw new DecodeError('bad magic');
    await readInto(head, 'bad magic');
    if (head.toString('ascii', 0, 8) !== MAGIC) throw new DecodeError('bad magic');
    const json = Buffer.alloc(head.readUInt32LE(8));
    await readInto(json, 'truncated header');
    let header: Header;
    try {
      header = JSON.parse(json.toString('utf8')) as Header;
    } catch (e) {
      throw new DecodeError(`bad header: ${(e as Error).message}`);
    }
    const take = async (lengths: number[]): Promise<Float32Array[]> => {
      const out: Float32Array[] = [];
      for (const n of lengths) {
        const a = new Float32Array(n);
        await readInto(new Uint8Array(a.buffer), 'truncated data');
        out.push(a);
      }
      return out;
    };
    const weights = await take(header.weights);
    const m = await take(header.m);
    const v = await take(header.v);
    if (offset !== size) throw new DecodeError(`${size - offset} trailing bytes`);
    return { payload: { meta: header.meta, weights, optimizer: { step: header.step, m, v } }, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/**
 * The S3 backend (AWS S3, MinIO, Ceph, versitygw, GCS's XML API) through @aws-sdk/client-s3.
 * `put` is a PutObject (atomic replace on every S3 implementation); `putIfAbsent` is a
 * PutObject with `If-None-Match: *`, which the server refuses with 412 when the key exists,
 * so of several writers on different machines exactly one creates it. Transient failures
 * (connection refused or reset, 5xx, throttling) are retried with backoff until a deadline;
 * refused credentials and a missing bucket are StorageConfigErrors naming the bucket.
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type * as S3 from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../contracts/schemas/storage';
import { ObjectCorruptError, ObjectNotFoundError, StorageConfigError, StorageUnavailableError } from './errors';
import { tempPath } from './fs-durable';
import { checkKey, checkListPrefix, checkPrefix } from './keys';
import type { BlobUpload, ObjectInfo, ObjectStore, PutFileOptions, StoredFile } from './object-store';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';
import { DEFAULT_TRANSFER, isSha256, partSizeFor, S3_LIMITS, sha256File, type TransferSettings } from './transfer';

let loaded: typeof S3 | null = null;
/** The AWS SDK, loaded on first use: a process that never talks to S3 does not pay its start-up (about 0.3 s, 20 MB). */
function sdk(): typeof S3 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('@aws-sdk/client-s3') as typeof S3;
  return loaded;
}

/** The user-metadata name of the SHA-256 `putFile` records (`x-amz-meta-sha256`). */
const SHA256_META = 'sha256';
/**
 * Bytes of a downloaded part gathered before one write to the file: a write per chunk the
 * socket hands over (16-64 KiB) costs a thread-pool round trip each, and on a busy machine
 * that, not the network, bounds a download (measured in `npm run bench:storage`).
 */
const WRITE_BATCH = 1024 ** 2;
/** Bytes of the file read at a time while a part streams out. */
const READ_CHUNK = 1024 ** 2;

/** A part body that ended early (connection cut): retried like a network error. */
class ShortReadError extends Error {
  constructor(got: number, wanted: number) {
    super(`short read: ${got} of ${wanted} bytes`);
    this.name = 'ShortReadError';
  }
}
/** The object changed while its parts were being read (If-Match failed): the download starts over. */
class ChangedError extends Error {}
/** The bytes did not match the recorded size or SHA-256. */
class MismatchError extends Error {}

// The SDK warns once per process that Node 20 support ends in 2027; mselect's engines field states its Node.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}
const asSdk = (e: unknown): SdkError => (typeof e === 'object' && e !== null ? (e as SdkError) : {});
const statusOf = (e: unknown): number | undefined => asSdk(e).$metadata?.httpStatusCode;
const nameOf = (e: unknown): string => asSdk(e).Code ?? asSdk(e).name ?? '';

const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'ConditionalRequestConflict',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const CREDENTIAL_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'XAdminUserNotFound',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
  'Forbidden',
  'CredentialsProviderError',
]);

/** Whether an S3 call may succeed when repeated: network errors, 5xx, 429, throttling, a conditional-write conflict. */
export function isTransient(e: unknown): boolean {
  const status = statusOf(e);
  const name = nameOf(e);
  if (e instanceof ShortReadError) return true;
  if (status === undefined)
    return (
      NETWORK_CODES.has(asSdk(e).code ?? '') || TRANSIENT_NAMES.has(name) || /socket hang up|ECONNREFUSED|ECONNRESET/.test(e instanceof Error ? e.message : '')
    );
  return status >= 500 || status === 429 || status === 409 || TRANSIENT_NAMES.has(name);
}

export interface S3ObjectStoreOptions {
  readonly retry?: RetryPolicy;
  /** Reuse one client (e.g. for `sub`). */
  readonly client?: S3Client;
  /** Part size and concurrency of `putFile` / `getFile`; @default settings.partSize / settings.concurrency, else DEFAULT_TRANSFER. */
  readonly transfer?: TransferSettings;
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly retry: RetryPolicy;
  readonly transfer: TransferSettings;
  readonly bucket: string;
  readonly prefix: string;

  constructor(
    readonly settings: S3Settings,
    options: S3ObjectStoreOptions = {},
  ) {
    this.bucket = settings.bucket;
    this.prefix = checkPrefix(settings.prefix);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.transfer = options.transfer ?? {
      partSize: settings.partSize ?? DEFAULT_TRANSFER.partSize,
      concurrency: settings.concurrency ?? DEFAULT_TRANSFER.concurrency,
    };
    // Retries are ours (withRetries): a deadline long enough to ride out a server restart; a part
    // of a transfer is retried alone, with a fresh stream of its bytes.
    this.client =
      options.client ??
      new (sdk().S3Client)({
        region: settings.region,
        endpoint: settings.endpoint,
        forcePathStyle: settings.forcePathStyle,
        credentials: settings.credentials,
        maxAttempts: 1,
        // Only what every S3 implementation accepts: no default CRC32 trailers (the content's SHA-256 is ours, see transfer.ts).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      });
  }

  get url(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  /**
   * Fail now, with a StorageConfigError, when the bucket is missing or the credentials are
   * refused. A one-key listing, not a HEAD: its error body names the cause (a HEAD's has none).
   */
  async check(): Promise<void> {
    await this.call('(bucket)', () => this.client.send(new (sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1 })), true);
  }

  async get(key: string): Promise<Buffer> {
    return this.call(key, async () => {
      const res = await this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.full(key) }));
      return Buffer.from(await bodyOf(res).transformToByteArray());
    });
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    return this.call(key, async () => {
      try {
        const res = await this.client.send(
          new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.full(key), Range: `bytes=${offset}-${offset + length - 1}` }),
        );
        return Buffer.from(await bodyOf(res).transformToByteArray());
      } catch (e) {
        // A range that starts at or after the end: the object is shorter.
        if (statusOf(e) === 416 || nameOf(e) === 'InvalidRange') return Buffer.alloc(0);
        throw e;
      }
    });
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    return this.call(key, async () => {
      const res = await this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.full(key) }));
      return bodyOf(res) as unknown as Readable;
    });
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      return await this.call(key, async () => {
        const res = await this.client.send(new (sdk().HeadObjectCommand)({ Bucket: this.bucket, Key: this.full(key) }));
        const sha256 = res.Metadata?.[SHA256_META];
        return { key, size: res.ContentLength ?? 0, etag: res.ETag ?? '', mtimeMs: res.LastModified?.getTime() ?? 0, ...(isSha256(sha256) ? { sha256 } : {}) };
      });
    } catch (e) {
      if (e instanceof ObjectNotFoundError) return null;
      throw e;
    }
  }

  async put(key: string, bytes: Uint8Array | string): Promise<void> {
    const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    await this.call(key, () =>
      this.client.send(new (sdk().PutObjectCommand)({ Bucket: this.bucket, Key: this.full(key), Body: body, ContentLength: body.byteLength })),
    );
  }

  async putIfAbsent(key: string, bytes: Uint8Array | string): Promise<boolean> {
    const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    let retried = false;
    try {
      await this.call(key, (attempt) => {
        retried = attempt > 0;
        return this.client.send(
          new (sdk().PutObjectCommand)({ Bucket: this.bucket, Key: this.full(key), Body: body, ContentLength: body.byteLength, IfNoneMatch: '*' }),
        );
      });
      return true;
    } catch (e) {
      if (statusOf(e) !== 412 && nameOf(e) !== 'PreconditionFailed') throw e;
      // After a retry, the 412 may answer our own earlier attempt whose reply was lost: ours won if the bytes are ours.
      if (retried) return Buffer.compare(await this.get(key).catch(() => Buffer.alloc(0)), Buffer.from(body)) === 0;
      return false;
    }
  }

  upload(key: string): BlobUpload {
    checkKey(key);
    const chunks: Uint8Array[] = [];
    let state: 'open' | 'done' = 'open';
    return {
      key,
      write: (bytes) => {
        if (state !== 'open') throw new Error(`upload of ${this.describe(key)} is finished`);
        chunks.push(Uint8Array.from(bytes));
      },
      finish: async () => {
        state = 'done';
        await this.put(key, Buffer.concat(chunks));
        chunks.length = 0;
      },
      abort: () => {
        state = 'done';
        chunks.length = 0;
        return Promise.resolve();
      },
    };
  }

  async putFile(key: string, file: string, options: PutFileOptions = {}): Promise<StoredFile> {
    checkKey(key);
    const size = (await fs.promises.stat(file)).size;
    if (size > S3_LIMITS.maxObjectSize) throw new StorageConfigError(`${file} is ${size} bytes: S3 stores objects up to 5 TiB (${this.describe(key)})`);
    const sha256 = options.sha256 ?? (await sha256File(file));
    const partSize = partSizeFor(size, this.transfer.partSize);
    const params = { Bucket: this.bucket, Key: this.full(key), Metadata: { [SHA256_META]: sha256 } };
    if (size <= partSize) {
      await this.call(key, () => this.client.send(new (sdk().PutObjectCommand)({ ...params, Body: fs.createReadStream(file), ContentLength: size })));
    } else {
      await this.putParts(key, file, size, partSize, sha256);
    }
    return { size, sha256 };
  }

  /**
   * A multipart upload of `file` whose parts stream from the file as they are sent, `concurrency`
   * in flight: no part is held in memory, and a streamed body goes as `UNSIGNED-PAYLOAD`, so
   * neither the SDK's signer nor the server hashes every byte once more (the content's SHA-256 is
   * recorded in the metadata and checked by every `getFile`). A part that fails is sent again
   * alone, from a fresh stream, until the retry deadline; a failed upload is aborted so no parts
   * are left billed.
   */
  private async putParts(key: string, file: string, size: number, partSize: number, sha256: string): Promise<void> {
    const target = { Bucket: this.bucket, Key: this.full(key) };
    const created = await this.call(key, () => this.client.send(new (sdk().CreateMultipartUploadCommand)({ ...target, Metadata: { [SHA256_META]: sha256 } })));
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error(`S3 returned no upload id for ${this.describe(key)}`);
    const count = Math.ceil(size / partSize);
    const etags: string[] = [];
    const abort = this.transferAbort();
    const failures: unknown[] = [];
    let next = 0;
    const sendParts = async (): Promise<void> => {
      while (!abort.signal.aborted && next < count) {
        const i = next++;
        const offset = i * partSize;
        const length = Math.min(partSize, size - offset);
        const res = await this.call(key, async () => {
          const body = fs.createReadStream(file, { start: offset, end: offset + length - 1, highWaterMark: READ_CHUNK });
          try {
            return await this.client.send(
              new (sdk().UploadPartCommand)({ ...target, UploadId: uploadId, PartNumber: i + 1, Body: body, ContentLength: length }),
              { abortSignal: abort.signal },
            );
          } finally {
            body.destroy();
          }
        });
        if (!res.ETag) throw new Error(`S3 returned no ETag for part ${i + 1} of ${this.describe(key)}`);
        etags[i] = res.ETag;
      }
    };
    const senders = Array.from({ length: Math.min(this.transfer.concurrency, count) }, () =>
      sendParts().catch((e: unknown) => {
        // The first failure is the one reported; the parts it stops fail with an AbortError.
        failures.push(e);
        abort.abort();
      }),
    );
    await Promise.all(senders);
    try {
      if (failures.length > 0) throw failures[0];
      await this.complete(key, uploadId, etags, size, sha256);
    } catch (e) {
      await this.abortUpload(key, uploadId);
      throw e;
    }
  }

  /**
   * Abort a multipart upload so that no parts stay billed: each request retried like any other,
   * and, as S3 documents, aborted again while a part that was in flight when it was aborted still
   * shows the upload (up to 3 times). Best effort: never throws.
   */
  private async abortUpload(key: string, uploadId: string): Promise<void> {
    const target = { Bucket: this.bucket, Key: this.full(key), UploadId: uploadId };
    for (let round = 0; round < 3; round += 1) {
      try {
        await this.call(key, () => this.client.send(new (sdk().AbortMultipartUploadCommand)(target)));
        await this.call(key, () => this.client.send(new (sdk().ListPartsCommand)(target)));
      } catch {
        return; // NoSuchUpload: gone (or the store stayed unreachable through the deadline)
      }
    }
  }

  /** Complete a multipart upload; a retry whose first reply was lost finds the upload gone and the object in place: ours if its size and SHA-256 are. */
  private async complete(key: string, uploadId: string, etags: readonly string[], size: number, sha256: string): Promise<void> {
    try {
      await this.call(key, () =>
        this.client.send(
          new (sdk().CompleteMultipartUploadCommand)({
            Bucket: this.bucket,
            Key: this.full(key),
            UploadId: uploadId,
            MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          }),
        ),
      );
    } catch (e) {
      if (!(e instanceof ObjectNotFoundError)) throw e;
      const info = await this.head(key);
      if (info?.size !== size || info.sha256 !== sha256) throw e;
    }
  }

  async getFile(key: string, file: string): Promise<ObjectInfo & { readonly sha256: string }> {
    const dir = path.dirname(path.resolve(file));
    await fs.promises.mkdir(dir, { recursive: true });
    let mismatch: MismatchError | null = null;
    // A mismatch is fetched once more (a flipped bit in flight, a torn cache); an object replaced mid-read starts over.
    for (let tries = 0; tries < 2;) {
      const info = await this.head(key);
      if (!info) throw new ObjectNotFoundError(key, this.describe(key));
      const tmp = tempPath(dir, '.download.tmp');
      try {
        const sha256 = await this.download(info, tmp);
        await fs.promises.rename(tmp, file);
        return { ...info, sha256 };
      } catch (e) {
        if (e instanceof ChangedError) continue;
        if (!(e instanceof MismatchError)) throw e;
        mismatch = e;
        tries += 1;
      } finally {
        await fs.promises.rm(tmp, { force: true });
      }
    }
    throw new ObjectCorruptError(key, this.describe(key), `${mismatch?.message ?? 'mismatch'} (fetched twice)`);
  }

  /**
   * Read the object `info` into `tmp` in ranged parts, `concurrency` in flight, each streamed to
   * its offset as it arrives and, when it fails, resumed alone from the byte where it stopped.
   * The SHA-256 is computed in order in the same pass: the first unhashed part is hashed as it
   * arrives; the chunks of parts ahead of it wait in memory until their turn (at most
   * concurrency × partSize bytes, as parts start only within `concurrency` of the first
   * unhashed one). Returns the SHA-256.
   */
  private async download(info: ObjectInfo, tmp: string): Promise<string> {
    const { size } = info;
    const partSize = partSizeFor(size, this.transfer.partSize);
    const parts = Math.ceil(size / partSize);
    const hash = createHash('sha256');
    const handle = await fs.promises.open(tmp, 'w');
    const abort = this.transferAbort();
    const running = new Set<Promise<void>>();
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let head = 0;
        const waiting = new Map<number, { chunks: Buffer[]; done: boolean }>();
        const drain = (): void => {
          for (let w = waiting.get(head); w !== undefined; w = waiting.get(head)) {
            for (const c of w.chunks) hash.update(c);
            w.chunks = [];
            if (!w.done) return;
            waiting.delete(head++);
          }
          if (head === parts) resolve();
        };
        const fail = (e: unknown): void => {
          abort.abort();
          reject(e);
        };
        const pump = (): void => {
          while (!abort.signal.aborted && next < parts && next - head < this.transfer.concurrency) {
            const i = next++;
            const offset = i * partSize;
            const state = { chunks: [] as Buffer[], done: false };
            waiting.set(i, state);
            const p = this.part(info, offset, Math.min(partSize, size - offset), handle, abort.signal, (c) => {
              state.chunks.push(c);
              if (i === head) drain();
            })
              .then(() => {
                state.done = true;
                if (i === head) drain();
                pump();
              })
              .catch(fail)
              .finally(() => running.delete(p));
            running.add(p);
          }
        };
        if (parts === 0) resolve();
        else pump();
      });
    } finally {
      abort.abort();
      await Promise.allSettled([...running]);
      await handle.close();
    }
    const written = (await fs.promises.stat(tmp)).size;
    if (written !== size) throw new MismatchError(`wrote ${written} bytes, the object has ${size}`);
    const sha256 = hash.digest('hex');
    if (info.sha256 !== undefined && sha256 !== info.sha256)
      throw new MismatchError(`its bytes hash to sha256 ${sha256}, but ${info.sha256} was recorded when it was written`);
    return sha256;
  }

  /**
   * The `length` bytes at `offset`, by ranged GETs conditional on the ETag, written to `handle`
   * at their position and handed to `onChunk` in order; a GET that fails or ends early is
   * retried (with backoff, until the retry deadline) from the first byte not yet received.
   */
  private async part(
    info: ObjectInfo,
    offset: number,
    length: number,
    handle: fs.promises.FileHandle,
    signal: AbortSignal,
    onChunk: (c: Buffer) => void,
  ): Promise<void> {
    let got = 0;
    await this.call(info.key, async () => {
      let res: GetObjectCommandOutput;
      try {
        res = await this.client.send(
          new (sdk().GetObjectCommand)({
            Bucket: this.bucket,
            Key: this.full(info.key),
            Range: `bytes=${offset + got}-${offset + length - 1}`,
            IfMatch: info.etag || undefined,
          }),
          { abortSignal: signal },
        );
      } catch (e) {
        if (statusOf(e) === 412 || nameOf(e) === 'PreconditionFailed') throw new ChangedError(`${this.describe(info.key)} changed while it was read`);
        if (statusOf(e) === 416 || nameOf(e) === 'InvalidRange')
          throw new MismatchError(`it is shorter than the ${info.size} bytes it had when the download started`);
        throw e;
      }
      // Chunks are written WRITE_BATCH bytes at a time; what was not yet written when the
      // connection breaks is fetched again (the retry starts at the first byte not written).
      let batch: Buffer[] = [];
      let batched = 0;
      const flush = async (): Promise<void> => {
        if (batched === 0) return;
        const [chunks, bytes] = [batch, batched];
        [batch, batched] = [[], 0];
        const { bytesWritten } = await handle.writev(chunks, offset + got);
        if (bytesWritten !== bytes) throw new Error(`wrote ${bytesWritten} of ${bytes} bytes to ${handle.fd}`);
        got += bytes;
        for (const c of chunks) onChunk(c);
      };
      for await (const chunk of bodyOf(res) as unknown as Readable) {
        const c = chunk as Buffer;
        if (got + batched + c.length > length) throw new MismatchError(`a part of ${length} bytes at ${offset} returned more`);
        batch.push(c);
        batched += c.length;
        if (batched >= WRITE_BATCH) await flush();
      }
      await flush();
      if (got !== length) throw new ShortReadError(got, length);
    });
  }

  async list(prefix = ''): Promise<ObjectInfo[]> {
    checkListPrefix(prefix);
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const res = await this.call(
        prefix || '(root)',
        () => this.client.send(new (sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token })),
        true,
      );
      for (const o of res.Contents ?? []) {
        if (o.Key === undefined || o.Key.endsWith('/')) continue;
        out.push({ key: o.Key.slice(this.prefix.length), size: o.Size ?? 0, etag: o.ETag ?? '', mtimeMs: o.LastModified?.getTime() ?? 0 });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    try {
      await this.call(key, () => this.client.send(new (sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: this.full(key) })));
    } catch (e) {
      if (!(e instanceof ObjectNotFoundError)) throw e;
    }
  }

  sweepTemporaries(_cutoffMs: number): Promise<string[]> {
    return Promise.resolve([]);
  }

  sub(prefix: string): S3ObjectStore {
    return new S3ObjectStore(
      { ...this.settings, prefix: this.prefix + checkPrefix(prefix) },
      { retry: this.retry, client: this.client, transfer: this.transfer },
    );
  }

  private full(key: string): string {
    return this.prefix + checkKey(key);
  }

  /**
   * The abort signal of one transfer, which each of its requests listens to. The SDK drops a
   * request's listener when the request closes, which can come after the next part has
   * started: up to about twice `concurrency` listeners at once, more than Node's warning level.
   */
  private transferAbort(): AbortController {
    const abort = new AbortController();
    setMaxListeners(2 * this.transfer.concurrency + 10, abort.signal);
    return abort;
  }

  /** Run one S3 call with retries; map its errors to the storage layer's. `bucketCall`: a 404 means the bucket. */
  private async call<T>(key: string, op: (attempt: number) => Promise<T>, bucketCall = false): Promise<T> {
    const where = key === '(bucket)' || key === '(root)' ? this.url : this.describe(key);
    try {
      return await withRetries(
        this.retry,
        op,
        isTransient,
        (e, attempts) => new StorageUnavailableError(`${where} (endpoint ${this.endpoint()})`, attempts, e),
      );
    } catch (e) {
      throw this.mapError(e, key, where, bucketCall);
    }
  }

  private endpoint(): string {
    return this.settings.endpoint ?? `AWS S3 in ${this.settings.region}`;
  }

  private mapError(e: unknown, key: string, where: string, bucketCall: boolean): unknown {
    if (e instanceof StorageUnavailableError) return e;
    const status = statusOf(e);
    const name = nameOf(e);
    if (status === 403 || CREDENTIAL_NAMES.has(name)) {
      return new StorageConfigError(
        `S3 at ${this.endpoint()} refused the credentials for bucket "${this.bucket}" (${name || `HTTP ${status}`}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      );
    }
    if (name === 'NoSuchBucket' || (bucketCall && status === 404)) {
      return new StorageConfigError(
        `bucket "${this.bucket}" does not exist at ${this.endpoint()} (MSELECT_STORAGE=${this.url}): create it, or fix MSELECT_STORAGE`,
      );
    }
    if (status === 404 || name === 'NoSuchKey' || name === 'NotFound') return new ObjectNotFoundError(key, where);
    if (status === 412) return e;
    if (status === 301 || name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed') {
      return new StorageConfigError(`bucket "${this.bucket}" is not in region ${this.settings.region} (${name}): set AWS_REGION to the bucket's region`);
    }
    return e;
  }
}

function bodyOf(res: GetObjectCommandOutput): NonNullable<GetObjectCommandOutput['Body']> {
  if (!res.Body) throw new Error('S3 returned no body');
  return res.Body;
}

/**
 * The S3 backend (AWS S3, MinIO, Ceph, versitygw, GCS's XML API) through @aws-sdk/client-s3.
 * `put` is a PutObject (atomic replace on every S3 implementation); `putIfAbsent` is a
 * PutObject with `If-None-Match: *`, which the server refuses with 412 when the key exists,
 * so of several writers on different machines exactly one creates it. Transient failures
 * (connection refused or reset, 5xx, throttling) are retried with backoff until a deadline;
 * refused credentials and a missing bucket are StorageConfigErrors naming the bucket.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as S3 from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../contracts/schemas/storage';
import { ObjectNotFoundError, StorageConfigError, StorageUnavailableError } from './errors';
import { tempPath } from './fs-durable';
import { checkKey, checkListPrefix, checkPrefix } from './keys';
import type { BlobUpload, ObjectInfo, ObjectStore } from './object-store';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';

let loaded: typeof S3 | null = null;
/** The AWS SDK, loaded on first use: a process that never talks to S3 does not pay its start-up (about 0.3 s, 20 MB). */
function sdk(): typeof S3 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('@aws-sdk/client-s3') as typeof S3;
  return loaded;
}

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

const TRANSIENT_NAMES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeoutException', 'InternalError', 'ServiceUnavailable', 'TimeoutError', 'ConditionalRequestConflict']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const CREDENTIAL_NAMES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'XAdminUserNotFound', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'Forbidden', 'CredentialsProviderError']);

/** Whether an S3 call may succeed when repeated: network errors, 5xx, 429, throttling, a conditional-write conflict. */
export function isTransient(e: unknown): boolean {
  const status = statusOf(e);
  const name = nameOf(e);
  if (status === undefined) return NETWORK_CODES.has(asSdk(e).code ?? '') || TRANSIENT_NAMES.has(name) || /socket hang up|ECONNREFUSED|ECONNRESET/.test(e instanceof Error ? e.message : '');
  return status >= 500 || status === 429 || status === 409 || TRANSIENT_NAMES.has(name);
}

export interface S3ObjectStoreOptions {
  readonly retry?: RetryPolicy;
  /** Reuse one client (e.g. for `sub`). */
  readonly client?: S3Client;
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly retry: RetryPolicy;
  readonly bucket: string;
  readonly prefix: string;

  constructor(
    readonly settings: S3Settings,
    options: S3ObjectStoreOptions = {},
  ) {
    this.bucket = settings.bucket;
    this.prefix = checkPrefix(settings.prefix);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.client = options.client ?? new (sdk().S3Client)({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Retries are ours (withRetries): a deadline long enough to ride out a server restart.
      maxAttempts: 1,
      // Only what every S3 implementation accepts: no default CRC32 trailers.
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
        const res = await this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.full(key), Range: `bytes=${offset}-${offset + length - 1}` }));
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
        return { key, size: res.ContentLength ?? 0, etag: res.ETag ?? '', mtimeMs: res.LastModified?.getTime() ?? 0 };
      });
    } catch (e) {
      if (e instanceof ObjectNotFoundError) return null;
      throw e;
    }
  }

  async put(key: string, bytes: Uint8Array | string): Promise<void> {
    const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    await this.call(key, () => this.client.send(new (sdk().PutObjectCommand)({ Bucket: this.bucket, Key: this.full(key), Body: body, ContentLength: body.byteLength })));
  }

  async putIfAbsent(key: string, bytes: Uint8Array | string): Promise<boolean> {
    const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    let retried = false;
    try {
      await this.call(key, (attempt) => {
        retried = attempt > 0;
        return this.client.send(new (sdk().PutObjectCommand)({ Bucket: this.bucket, Key: this.full(key), Body: body, ContentLength: body.byteLength, IfNoneMatch: '*' }));
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

  async putFile(key: string, file: string): Promise<void> {
    const size = (await fs.promises.stat(file)).size;
    await this.call(key, () => this.client.send(new (sdk().PutObjectCommand)({ Bucket: this.bucket, Key: this.full(key), Body: fs.createReadStream(file), ContentLength: size })));
  }

  async getFile(key: string, file: string): Promise<ObjectInfo> {
    const dir = path.dirname(path.resolve(file));
    await fs.promises.mkdir(dir, { recursive: true });
    return this.call(key, async () => {
      const tmp = tempPath(dir, '.download.tmp');
      try {
        const res = await this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.full(key) }));
        await pipeline(bodyOf(res) as unknown as Readable, fs.createWriteStream(tmp));
        await fs.promises.rename(tmp, file);
        return { key, size: res.ContentLength ?? 0, etag: res.ETag ?? '', mtimeMs: res.LastModified?.getTime() ?? 0 };
      } finally {
        await fs.promises.rm(tmp, { force: true });
      }
    });
  }

  async list(prefix = ''): Promise<ObjectInfo[]> {
    checkListPrefix(prefix);
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const res = await this.call(prefix || '(root)', () => this.client.send(new (sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token })), true);
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
    return new S3ObjectStore({ ...this.settings, prefix: this.prefix + checkPrefix(prefix) }, { retry: this.retry, client: this.client });
  }

  private full(key: string): string {
    return this.prefix + checkKey(key);
  }

  /** Run one S3 call with retries; map its errors to the storage layer's. `bucketCall`: a 404 means the bucket. */
  private async call<T>(key: string, op: (attempt: number) => Promise<T>, bucketCall = false): Promise<T> {
    const where = key === '(bucket)' || key === '(root)' ? this.url : this.describe(key);
    try {
      return await withRetries(this.retry, op, isTransient, (e, attempts) => new StorageUnavailableError(`${where} (endpoint ${this.endpoint()})`, attempts, e));
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
      return new StorageConfigError(`S3 at ${this.endpoint()} refused the credentials for bucket "${this.bucket}" (${name || `HTTP ${status}`}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
    }
    if (name === 'NoSuchBucket' || (bucketCall && status === 404)) {
      return new StorageConfigError(`bucket "${this.bucket}" does not exist at ${this.endpoint()} (MSELECT_STORAGE=${this.url}): create it, or fix MSELECT_STORAGE`);
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

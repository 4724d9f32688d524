/**
 * The one place the storage settings are read: `MSELECT_STORAGE` (`s3://bucket/prefix`,
 * `file:///abs/path` or a plain path; default the project's `data/` folder) plus the standard
 * AWS variables for S3 (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, `AWS_REGION`,
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) and the transfer settings
 * `MSELECT_S3_PART_SIZE`, `MSELECT_S3_CONCURRENCY` (storage/transfer.ts). A bad value is a
 * StorageConfigError naming the variable.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIssues } from '../contracts/parse';
import { S3UrlSchema, StorageEnvSchema, StorageSettingsSchema, type StorageSettings } from '../contracts/schemas/storage';
import { StorageConfigError } from './errors';
import { FsObjectStore } from './fs-store';
import type { ObjectStore } from './object-store';
import type { RetryPolicy } from './retry';
import { S3ObjectStore } from './s3-store';

/** The embedded default: the project's `data/` folder. */
export const DEFAULT_STORAGE_ROOT = path.join(__dirname, '..', 'data');

/** Read the storage settings from the environment. Throws StorageConfigError naming the bad variable. */
export function readStorageSettings(env: NodeJS.ProcessEnv = process.env, defaultRoot = DEFAULT_STORAGE_ROOT): StorageSettings {
  const parsed = StorageEnvSchema.safeParse(env);
  if (!parsed.success) throw new StorageConfigError(`invalid storage settings: ${formatIssues(parsed.error.issues)}`);
  const e = parsed.data;
  const url = e.MSELECT_STORAGE;
  if (url === undefined) return { kind: 'file', root: path.resolve(defaultRoot) };
  if (url.startsWith('file:')) {
    let root: string;
    try {
      root = fileURLToPath(url);
    } catch (err) {
      throw new StorageConfigError(
        `MSELECT_STORAGE=${url} is not a valid file URL (${err instanceof Error ? err.message : String(err)}): use file:///absolute/path or a plain path`,
      );
    }
    return { kind: 'file', root };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('s3://')) {
    throw new StorageConfigError(`MSELECT_STORAGE=${url} has an unsupported scheme: use s3://bucket/prefix, file:///absolute/path or a plain path`);
  }
  if (!url.startsWith('s3:')) return { kind: 'file', root: path.resolve(url) };
  const s3 = S3UrlSchema.safeParse(url);
  if (!s3.success) throw new StorageConfigError(`MSELECT_STORAGE=${url} is not a valid S3 URL: ${formatIssues(s3.error.issues)}`);
  const endpoint = e.AWS_ENDPOINT_URL_S3 ?? e.AWS_ENDPOINT_URL;
  const awsHost = endpoint === undefined || /\.amazonaws\.com(\.cn)?(:\d+)?(\/|$)/.test(new URL(endpoint).host + '/');
  const keys = e.AWS_ACCESS_KEY_ID !== undefined || e.AWS_SECRET_ACCESS_KEY !== undefined;
  if (keys && (e.AWS_ACCESS_KEY_ID === undefined || e.AWS_SECRET_ACCESS_KEY === undefined)) {
    throw new StorageConfigError(
      `${e.AWS_ACCESS_KEY_ID === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} is missing: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither`,
    );
  }
  const settings = {
    kind: 's3' as const,
    ...s3.data,
    endpoint,
    region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? 'us-east-1',
    forcePathStyle: e.MSELECT_S3_PATH_STYLE === undefined ? !awsHost : e.MSELECT_S3_PATH_STYLE === 'true',
    credentials: keys
      ? { accessKeyId: e.AWS_ACCESS_KEY_ID as string, secretAccessKey: e.AWS_SECRET_ACCESS_KEY as string, sessionToken: e.AWS_SESSION_TOKEN }
      : undefined,
    ...(e.MSELECT_S3_PART_SIZE !== undefined ? { partSize: e.MSELECT_S3_PART_SIZE } : {}),
    ...(e.MSELECT_S3_CONCURRENCY !== undefined ? { concurrency: e.MSELECT_S3_CONCURRENCY } : {}),
  };
  return StorageSettingsSchema.parse(settings);
}

export interface OpenStorageOptions {
  /** S3 only: how long transient failures are retried. */
  readonly retry?: RetryPolicy;
}

/** The ObjectStore at the root the settings name; `.sub('store/')` etc. for each area. */
export function openStorage(settings: StorageSettings = readStorageSettings(), options: OpenStorageOptions = {}): ObjectStore {
  return settings.kind === 'file' ? new FsObjectStore(settings.root) : new S3ObjectStore(settings, { retry: options.retry });
}

/** Fail fast on a missing bucket or refused credentials (S3); a filesystem root needs no check. */
export async function checkStorage(store: ObjectStore): Promise<void> {
  if (store instanceof S3ObjectStore) await store.check();
}

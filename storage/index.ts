/**
 * The storage layer: one ObjectStore interface, a filesystem and an S3 backend, settings read
 * in one place. See docs/storage.md.
 */
export type { ObjectStore, ObjectInfo, BlobUpload, PutFileOptions, StoredFile } from './object-store';
export { ObjectCorruptError, ObjectNotFoundError, StorageUnavailableError, StorageConfigError, InvalidKeyError } from './errors';
export { FsObjectStore, type FsObjectStoreOptions } from './fs-store';
export { S3ObjectStore, isTransient, type S3ObjectStoreOptions } from './s3-store';
export { readStorageSettings, openStorage, checkStorage, DEFAULT_STORAGE_ROOT, type OpenStorageOptions } from './settings';
export { checkKey, checkPrefix } from './keys';
export { DEFAULT_RETRY, type RetryPolicy } from './retry';
export { DEFAULT_TRANSFER, S3_LIMITS, partSizeFor, sha256File, isSha256, type TransferSettings } from './transfer';

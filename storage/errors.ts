/**
 * Errors of the storage layer. Three kinds, because callers must tell them apart:
 * a missing object (a normal answer), an unavailable backend (retryable: Temporal retries the
 * activity), and a misconfiguration (non-retryable: no retry fixes a wrong bucket or password).
 */
import { ErrorType } from '../contracts/errors';

/** Thrown when a key names no object. */
export class ObjectNotFoundError extends Error {
  constructor(
    readonly key: string,
    readonly where: string,
  ) {
    super(`${where} does not exist`);
    this.name = 'ObjectNotFoundError';
  }
}

/**
 * Thrown when the backend stayed unreachable (connection refused, 5xx, throttling) through
 * every retry. Retryable: an activity that throws it is retried by Temporal.
 */
export class StorageUnavailableError extends Error {
  constructor(
    readonly where: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`${where} is unavailable after ${attempts} attempts: ${cause instanceof Error ? cause.message || cause.name : String(cause)}`);
    this.name = 'StorageUnavailableError';
  }
}

/**
 * Thrown for what no retry fixes: a malformed MSELECT_STORAGE, a missing bucket, refused
 * credentials, an invalid key. The message names the setting or bucket; `type` is the failure
 * type it becomes at the activity boundary (non-retryable).
 */
export class StorageConfigError extends Error {
  readonly type: ErrorType = ErrorType.StorageMisconfigured;

  constructor(message: string) {
    super(message);
    this.name = 'StorageConfigError';
  }
}

/** Thrown for a key that is absolute, empty, or climbs out of its store (`..`). */
export class InvalidKeyError extends StorageConfigError {
  override readonly type: ErrorType = ErrorType.InvalidInput;

  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidKeyError';
  }
}

/**
 * Thrown when an object's bytes do not match the SHA-256 recorded when it was written (a
 * corrupt or truncated object), after it was fetched again. Non-retryable `StoreCorrupt`:
 * fetching it a third time would give the same bytes. Shares StorageConfigError's mapping at
 * the activity boundary (a non-retryable failure of its `type`).
 */
export class ObjectCorruptError extends StorageConfigError {
  override readonly type: ErrorType = ErrorType.StoreCorrupt;

  constructor(
    readonly key: string,
    readonly where: string,
    reason: string,
  ) {
    super(`${where} is corrupt: ${reason}`);
    this.name = 'ObjectCorruptError';
  }
}

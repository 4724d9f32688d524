/**
 * Errors the matrix store throws. Each carries the `ErrorType` it becomes at the activity
 * boundary (`toFailure`), because workflows branch on `failure.type`, never on classes.
 */
import { ErrorType, nonRetryable } from '../contracts/errors';
import type { StoreTable } from '../contracts/schemas/store';
import { StorageConfigError } from '../storage/errors';

/** Base class: a store failure that no retry can fix. */
export class StoreError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Thrown when a fragment or manifest file is missing, truncated, fails its sha256 or does not
 * decode. Names the file and what it held, so an operator knows what was lost.
 */
export class StoreCorruptError extends StoreError {
  constructor(
    readonly path: string,
    readonly table: StoreTable | 'manifest',
    readonly rows: number,
    readonly reason: string,
  ) {
    super(ErrorType.StoreCorrupt, `${path} (${table}, ${rows} rows) is corrupt: ${reason}`);
  }
}

/** Thrown when a store directory, manifest or fragment was written with another schema version. */
export class SchemaVersionError extends StoreError {
  constructor(
    readonly path: string,
    readonly found: number,
    readonly expected: number,
  ) {
    super(ErrorType.SchemaVersionMismatch, `${path} has schema version ${found}, but this code reads versions 1 to ${expected}`);
  }
}

/** Thrown when a version was never published or has been pruned. */
export class VersionNotFoundError extends StoreError {
  constructor(
    readonly version: number,
    readonly head: number,
  ) {
    super(ErrorType.InvalidInput, `version ${version} does not exist (head is ${head}; pruned versions cannot be read)`);
  }
}

/** Thrown for malformed rows or options, an empty commit, or a writer used after commit or abort. */
export class InvalidStoreInputError extends StoreError {
  constructor(message: string) {
    super(ErrorType.InvalidInput, message);
  }
}

/**
 * Thrown when other committers took every version number this commit tried. Not a
 * StoreError: contention passes, so the activity boundary lets it retry.
 */
export class CommitContentionError extends Error {
  constructor(readonly attempts: number) {
    super(`gave up publishing a version after ${attempts} attempts: other committers took every number tried`);
    this.name = 'CommitContentionError';
  }
}

/**
 * The failure an activity throws for a store error: non-retryable with the error's type (a
 * misconfigured storage included); other errors (StorageUnavailable, contention) pass through and are retried.
 */
export function toFailure(error: unknown): unknown {
  return error instanceof StoreError || error instanceof StorageConfigError ? nonRetryable(error.type, error.message) : error;
}

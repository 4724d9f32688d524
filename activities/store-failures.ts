import { nonRetryable } from '../contracts/errors';
import { toFailure } from '../matrix-store';
import { StorageConfigError } from '../storage';

type AsyncFn = (...args: never[]) => Promise<unknown>;

/**
 * The same activities, each rethrowing a store error (StoreCorruptError, SchemaVersionError,
 * VersionNotFoundError, InvalidStoreInputError) as the typed non-retryable failure
 * `toFailure` makes of it, and a storage misconfiguration (StorageConfigError: a missing
 * bucket, refused credentials) as a non-retryable StorageMisconfigured naming the bucket or
 * setting; every other error (StorageUnavailableError among them) passes unchanged and is
 * retried. The one place this mapping
 * happens for every activity, so no store error is retried as a plain Error.
 */
export function withStoreFailures<T extends Record<string, AsyncFn>>(activities: T): T {
  const wrapped: Record<string, AsyncFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const call = (...args: never[]) =>
      fn(...args).catch((e: unknown) => {
        throw asFailure(e);
      });
    Object.defineProperty(call, 'name', { value: name });
    wrapped[name] = call;
  }
  return wrapped as T;
}

function asFailure(e: unknown): unknown {
  return e instanceof StorageConfigError ? nonRetryable(e.type, e.message) : toFailure(e);
}

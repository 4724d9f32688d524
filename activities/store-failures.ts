import { toFailure } from '../matrix-store';

type AsyncFn = (...args: never[]) => Promise<unknown>;

/**
 * The same activities, each rethrowing a store error (StoreCorruptError, SchemaVersionError,
 * VersionNotFoundError, InvalidStoreInputError) as the typed non-retryable failure
 * `toFailure` makes of it; every other error passes unchanged. The one place this mapping
 * happens for every activity, so no store error is retried as a plain Error.
 */
export function withStoreFailures<T extends Record<string, AsyncFn>>(activities: T): T {
  const wrapped: Record<string, AsyncFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const call = (...args: never[]) => fn(...args).catch((e: unknown) => { throw toFailure(e); });
    Object.defineProperty(call, 'name', { value: name });
    wrapped[name] = call;
  }
  return wrapped as T;
}

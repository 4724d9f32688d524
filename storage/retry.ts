/** Retries with exponential backoff and jitter, for transient backend failures. */

export interface RetryPolicy {
  /** Give up when this much time has passed since the first attempt (ms). */
  readonly deadlineMs: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Enough to ride out a restart of the S3 server (tens of seconds), short enough for an activity's heartbeat. */
export const DEFAULT_RETRY: RetryPolicy = { deadlineMs: 60_000, initialDelayMs: 100, maxDelayMs: 2_000 };

/** The delay before retry `attempt` (1-based): exponential, capped, with full jitter in its upper half. */
export function backoff(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return cap / 2 + (cap / 2) * random();
}

/**
 * Run `op` until it succeeds, `retryable` says no, or the deadline passes; `onGiveUp` turns the
 * last transient error and the attempt count into the error thrown. `op` gets the attempt number (0-based).
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  op: (attempt: number) => Promise<T>,
  retryable: (e: unknown) => boolean,
  onGiveUp: (e: unknown, attempts: number) => Error,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (e) {
      if (!retryable(e)) throw e;
      const delay = backoff(policy, attempt + 1);
      if (Date.now() + delay - started > policy.deadlineMs) throw onGiveUp(e, attempt + 1);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

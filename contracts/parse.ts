import type { z } from 'zod';
import { ErrorType, nonRetryable } from './errors';
import { formatIssues } from './issues';

export { formatIssues };

/**
 * Validate `value` against `schema`. A failure becomes a non-retryable `InvalidInput`
 * ApplicationFailure naming every bad field, so a workflow fails at once instead of
 * retrying its task forever. Safe inside the workflow sandbox.
 */
export function parseOrFail<S extends z.ZodTypeAny>(schema: S, value: unknown, what = 'input'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw nonRetryable(ErrorType.InvalidInput, `Invalid ${what}: ${formatIssues(r.error.issues)}`, r.error.issues);
}

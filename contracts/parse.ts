import type { z } from 'zod';
import { ErrorType, nonRetryable } from './errors';

/** One line per zod issue: `path.to.field: message`. */
export function formatIssues(issues: readonly z.ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

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

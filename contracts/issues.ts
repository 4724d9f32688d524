import type { z } from 'zod';

/**
 * zod issues as one line, `path.to.field: message; ...`. `root` names an issue about the
 * whole value. Pure (no Temporal), so algorithms may use it too.
 */
export function formatIssues(issues: readonly z.ZodIssue[], root = '(root)'): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : root}: ${i.message}`).join('; ');
}

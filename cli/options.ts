import type { z } from 'zod';

/** Thrown for a bad flag: the message names the flag and the rule. */
export class UsageError extends Error {}

/**
 * Validate CLI input against a schema and report problems by flag name
 * (`budgetEpochs` → `--budget-epochs`).
 */
export function parseFlags<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const flag = (path: (string | number)[]): string =>
    path.length ? `--${String(path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${path.length > 1 ? `[${path.slice(1).join('.')}]` : ''}` : 'input';
  throw new UsageError(r.error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join('; '));
}

export const int = (v: string): number => (/^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN);
export const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Parse a JSON flag, naming the flag on error. */
export function json(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag}: not valid JSON (${(e as Error).message})`);
  }
}

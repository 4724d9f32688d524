/**
 * The settings hash that, with model and dataset, identifies a cell: equal settings give equal
 * hashes whatever the key order, so re-running a fine-tune finds the cell it already wrote.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The first 16 hex digits of the sha256 of the canonical JSON of `settings` (learning rate,
 * epochs, batch size, seed if runs with different seeds must count as different cells, ...).
 * Pure and deterministic.
 */
export function settingsHash(settings: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(canonical(settings)).digest('hex').slice(0, 16);
}

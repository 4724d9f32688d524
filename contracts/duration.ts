import type { DurationInput } from './schemas/common';

const UNIT_MS = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 } as const;

/** Milliseconds of a validated duration (`DurationSchema`): a number is already milliseconds. */
export function durationMs(d: DurationInput): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new RangeError(`"${d}" is not a duration like "30s"`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

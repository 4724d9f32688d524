/**
 * Small numeric helpers shared by the selection algorithms. NaN marks a missing value
 * everywhere: helpers skip it rather than propagate it, and say so.
 */

/** Mean of the finite values; NaN when there are none. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      n += 1;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Median of the finite values (mean of the two middle ones for an even count); NaN when none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? Number.NaN) + hi) / 2;
}

/** Population variance of the finite values; NaN when none. */
export function variance(values: readonly number[]): number {
  const m = mean(values);
  return mean(values.map((v) => (v - m) * (v - m)));
}

/** z-scores (population sd) of the finite values; 0 for the others, and for all when fewer than two are finite or they do not vary. */
export function zOfFinite(values: readonly number[]): number[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return values.map(() => 0);
  const mu = mean(finite);
  const sd = Math.sqrt(variance(finite));
  return values.map((v) => (Number.isFinite(v) && sd > 0 ? (v - mu) / sd : 0));
}

/**
 * Cosine similarity over the positions where both vectors are finite; NaN when there
 * are none or one side is all zeros there.
 */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const x = a[i] ?? Number.NaN;
    const y = b[i] ?? Number.NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? Number.NaN : dot / Math.sqrt(na * nb);
}

/**
 * Indices of `scores` ordered best first. Ties keep index order; NaN ranks after every number.
 */
export function rankDescending(scores: readonly number[]): number[] {
  const key = (i: number): number => {
    const s = scores[i] ?? Number.NaN;
    return Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s;
  };
  return scores
    .map((_, i) => i)
    .sort((a, b) => {
      const d = key(b) - key(a);
      if (d !== 0 && !Number.isNaN(d)) return d;
      const nanA = Number.isNaN(scores[a] ?? Number.NaN) ? 1 : 0;
      const nanB = Number.isNaN(scores[b] ?? Number.NaN) ? 1 : 0;
      return nanA - nanB || a - b;
    });
}

/** Round to `digits` decimals, half away from zero as the recorded data was rounded. */
export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return (Math.sign(value) * Math.round(Math.abs(value) * f)) / f;
}

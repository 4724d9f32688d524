/**
 * NCE, negative conditional entropy (Tran, Nguyen and Hassner, "Transferability and
 * Hardness of Supervised Classification Tasks", ICCV 2019):
 *
 *   NCE(Y | Z) = −H(Y | Z) = Σ_{z,y} P̂(z, y) · log P̂(y | z),   P̂(y | z) = P̂(z, y) / P̂(z),
 *
 * where Y is the target label of each of the n target samples, Z the source model's
 * predicted (argmax) source label on the same sample, and P̂ the empirical joint
 * distribution (counts / n). Natural logarithm, so the value is in nats, in
 * [−log |Y|, 0]; 0 means Z determines Y. Only observed (z, y) cells enter the sum
 * (0 · log 0 = 0); the authors' benchmark code adds 1e-5 to every cell instead, which
 * moves the value slightly, so values are close to, not equal to, that code's.
 *
 * Also home of the label checks shared by the other proxies (`readLabels`).
 */

/** Class labels: non-negative integers, one per sample. */
export type Labels = Int32Array | readonly number[];

/**
 * Checks that `labels` holds `n` non-negative integer labels (or any count when `n` is
 * undefined) and returns them as an Int32Array. `name` is used in error messages.
 */
export function readLabels(labels: Labels, name: string, n?: number): Int32Array {
  if (n !== undefined && labels.length !== n) throw new Error(`${name} has ${labels.length} entries, but must have one per sample (${n})`);
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i += 1) {
    const v = labels[i] ?? Number.NaN;
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new Error(`${name}[${i}] is ${v}, but must be an integer in 0..2147483647`);
    out[i] = v;
  }
  return out;
}

/** Occurrences of each label value. */
export function labelCounts(labels: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of labels) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/**
 * Index of the largest entry of each row (the first one on a tie): the source model's
 * predicted label. Throws when a row is empty, rows differ in length, or a value is not finite.
 */
export function argmaxRows(probabilities: readonly ArrayLike<number>[]): Int32Array {
  const width = probabilities[0]?.length ?? 0;
  const out = new Int32Array(probabilities.length);
  probabilities.forEach((row, i) => {
    if (row.length !== width || width === 0) throw new Error(`row ${i} has ${row.length} entries, but every row must have the same positive count (${width})`);
    let best = 0;
    for (let c = 0; c < width; c += 1) {
      const v = row[c] ?? Number.NaN;
      if (!Number.isFinite(v)) throw new Error(`row ${i}, column ${c} is ${v}, but must be finite`);
      if (v > (row[best] ?? Number.NaN)) best = c;
    }
    out[i] = best;
  });
  return out;
}

/**
 * NCE(Y | Z) from the source model's predicted labels `sourceLabels` (Z) and the target
 * labels `targetLabels` (Y), one of each per target sample. Returns a value ≤ 0 (nats);
 * higher means Y is more predictable from Z. Pure and deterministic.
 * Throws when there are no samples, the lengths differ, or a label is not a non-negative integer.
 */
export function nce(sourceLabels: Labels, targetLabels: Labels): number {
  const z = readLabels(sourceLabels, 'sourceLabels');
  const y = readLabels(targetLabels, 'targetLabels', z.length);
  if (z.length === 0) throw new Error('there are 0 samples, but NCE needs at least 1');
  const joint = new Map<number, Map<number, number>>();
  for (let i = 0; i < z.length; i += 1) {
    const zi = z[i] ?? 0;
    const row = joint.get(zi) ?? new Map<number, number>();
    const yi = y[i] ?? 0;
    row.set(yi, (row.get(yi) ?? 0) + 1);
    joint.set(zi, row);
  }
  let sum = 0;
  for (const row of joint.values()) {
    let nz = 0;
    for (const c of row.values()) nz += c;
    for (const c of row.values()) sum += c * Math.log(c / nz);
  }
  return sum / z.length;
}

/**
 * NCE with Z taken as the argmax of each row of the source model's class probabilities
 * (or logits: only the argmax matters) on the target samples. Same result and errors as `nce`.
 */
export function nceFromProbabilities(sourceProbabilities: readonly ArrayLike<number>[], targetLabels: Labels): number {
  return nce(argmaxRows(sourceProbabilities), targetLabels);
}

/**
 * LEEP, the Log Expected Empirical Prediction (Nguyen, Hassner, Seeger & Archambeau,
 * "LEEP: A New Measure to Evaluate Transferability of Learned Representations", ICML 2020).
 *
 * The source model's softmax θ(x_i) over its Z source labels is read as a "dummy label"
 * distribution for each target sample. With n target samples (x_i, y_i):
 *
 *   P̂(y, z)  = (1/n) Σ_{i: y_i = y} θ(x_i)_z              empirical joint, eq. (1)
 *   P̂(y | z) = P̂(y, z) / Σ_{y'} P̂(y', z)                  empirical conditional, eq. (2)
 *   LEEP     = (1/n) Σ_i log( Σ_z P̂(y_i | z) · θ(x_i)_z )   eq. (3)
 *
 * Our names: `sourceProbs[i][z]` = θ(x_i)_z, `targetLabels[i]` = y_i. LEEP ≤ 0 and higher
 * means better expected transfer. A source label with no probability mass on any sample
 * (P̂(z) = 0) contributes nothing and is skipped. Pure: no I/O, no randomness.
 */

export interface LeepOptions {
  /** How far a row of `sourceProbs` may sum from 1. @default 1e-4 */
  sumTolerance?: number;
}

export const LEEP_DEFAULTS: Required<LeepOptions> = { sumTolerance: 1e-4 };

/** LEEP score of a source model on target data; throws on malformed input, naming the row. */
export function leep(sourceProbs: readonly (readonly number[])[], targetLabels: readonly number[], options: LeepOptions = {}): number {
  const o: Required<LeepOptions> = { ...LEEP_DEFAULTS, ...options };
  const z = checkInputs(sourceProbs, targetLabels, o);
  const conditional = empiricalConditional(sourceProbs, targetLabels, z);
  let total = 0;
  sourceProbs.forEach((theta, i) => {
    const row = conditional.get(targetLabels[i] as number) as Float64Array;
    let expected = 0;
    for (let k = 0; k < z; k++) expected += (row[k] as number) * (theta[k] as number);
    total += Math.log(expected);
  });
  return total / sourceProbs.length;
}

/** P̂(y | z) for every target label y present, as one row per y. */
export function empiricalConditional(sourceProbs: readonly (readonly number[])[], targetLabels: readonly number[], z: number): Map<number, Float64Array> {
  const joint = new Map<number, Float64Array>();
  const marginal = new Float64Array(z);
  sourceProbs.forEach((theta, i) => {
    const y = targetLabels[i] as number;
    let row = joint.get(y);
    if (!row) joint.set(y, (row = new Float64Array(z)));
    for (let k = 0; k < z; k++) {
      row[k] = (row[k] as number) + (theta[k] as number);
      marginal[k] = (marginal[k] as number) + (theta[k] as number);
    }
  });
  for (const row of joint.values()) {
    for (let k = 0; k < z; k++) row[k] = (marginal[k] as number) > 0 ? (row[k] as number) / (marginal[k] as number) : 0;
  }
  return joint;
}

function checkInputs(p: readonly (readonly number[])[], y: readonly number[], o: Required<LeepOptions>): number {
  if (p.length === 0) throw new Error('`sourceProbs` is empty, but must hold at least one sample');
  if (p.length !== y.length) throw new Error(`\`sourceProbs\` has ${p.length} rows and \`targetLabels\` ${y.length}, but they must match`);
  const z = p[0]?.length ?? 0;
  if (z < 1) throw new Error('`sourceProbs` rows are empty, but must hold one probability per source label');
  p.forEach((row, i) => {
    if (row.length !== z) throw new Error(`\`sourceProbs\` row ${i} has ${row.length} entries, but row 0 has ${z}`);
    let sum = 0;
    for (const v of row) {
      if (!(v >= 0)) throw new Error(`\`sourceProbs\` row ${i} holds ${v}, but probabilities must be >= 0`);
      sum += v;
    }
    if (Math.abs(sum - 1) > o.sumTolerance) throw new Error(`\`sourceProbs\` row ${i} sums to ${sum}, but must sum to 1 (±${o.sumTolerance})`);
    const label = y[i] as number;
    if (!Number.isInteger(label) || label < 0) throw new Error(`\`targetLabels\`[${i}] is ${label}, but must be an integer >= 0`);
  });
  return z;
}

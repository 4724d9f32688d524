/**
 * Class-balanced probe sets for proxy scores: the same number of samples from every class
 * (as far as each class allows), drawn with a seed, so scores are comparable across
 * models and repeatable.
 */
import { mulberry32, shuffleInPlace } from '../hub/rng';

/**
 * Row indices of a probe of at most `size` samples. Each class gets ⌊size / classes⌋ rows
 * (small classes give all they have, the shortfall goes to the others round-robin).
 * The result is sorted ascending. Deterministic in (labels, size, seed).
 */
export function balancedProbe(labels: ArrayLike<number>, size: number, seed: number): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    const rows = byClass.get(y) ?? [];
    rows.push(i);
    byClass.set(y, rows);
  }
  const random = mulberry32(seed);
  const pools = [...byClass.keys()]
    .sort((a, b) => a - b)
    .map((k) => {
      const rows = byClass.get(k) as number[];
      shuffleInPlace(rows, random);
      return rows;
    });
  const picked: number[] = [];
  const target = Math.min(size, labels.length);
  for (let round = 0; picked.length < target; round++) {
    for (const pool of pools) {
      const row = pool[round];
      if (row !== undefined && picked.length < target) picked.push(row);
    }
  }
  return picked.sort((a, b) => a - b);
}

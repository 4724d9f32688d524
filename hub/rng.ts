/**
 * Small seeded random numbers (mulberry32): data order, probe draws and the demo hub's
 * sampling all derive from explicit seeds so runs repeat exactly.
 */

export { mulberry32 } from '../algorithms/random';
import { mulberry32 } from '../algorithms/random';

/** Combine seeds into one (e.g. run seed and epoch), so each stream is independent. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** In-place Fisher-Yates shuffle driven by `random`. */
export function shuffleInPlace<T>(items: { length: number; [i: number]: T }, random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}

/** A seeded permutation of 0..n-1. */
export function permutation(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, mulberry32(seed));
  return order;
}

/** Standard normal draws (Box-Muller) from a uniform source. */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A 32-bit seed from a string (FNV-1a), e.g. to give every dataset id its own stream. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

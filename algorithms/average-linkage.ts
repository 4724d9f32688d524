/**
 * Greedy average-linkage agglomeration on a condensed distance matrix in O(n²) memory and,
 * in practice, O(n²) time (Müllner, "Modern hierarchical, agglomerative clustering
 * algorithms", 2011, the generic algorithm with a nearest-neighbour cache).
 *
 * It makes the same decisions as the naive loop "merge the closest pair of clusters, the
 * first pair in list order on a tie, while that distance is <= threshold": clusters are kept
 * in slots named by their first member (a merged cluster keeps the slot of the lower one), so
 * list order is slot order and a tie goes to the lexicographically first (slot, slot) pair.
 * Each slot caches its nearest higher slot; only slots whose cached neighbour was merged are
 * rescanned. The linkage of clusters p and q is S(p, q) / (|p| |q|), where S (the sum of all
 * member-pair distances) is updated by S(p ∪ q, k) = S(p, k) + S(q, k) (Lance–Williams).
 */

/** Offset of row i in a condensed n × n matrix: pair (i, j), i < j, sits at `rowOffset(n, i) + j`. */
export function rowOffset(n: number, i: number): number {
  return i * n - (i * (i + 1)) / 2 - i - 1;
}

/** Index of pair (i, j), i !== j, in a condensed n × n matrix of n(n-1)/2 entries. */
export function condensedIndex(n: number, i: number, j: number): number {
  return i < j ? rowOffset(n, i) + j : rowOffset(n, j) + i;
}

/** The condensed (upper-triangle, row-major) copy of a square distance matrix. */
export function toCondensed(dist: readonly (readonly number[])[]): Float64Array {
  const n = dist.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  for (let i = 0; i < n; i += 1) {
    const off = rowOffset(n, i);
    for (let j = i + 1; j < n; j += 1) out[off + j] = dist[i]?.[j] ?? Number.POSITIVE_INFINITY;
  }
  return out;
}

class Linkage {
  readonly size: Int32Array;
  readonly active: Uint8Array;
  readonly nn: Int32Array;
  readonly nnDist: Float64Array;
  readonly next: Int32Array;
  readonly tail: Int32Array;
  readonly off: Float64Array;

  constructor(
    readonly sums: Float64Array,
    readonly n: number,
  ) {
    this.size = new Int32Array(n).fill(1);
    this.active = new Uint8Array(n).fill(1);
    this.nn = new Int32Array(n).fill(-1);
    this.nnDist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.next = new Int32Array(n).fill(-1);
    this.tail = Int32Array.from({ length: n }, (_, i) => i);
    this.off = Float64Array.from({ length: n }, (_, i) => rowOffset(n, i));
    for (let c = 0; c < n; c += 1) this.rescan(c);
  }

  /** Nearest active higher slot of c (lowest slot on a tie). */
  rescan(c: number): void {
    const { sums, size, active, n } = this;
    const off = this.off[c] ?? 0;
    const sc = size[c] ?? 1;
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let k = c + 1; k < n; k += 1) {
      if (active[k] === 0) continue;
      const d = (sums[off + k] ?? Number.NaN) / (sc * (size[k] ?? 1));
      if (d < best) {
        best = d;
        at = k;
      }
    }
    this.nn[c] = at;
    this.nnDist[c] = best;
  }

  /** The slot holding the closest pair (first slot on a tie), or -1 when no pair is finite. */
  closest(): number {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let c = 0; c < this.n; c += 1) {
      const d = this.nnDist[c] ?? Number.POSITIVE_INFINITY;
      if (this.active[c] === 1 && d < best) {
        best = d;
        at = c;
      }
    }
    return at;
  }

  /** Merge slot b into slot a (a < b): sums, sizes, member lists, then the neighbour cache. */
  merge(a: number, b: number): void {
    const { sums, n, active } = this;
    for (let k = 0; k < n; k += 1) {
      if (active[k] === 0 || k === a || k === b) continue;
      const ak = condensedIndex(n, a, k);
      sums[ak] = (sums[ak] ?? 0) + (sums[condensedIndex(n, b, k)] ?? 0);
    }
    this.size[a] = (this.size[a] ?? 0) + (this.size[b] ?? 0);
    active[b] = 0;
    this.nnDist[b] = Number.POSITIVE_INFINITY;
    this.next[this.tail[a] ?? a] = b;
    this.tail[a] = this.tail[b] ?? b;
    this.refresh(a, b);
  }

  private refresh(a: number, b: number): void {
    this.rescan(a);
    const sa = this.size[a] ?? 1;
    for (let c = 0; c < b; c += 1) {
      if (this.active[c] === 0 || c === a) continue;
      const nc = this.nn[c] ?? -1;
      if (nc === a || nc === b) this.rescan(c);
      else if (c < a) {
        const d = (this.sums[condensedIndex(this.n, c, a)] ?? Number.NaN) / ((this.size[c] ?? 1) * sa);
        const cur = this.nnDist[c] ?? Number.POSITIVE_INFINITY;
        if (d < cur || (d === cur && a < nc)) {
          this.nn[c] = a;
          this.nnDist[c] = d;
        }
      }
    }
  }

  clusters(): number[][] {
    const out: number[][] = [];
    for (let c = 0; c < this.n; c += 1) {
      if (this.active[c] === 0) continue;
      const members: number[] = [];
      for (let m = c; m >= 0; m = this.next[m] ?? -1) members.push(m);
      out.push(members);
    }
    return out;
  }
}

/**
 * Average-linkage clustering of n items from their condensed distance matrix (module
 * comment): merge the closest pair while its linkage is <= threshold; +Infinity never merges.
 * Returns member index lists in list order, members in merge order. Overwrites `dist` with
 * linkage sums (pass a copy to keep it). Throws when the threshold is not finite or the
 * matrix length is not n(n-1)/2.
 */
export function agglomerateCondensed(dist: Float64Array, n: number, threshold: number): number[][] {
  if (!Number.isFinite(threshold)) throw new Error(`threshold is ${threshold}, but must be a finite number`);
  if (!Number.isInteger(n) || n < 0 || dist.length !== (n * (n - 1)) / 2)
    throw new Error(`dist has ${dist.length} entries, but ${n} items need n(n-1)/2 = ${(n * (n - 1)) / 2}`);
  const link = new Linkage(dist, n);
  for (;;) {
    const a = link.closest();
    if (a < 0 || !((link.nnDist[a] ?? Number.NaN) <= threshold)) return link.clusters();
    link.merge(a, link.nn[a] ?? -1);
  }
}

/**
 * Deduplication, the one rule every read and every compaction applies: among rows with equal
 * key (read in fragment order), keep the first (results) or the last (records, caches); return
 * the survivors sorted by key or in commit order. A stable LSD radix sort over the key columns
 * (dictionary indices and small integers) keeps it linear and free of per-row objects.
 */
import type { ColumnSet } from './columns';

interface KeyColumn {
  readonly values: Int32Array;
  /** Values lie in `[0, range)` after subtracting `min`. */
  readonly min: number;
  readonly range: number;
}

/** Largest integer key range sorted by counting; wider columns are ranked first. */
const MAX_DIRECT_RANGE = 1 << 22;

function keyColumn(set: ColumnSet, name: string): KeyColumn {
  const c = set.column(name);
  if (c.kind === 'dict') return { values: c.index, min: 0, range: c.dict.length };
  if (c.kind !== 'i32') throw new Error(`key column ${set.spec.name}.${name} must be a dictionary or int32 column`);
  let min = 0;
  let max = -1;
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i] ?? 0;
    if (i === 0 || v < min) min = v;
    if (i === 0 || v > max) max = v;
  }
  if (max - min + 1 <= MAX_DIRECT_RANGE) return { values: c.values, min, range: max - min + 1 };
  const distinct = [...new Set(c.values)].sort((a, b) => a - b);
  const rank = new Map(distinct.map((v, i) => [v, i]));
  return { values: Int32Array.from(c.values, (v) => rank.get(v) ?? 0), min: 0, range: distinct.length };
}

/** Stable counting sort of `perm` by `key`; writes into `out`. */
function countingSort(perm: Uint32Array, key: KeyColumn, out: Uint32Array): void {
  const counts = new Uint32Array(key.range + 1);
  for (let i = 0; i < perm.length; i++) counts[(key.values[perm[i] ?? 0] ?? 0) - key.min + 1]! += 1;
  for (let k = 1; k <= key.range; k++) counts[k]! += counts[k - 1] ?? 0;
  for (let i = 0; i < perm.length; i++) {
    const row = perm[i] ?? 0;
    out[counts[(key.values[row] ?? 0) - key.min]!++] = row;
  }
}

/**
 * Fold neighbouring key columns into one composite column while the product of their ranges
 * stays sortable in one counting pass (curves: settings × metric × epoch × dataset is one pass).
 * Takes and returns columns most significant first; equal composites mean equal components.
 */
function combine(keys: readonly KeyColumn[], rows: number): KeyColumn[] {
  const out: KeyColumn[] = [];
  let acc: KeyColumn | null = null;
  for (const key of [...keys].reverse()) {
    if (acc && acc.range * key.range <= MAX_DIRECT_RANGE) {
      const values = new Int32Array(rows);
      for (let i = 0; i < rows; i++) values[i] = ((key.values[i] ?? 0) - key.min) * acc.range + (acc.values[i] ?? 0) - acc.min;
      acc = { values, min: 0, range: acc.range * key.range };
    } else {
      if (acc) out.unshift(acc);
      acc = key;
    }
  }
  if (acc) out.unshift(acc);
  return out;
}

/** Row ids `0..rows-1` sorted by the key columns (first most significant), ties in row order. */
function sortByKey(rows: number, keys: readonly KeyColumn[]): Uint32Array {
  let perm = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) perm[i] = i;
  let spare = new Uint32Array(rows);
  for (const key of [...keys].reverse()) {
    countingSort(perm, key, spare);
    [perm, spare] = [spare, perm];
  }
  return perm;
}

/**
 * The row ids that survive deduplication under the table's rule, in the table's output order.
 * Rows must be in fragment order (oldest commit first) for first/last to mean anything.
 */
export function survivors(set: ColumnSet): Uint32Array {
  const { key, keep, order } = set.spec;
  const columns = combine(
    key.map((name) => keyColumn(set, name)),
    set.rows,
  );
  const sorted = sortByKey(set.rows, columns);
  const keys = columns.map((k) => k.values);
  const same = (a: number, b: number): boolean => keys.every((k) => k[a] === k[b]);
  const kept = new Uint8Array(set.rows);
  const out = new Uint32Array(set.rows);
  let n = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && same(sorted[i] ?? 0, sorted[j] ?? 0)) j++;
    const row = sorted[keep === 'first' ? i : j - 1] ?? 0;
    kept[row] = 1;
    out[n++] = row;
    i = j;
  }
  if (order === 'key') return out.subarray(0, n);
  let m = 0;
  for (let row = 0; row < set.rows; row++) if (kept[row]) out[m++] = row;
  return out.subarray(0, m);
}

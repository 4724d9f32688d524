/**
 * Compaction and pruning. Compaction rewrites each table's fragments of the head version as one
 * deduplicated file and publishes that as a new version with the same content; older versions
 * keep their own files. Pruning forgets old versions and deletes files no kept version references.
 */
import { PruneOptionsSchema, STORE_TABLES, type FragmentEntry, type PruneOptions, type StoreTable } from '../contracts/schemas/store';
import { decodeBatch } from './arrow-codec';
import { TableBuilder, type ColumnSet } from './columns';
import { StoreCorruptError } from './errors';
import { writeFragment } from './fragment-file';
import { readTable } from './fragment-read';
import type { ObjectStore } from '../storage';
import { checkpointKey, listNumbered, versionKey } from './layout';
import { survivors } from './merge';
import { TABLES } from './schema';
import type { VersionLog } from './version-log';

export interface CompactedTable {
  readonly table: StoreTable;
  readonly fragmentsBefore: number;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
  readonly bytesAfter: number;
}

/** `version` = the version publishing the compacted files; null when there was nothing to do or another compaction won. */
export interface CompactResult {
  readonly version: number | null;
  readonly tables: readonly CompactedTable[];
}

/** One table's fragments read into one column set, in fragment order. Throws StoreCorrupt. */
async function readParts(objects: ObjectStore, table: StoreTable, parts: readonly FragmentEntry[]): Promise<ColumnSet> {
  const builder = new TableBuilder(TABLES[table]);
  builder.reserve(parts.reduce((n, p) => n + p.rows, 0));
  for (const part of parts) {
    const dictionaries = new Map<string, readonly string[]>();
    for (const batch of (await readTable(objects, part)).batches) builder.appendSet(decodeBatch(TABLES[table], batch, dictionaries, part.path));
  }
  return builder.build(true);
}

/** Merge one table's fragments into one deduplicated fragment. Throws StoreCorrupt: compaction never drops data silently. */
async function compactTable(objects: ObjectStore, table: StoreTable, parts: readonly FragmentEntry[], batchRows: number): Promise<FragmentEntry> {
  const set = await readParts(objects, table, parts);
  const written = await writeFragment(objects, set, survivors(set), batchRows);
  return { ...written, order: (parts[0] as FragmentEntry).order };
}

/**
 * One table's fragments rewritten as one deduplicated fragment without the rows `drop` names
 * (what a superseding import replaces), keeping the first fragment's order; null when no row
 * is left. Throws StoreCorrupt.
 */
export async function rewriteTableWithout(
  objects: ObjectStore,
  table: StoreTable,
  parts: readonly FragmentEntry[],
  batchRows: number,
  drop: (set: ColumnSet, row: number) => boolean,
): Promise<FragmentEntry | null> {
  const set = await readParts(objects, table, parts);
  const kept = survivors(set).filter((row) => !drop(set, row));
  if (kept.length === 0) return null;
  return { ...(await writeFragment(objects, set, kept, batchRows)), order: (parts[0] as FragmentEntry).order };
}

/** Compact every table with more than one fragment at the head. Idempotent in content. */
export async function compact(objects: ObjectStore, log: VersionLog, batchRows: number): Promise<CompactResult> {
  const base = await log.head();
  if (base === 0) return { version: null, tables: [] };
  const fragments = await log.fragmentsAt(base);
  const outputs: { entry: FragmentEntry; removed: readonly FragmentEntry[] }[] = [];
  const removeOutputs = (): Promise<void[]> => Promise.all(outputs.map((o) => objects.delete(o.entry.path)));
  try {
    for (const table of STORE_TABLES) {
      const parts = fragments.filter((f) => f.table === table);
      if (parts.length > 1) outputs.push({ entry: await compactTable(objects, table, parts, batchRows), removed: parts });
    }
    if (outputs.length === 0) return { version: null, tables: [] };
    const version = await log.publish(async (parent) => {
      const live = new Set((await log.fragmentsAt(parent)).map((f) => f.path));
      if (outputs.some((o) => o.removed.some((r) => !live.has(r.path)))) return null;
      return { message: `compact version ${base}`, add: outputs.map((o) => o.entry), remove: outputs.flatMap((o) => o.removed.map((r) => r.path)) };
    });
    if (version === null) await removeOutputs();
    else await log.writeCheckpoint(version);
    const tables = outputs.map(({ entry, removed }) => ({
      table: entry.table,
      fragmentsBefore: removed.length,
      rowsBefore: removed.reduce((n, r) => n + r.rows, 0),
      rowsAfter: entry.rows,
      bytesAfter: entry.bytes,
    }));
    return { version, tables: version === null ? [] : tables };
  } catch (e) {
    await removeOutputs();
    throw e;
  }
}

export interface PruneResult {
  readonly kept: readonly number[];
  readonly removedVersions: readonly number[];
  readonly deletedFiles: readonly string[];
}

/** Fragment objects, relative to the store, with their modification times. */
async function storeFiles(objects: ObjectStore): Promise<{ rel: string; mtimeMs: number }[]> {
  const out: { rel: string; mtimeMs: number }[] = [];
  for (const table of STORE_TABLES) for (const o of await objects.list(`fragments/${table}/`)) out.push({ rel: o.key, mtimeMs: o.mtimeMs });
  return out;
}

/**
 * Keep the newest `keepLast` versions, those in `keep` and the head; forget the rest. Deletes a
 * file only when no kept version references it and either a forgotten version committed it or
 * it is older than `graceMs` (so a commit in flight keeps its fragments). Idempotent.
 */
export async function prune(objects: ObjectStore, log: VersionLog, options: PruneOptions): Promise<PruneResult> {
  const opts = PruneOptionsSchema.parse(options);
  const versions = await log.list();
  const kept = [...new Set([...versions.slice(-opts.keepLast), ...opts.keep.filter((v) => versions.includes(v))])].sort((a, b) => a - b);
  const referenced = new Set<string>();
  for (const v of kept) {
    await log.writeCheckpoint(v);
    (await log.fragmentsAt(v)).forEach((f) => referenced.add(f.path));
  }
  const forgotten = versions.filter((v) => !kept.includes(v));
  const committed = new Set<string>();
  for (const v of forgotten) {
    try {
      (await log.record(v)).add.forEach((f) => committed.add(f.path));
    } catch (e) {
      if (!(e instanceof StoreCorruptError)) throw e;
    }
  }
  for (const v of forgotten) await objects.delete(versionKey(v));
  log.forget(forgotten);
  const head = versions[versions.length - 1] ?? 0;
  // A checkpoint above the listed head belongs to a version committed meanwhile: leave it.
  for (const c of await listNumbered(objects, 'checkpoints')) if (c <= head && !kept.includes(c)) await objects.delete(checkpointKey(c));
  const cutoff = Date.now() - opts.graceMs;
  const deletedFiles: string[] = [];
  for (const file of await storeFiles(objects)) {
    if (referenced.has(file.rel) || (!committed.has(file.rel) && file.mtimeMs > cutoff)) continue;
    await objects.delete(file.rel);
    deletedFiles.push(file.rel);
  }
  deletedFiles.push(...(await objects.sweepTemporaries(cutoff)));
  return { kept, removedVersions: forgotten, deletedFiles };
}

/** Damaged files are reported as StoreCorrupt naming the file and what it held; the rest stays readable. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore, SchemaVersionError, StoreCorruptError } from '../../matrix-store';
import { cell, commitCells, tempDir } from './helpers';

/** A store with two commits (so two cells and two curves fragments); returns its directory. */
async function twoCommits(): Promise<string> {
  const dir = tempDir();
  const store = openStore({ dir });
  await commitCells(store, [cell('a', 'd1', 0.5), cell('a', 'd2', 0.6)]);
  await commitCells(store, [cell('b', 'd1', 0.7)]);
  return dir;
}

async function fragmentOf(dir: string, table: string, index: number): Promise<{ path: string; rows: number; bytes: number }> {
  const f = (await openStore({ dir }).snapshot()).fragments.filter((x) => x.table === table)[index];
  if (!f) throw new Error(`no ${table} fragment ${index}`);
  return f;
}

function flipByte(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  fs.writeFileSync(file, bytes);
}

describe('a truncated fragment', () => {
  it("fails open under 'throw', naming the file, its table and rows", async () => {
    const dir = await twoCommits();
    const f = await fragmentOf(dir, 'curves', 0);
    fs.truncateSync(path.join(dir, f.path), f.bytes - 100);
    const error = await openStore({ dir }).snapshot().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toMatchObject({ type: 'StoreCorrupt', path: f.path, table: 'curves', rows: 6 });
    expect((error as Error).message).toContain(`${f.path} (curves, 6 rows) is corrupt: the file has ${f.bytes - 100} bytes`);
  });

  it("is left out and reported under 'skip-and-report'; other tables stay readable", async () => {
    const dir = await twoCommits();
    const f = await fragmentOf(dir, 'curves', 0);
    fs.truncateSync(path.join(dir, f.path), 10);
    const s = await openStore({ dir, onCorrupt: 'skip-and-report' }).snapshot();
    expect(s.problems.map((p) => [p.path, p.table, p.rows])).toEqual([[f.path, 'curves', 6]]);
    expect(Array.from((await s.performanceMatrix()).values)).toEqual([0.5, 0.7, 0.6, NaN]);
    expect((await s.curvesOf('a')).curves).toEqual([]);
    expect((await s.curvesOf('b')).curves).toHaveLength(1);
  });
});

describe('a fragment with flipped bytes (same size)', () => {
  it('fails the read whose checksum differs, and verify lists it', async () => {
    const dir = await twoCommits();
    const f = await fragmentOf(dir, 'cells', 1);
    flipByte(path.join(dir, f.path), Math.floor(f.bytes / 2));
    const store = openStore({ dir });
    const s = await store.snapshot();
    await expect(s.performanceMatrix()).rejects.toThrow(/cells, 1 rows\) is corrupt: its sha256 differs/);
    expect((await store.verify()).map((p) => p.path)).toEqual([f.path]);
    expect(await store.verify(1)).toEqual([]);
    expect(Array.from((await (await store.snapshot(1)).performanceMatrix()).values)).toEqual([0.5, 0.6]);
  });

  it('fails a streaming read of the damaged batch only', async () => {
    const dir = tempDir();
    const store = openStore({ dir, batchRows: 3 });
    await commitCells(store, [cell('a', 'd1', 0.5), cell('b', 'd1', 0.6)]);
    const f = await fragmentOf(dir, 'curves', 0);
    const second = (await store.snapshot()).fragments.find((x) => x.path === f.path)?.batches[1];
    if (!second) throw new Error('expected two batches');
    flipByte(path.join(dir, f.path), second.offset + second.length - 4);
    const s = await openStore({ dir, onCorrupt: 'skip-and-report' }).snapshot();
    expect((await s.curvesOf('a')).curves.map((c) => Array.from(c.values))).toEqual([[0.1, 0.2, 0.5]]);
    expect(s.problems).toEqual([]);
    expect((await s.curvesOf('b')).curves).toEqual([]);
    expect(s.problems[0]?.message).toMatch(/the sha256 of batch 1 differs/);
  });
});

describe('damaged manifests', () => {
  it('reports an unreadable version file as StoreCorrupt, leaving earlier versions readable', async () => {
    const dir = await twoCommits();
    fs.writeFileSync(path.join(dir, 'versions', '0000000002.json'), '{"format":');
    const store = openStore({ dir });
    await expect(store.snapshot(2)).rejects.toThrow(/0000000002.json \(manifest, 0 rows\) is corrupt: it is not JSON/);
    expect((await (await store.snapshot(1)).performanceMatrix()).models).toEqual(['a']);
  });

  it('refuses a store of another schema version with SchemaVersionMismatch', () => {
    const dir = tempDir();
    openStore({ dir });
    fs.writeFileSync(path.join(dir, 'mselect-store.json'), JSON.stringify({ format: 'mselect-matrix-store', schemaVersion: 99 }));
    expect(() => openStore({ dir })).toThrow(SchemaVersionError);
    expect(() => openStore({ dir })).toThrow(/schema version 99, but this code reads version 1/);
  });
});

/** Damaged files are reported as StoreCorrupt naming the file and what it held; the rest stays readable. */
import * as fs from 'node:fs';
import { SchemaVersionError, StoreCorruptError } from '../../matrix-store';
import { BACKENDS, cell, commitCells, tempPlace, type Backend, type Place } from './helpers';

/** A store with two commits (so two cells and two curves fragments). */
async function twoCommits(backend: Backend): Promise<Place> {
  const place = await tempPlace(backend);
  const store = await place.open();
  await commitCells(store, [cell('a', 'd1', 0.5), cell('a', 'd2', 0.6)]);
  await commitCells(store, [cell('b', 'd1', 0.7)]);
  return place;
}

async function fragmentOf(place: Place, table: string, index: number): Promise<{ path: string; rows: number; bytes: number }> {
  const f = (await (await place.open()).snapshot()).fragments.filter((x) => x.table === table)[index];
  if (!f) throw new Error(`no ${table} fragment ${index}`);
  return f;
}

function flipByte(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  fs.writeFileSync(file, bytes);
}

describe.each(BACKENDS)('on %s', (backend) => {
  describe('a truncated fragment', () => {
    it("fails open under 'throw', naming the file, its table and rows", async () => {
      const place = await twoCommits(backend);
      const f = await fragmentOf(place, 'curves', 0);
      fs.truncateSync(place.local(f.path), f.bytes - 100);
      const error = await (await place.open()).snapshot().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreCorruptError);
      expect(error).toMatchObject({ type: 'StoreCorrupt', path: f.path, table: 'curves', rows: 6 });
      expect((error as Error).message).toContain(`${f.path} (curves, 6 rows) is corrupt: the file has ${f.bytes - 100} bytes`);
    });

    it("is left out and reported under 'skip-and-report'; other tables stay readable", async () => {
      const place = await twoCommits(backend);
      const f = await fragmentOf(place, 'curves', 0);
      fs.truncateSync(place.local(f.path), 10);
      const s = await (await place.open({ onCorrupt: 'skip-and-report' })).snapshot();
      expect(s.problems.map((p) => [p.path, p.table, p.rows])).toEqual([[f.path, 'curves', 6]]);
      expect(Array.from((await s.performanceMatrix()).values)).toEqual([0.5, 0.7, 0.6, NaN]);
      expect((await s.curvesOf('a')).curves).toEqual([]);
      expect((await s.curvesOf('b')).curves).toHaveLength(1);
    });
  });

  describe('a fragment with flipped bytes (same size)', () => {
    it('fails the read whose checksum differs, and verify lists it', async () => {
      const place = await twoCommits(backend);
      const f = await fragmentOf(place, 'cells', 1);
      flipByte(place.local(f.path), Math.floor(f.bytes / 2));
      const store = await place.open();
      const s = await store.snapshot();
      await expect(s.performanceMatrix()).rejects.toThrow(/cells, 1 rows\) is corrupt: its sha256 differs/);
      expect((await store.verify()).map((p) => p.path)).toEqual([f.path]);
      expect(await store.verify(1)).toEqual([]);
      expect(Array.from((await (await store.snapshot(1)).performanceMatrix()).values)).toEqual([0.5, 0.6]);
    });

    it('fails a streaming read of the damaged batch only', async () => {
      const place = await tempPlace(backend);
      const store = await place.open({ batchRows: 3 });
      await commitCells(store, [cell('a', 'd1', 0.5), cell('b', 'd1', 0.6)]);
      const f = await fragmentOf(place, 'curves', 0);
      const second = (await store.snapshot()).fragments.find((x) => x.path === f.path)?.batches[1];
      if (!second) throw new Error('expected two batches');
      flipByte(place.local(f.path), second.offset + second.length - 4);
      const s = await (await place.open({ onCorrupt: 'skip-and-report' })).snapshot();
      expect((await s.curvesOf('a')).curves.map((c) => Array.from(c.values))).toEqual([[0.1, 0.2, 0.5]]);
      expect(s.problems).toEqual([]);
      expect((await s.curvesOf('b')).curves).toEqual([]);
      expect(s.problems[0]?.message).toMatch(/the sha256 of batch 1 differs/);
    });
  });

  describe('damaged manifests', () => {
    it('reports an unreadable version file as StoreCorrupt, leaving earlier versions readable', async () => {
      const place = await twoCommits(backend);
      await place.objects.put('versions/0000000002.json', '{"format":');
      const store = await place.open();
      await expect(store.snapshot(2)).rejects.toThrow(/0000000002.json \(manifest, 0 rows\) is corrupt: it is not JSON/);
      expect((await (await store.snapshot(1)).performanceMatrix()).models).toEqual(['a']);
    });

    it('refuses a store of another schema version with SchemaVersionMismatch', async () => {
      const place = await tempPlace(backend);
      await place.open();
      await place.objects.put('mselect-store.json', JSON.stringify({ format: 'mselect-matrix-store', schemaVersion: 99 }));
      await expect(place.open()).rejects.toThrow(SchemaVersionError);
      await expect(place.open()).rejects.toThrow(/mselect-store.json has schema version 99, but this code reads versions 1 to 2/);
    });
  });
});

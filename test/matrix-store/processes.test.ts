/**
 * Several real processes writing one store, on a folder and on S3: concurrent commits lose and
 * duplicate nothing, and a process killed in the middle of a commit leaves no partial version.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKENDS, exitOk, spawnWriter, tempDir, tempPlace, waitForLine } from './helpers';

const WRITERS = 3;
const COMMITS = 4;
const UNIQUE = 5;
const SHARED = 3;

describe.each(BACKENDS)('on %s', (backend) => {
  describe('concurrent writers in separate processes', () => {
    it('publish every commit exactly once, and the earliest copy of a shared cell wins', async () => {
      const place = await tempPlace(backend);
      await place.open();
      const startFile = path.join(tempDir(), 'go');
      const children = Array.from({ length: WRITERS }, (_, writer) =>
        spawnWriter({ mode: 'commits', url: place.url, env: place.env, writer, commits: COMMITS, unique: UNIQUE, shared: SHARED, startFile }),
      );
      const done = Promise.all(children.map(exitOk));
      fs.writeFileSync(startFile, '');
      await done;

      const store = await place.open();
      const versions = await store.versions();
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: WRITERS * COMMITS }, (_, i) => i + 1));
      const messages = versions.map((v) => v.message).sort();
      const expected = Array.from({ length: WRITERS }, (_, w) => Array.from({ length: COMMITS }, (_, k) => `writer ${w} commit ${k}`))
        .flat()
        .sort();
      expect(messages).toEqual(expected);

      const s = await store.snapshot();
      const cells = await s.rows('cells');
      expect(cells).toHaveLength(WRITERS * COMMITS * UNIQUE + SHARED);
      expect(new Set(cells.map((c) => c.model)).size).toBe(cells.length);
      const firstWriter = Number(/writer (\d+)/.exec(versions[0]?.message ?? '')?.[1]);
      for (let i = 0; i < SHARED; i++) {
        const column = await s.datasetColumn('d0', { models: [`shared-m${i}`] });
        expect(Array.from(column.values)).toEqual([firstWriter]);
      }
      const runs = await s.runSet();
      expect(runs.runs).toHaveLength(cells.length);
      expect(runs.runs.every((r) => r.val.length === 3 && r.val.every((v) => v === r.test))).toBe(true);
    });
  });

  describe('a writer killed mid-commit', () => {
    it('after writing fragments but before publishing: no version appears, prune removes the orphans', async () => {
      const place = await tempPlace(backend);
      const store = await place.open();
      const w = store.beginWrite();
      await w.appendCells([{ model: 'kept', dataset: 'd0', settingsHash: 's', metric: 'acc', value: 1, epochs: 1, runId: 'r' }]);
      await w.commit('before the crash');
      const child = spawnWriter({ mode: 'flush-and-hang', url: place.url, env: place.env });
      await waitForLine(child, 'FLUSHED');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      expect(await store.head()).toBe(1);
      expect((await (await store.snapshot()).rows('cells')).map((c) => c.model)).toEqual(['kept']);
      const referenced = new Set((await store.snapshot()).fragments.map((f) => f.path));
      const orphans = (await place.keys('fragments/')).filter((p) => !referenced.has(p));
      expect(orphans).toHaveLength(2);
      expect((await store.prune()).deletedFiles).toEqual([]);
      expect([...(await store.prune({ graceMs: 0 })).deletedFiles].sort()).toEqual(orphans.sort());
      expect(await store.verify()).toEqual([]);
    });

    it('at a random moment while committing in a loop: every visible version is whole', async () => {
      const place = await tempPlace(backend);
      await place.open();
      const child = spawnWriter({ mode: 'commit-loop', url: place.url, env: place.env, cells: 10 });
      await waitForLine(child, 'READY');
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 600));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      const store = await place.open();
      const head = await store.head();
      expect(head).toBeGreaterThan(0);
      for (let v = 1; v <= head; v++) {
        const runs = (await (await store.snapshot(v)).runSet()).runs;
        expect(runs).toHaveLength(10 * v);
        expect(runs.every((r) => r.val.length === 3)).toBe(true);
      }
      const w = store.beginWrite();
      await w.appendCells([{ model: 'after', dataset: 'd0', settingsHash: 's', metric: 'acc', value: 1, epochs: 1, runId: 'r' }]);
      expect(await w.commit('after the crash')).toBe(head + 1);
    });
  });
});

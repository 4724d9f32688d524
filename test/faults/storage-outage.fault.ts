/**
 * Object storage faults, on a real S3 server (versitygw): the server stopped for 5 s while a
 * store writer process commits (its calls are retried with backoff; every commit lands once;
 * the store equals an undisturbed run's), and a writer process SIGKILLed mid-commit, also while
 * the server is down (no partial version becomes visible; prune clears what it left).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore, openStoreOn, type MatrixStore } from '../../matrix-store';
import { S3ObjectStore } from '../../storage';
import { contentOf } from '../matrix-store/helpers';
import { useS3Server } from '../helpers/versitygw';
import { killAll, spawnNode } from './helpers/processes';

const WRITER = path.join(__dirname, '..', 'matrix-store', 'child-writer.ts');
const COMMITS = 12;
const server = useS3Server('mselect-outage');
const dirs: string[] = [];
afterEach(killAll);
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const writer = (config: Record<string, unknown>, env: Record<string, string> = {}) =>
  spawnNode(['-r', 'ts-node/register/transpile-only', WRITER, JSON.stringify(config)], env);

async function s3Store(prefix: string): Promise<MatrixStore> {
  return openStoreOn(new S3ObjectStore(server().settings(prefix)));
}

/** Every version, read whole: its runs and the number of cells it must hold. */
async function everyVersionWhole(store: MatrixStore, cellsPerVersion: number): Promise<number> {
  const head = await store.head();
  for (let v = 1; v <= head; v++) {
    const runs = (await (await store.snapshot(v)).runSet()).runs;
    expect(runs).toHaveLength(cellsPerVersion * v);
    expect(runs.every((r) => r.val.length === 3)).toBe(true);
  }
  return head;
}

describe('the S3 server stopped for 5 s while a writer commits', () => {
  it('rides it out: every commit lands exactly once and the store equals an undisturbed run', async () => {
    const config = { mode: 'commits', writer: 0, commits: COMMITS, unique: 4, shared: 0 };
    // The undisturbed run, on a folder.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-outage-ref-'));
    dirs.push(dir);
    openStore({ dir });
    const ref = writer({ ...config, url: dir });
    expect(await ref.exited).toEqual({ code: 0, signal: null });

    await s3Store('outage');
    const child = writer({ ...config, url: `s3://${server().bucket}/outage` }, server().env('outage'));
    await child.waitFor('COMMITTED 2');
    await server().pause();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 5_000));
    await server().resume();
    const exit = await child.exited;
    expect({ exit, output: child.output() }).toMatchObject({ exit: { code: 0, signal: null } });
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(5_000);

    const store = await s3Store('outage');
    const versions = await store.versions();
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: COMMITS }, (_, i) => i + 1));
    expect(versions.map((v) => v.message)).toEqual(Array.from({ length: COMMITS }, (_, k) => `writer 0 commit ${k}`));
    expect(await contentOf(await store.snapshot())).toEqual(await contentOf(await openStore({ dir }).snapshot()));
    expect(await store.verify()).toEqual([]);
  });
});

describe('a writer SIGKILLed mid-commit on S3', () => {
  it.each([
    ['while the server answers', false],
    ['while the server is down and the writer retries', true],
  ] as const)('%s: no partial version, prune clears the leftovers', async (_name, down) => {
    const prefix = `kill-${down ? 'down' : 'up'}`;
    const store = await s3Store(prefix);
    const child = writer({ mode: 'commit-loop', url: `s3://${server().bucket}/${prefix}`, cells: 10 }, server().env(prefix));
    await child.waitFor('READY');
    await new Promise((r) => setTimeout(r, 700 + Math.random() * 600));
    if (down) {
      await server().pause();
      await new Promise((r) => setTimeout(r, 1_000));
    }
    child.kill('SIGKILL');
    await child.exited;
    await server().resume();

    const head = await everyVersionWhole(store, 10);
    expect(head).toBeGreaterThan(0);
    const w = store.beginWrite();
    await w.appendCells([{ model: 'after', dataset: 'd0', settingsHash: 's', metric: 'acc', value: 1, epochs: 1, runId: 'r' }]);
    expect(await w.commit('after the crash')).toBe(head + 1);
    await store.prune({ graceMs: 0, keepLast: 1 });
    const referenced = new Set((await store.snapshot()).fragments.map((f) => f.path));
    const objects = new S3ObjectStore(server().settings(prefix));
    expect((await objects.list('fragments/')).map((o) => o.key).filter((k) => !referenced.has(k))).toEqual([]);
    expect(await store.verify()).toEqual([]);
  });
});

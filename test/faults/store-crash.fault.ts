/**
 * Store faults through the activities' path: a process running the orchestrator's
 * `recordCells` activity dies (SIGKILL) halfway through writing a fragment, between two
 * fragments, or just before its commit is published. No partial version becomes visible,
 * nothing committed is lost, the cells still count as missing for `planMatrix`, and the
 * retried activity commits them once. (The store's own crash tests, in test/matrix-store,
 * cover its internals; this checks the path a worker takes.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createOrchestratorActivities } from '../../activities';
import type { CellResult } from '../../contracts/schemas';
import { openStore, type MatrixStore } from '../../matrix-store';
import { writeTinyDataset, writeTinyModel } from '../hub/tiny-hub';
import { BENCHMARK, MODELS, makeRoots, removeDir, workerConfig, type Roots } from './helpers/fixtures';
import { killAll, spawnNode } from './helpers/processes';
import type { CrashPoint } from './helpers/store-crash-child';
import { orchestratorDeps } from '../../workers/deps';

const CHILD = path.join(__dirname, 'helpers', 'store-crash-child.ts');
const EPOCHS = 3;

let hubRoot: string;
const made: Roots[] = [];
beforeAll(async () => {
  hubRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mselect-faults-store-'));
  for (const [i, m] of MODELS.entries()) await writeTinyModel(path.join(hubRoot, 'hub'), m, 6, i + 1);
  await writeTinyDataset(path.join(hubRoot, 'datasets'), BENCHMARK, { role: 'benchmark' });
});
afterEach(killAll);
afterAll(async () => {
  await Promise.all([hubRoot, ...made.map((r) => r.dataDir)].map(removeDir));
});

/** A finished fine-tune of `model` on the benchmark, as the offline workflow hands it to recordCells. */
function result(model: string): CellResult {
  const bonus = model === MODELS[1] ? 0.05 : 0;
  return {
    model,
    dataset: BENCHMARK,
    epochs: EPOCHS,
    seed: 0,
    runId: `offline/${model}@${BENCHMARK}/e${EPOCHS}-s0`,
    curve: [1, 2, 3].map((epoch) => ({ epoch, metric: 0.5 + epoch / 10 + bonus, seconds: 0.1 })),
    test: 0.8 + bonus,
    trainer: 'tfjs',
    backend: 'cpu',
  };
}

/** What a reader sees at the head: cells and curves. */
async function visible(store: MatrixStore) {
  const s = await store.snapshot();
  return { version: s.version, cells: (await s.rows('cells')).map((c) => [c.model, c.dataset, c.value]), runs: (await s.runSet()).runs };
}

/** Fragment files no version references (what a crash between writing and publishing leaves). */
async function orphans(dir: string, store: MatrixStore): Promise<string[]> {
  const referenced = new Set((await store.snapshot()).fragments.map((f) => f.path));
  const root = path.join(dir, 'fragments');
  return fs
    .readdirSync(root)
    .flatMap((t) => fs.readdirSync(path.join(root, t)).map((n) => `fragments/${t}/${n}`))
    .filter((p) => !referenced.has(p));
}

const tornTemporaries = (dir: string): string[] => fs.readdirSync(path.join(dir, 'tmp')).filter((n) => n.endsWith('.arrow.tmp'));

describe.each<CrashPoint>(['fragment', 'between-fragments', 'commit'])('a worker process killed while recording results (%s)', (point) => {
  it('publishes no partial version, loses nothing committed, and the retried activity commits once', async () => {
    const roots = await makeRoots({ hubDir: path.join(hubRoot, 'hub'), datasetsDir: path.join(hubRoot, 'datasets') }, 'mselect-faults-crash-');
    made.push(roots);
    const cfg = workerConfig(roots);
    const acts = createOrchestratorActivities(await orchestratorDeps(cfg));
    const store = openStore({ dir: roots.storeDir });
    const committed = (await acts.recordCells({ results: [result(MODELS[0])] })).storeVersion;
    const before = await visible(store);

    const child = spawnNode(['-r', 'ts-node/register/transpile-only', CHILD, JSON.stringify({ config: cfg, results: [result(MODELS[1])], crashAt: point })]);
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(child.output()).toContain(`CRASH ${point}`);
    if (point === 'fragment') expect(tornTemporaries(roots.storeDir)).toHaveLength(1);
    else expect((await orphans(roots.storeDir, store)).length).toBeGreaterThan(0);

    expect(await store.head()).toBe(committed);
    expect(await visible(store)).toEqual(before);
    expect(await store.verify()).toEqual([]);
    const plan = { models: [...MODELS], benchmarks: [BENCHMARK], epochs: EPOCHS, trainer: 'tfjs', seed: 0, limit: 10, exclude: [] };
    expect((await acts.planMatrix(plan)).cells).toEqual([{ model: MODELS[1], dataset: BENCHMARK }]);

    // The activity's retry: one new version with the cell; a repeat after success changes nothing.
    expect((await acts.recordCells({ results: [result(MODELS[1])] })).storeVersion).toBe(committed + 1);
    const after = await visible(store);
    expect(after.cells).toEqual([...before.cells, [MODELS[1], BENCHMARK, result(MODELS[1]).test]]);
    expect(after.runs.map((r) => [r.model, r.val.length])).toEqual([
      [MODELS[0], EPOCHS],
      [MODELS[1], EPOCHS],
    ]);
    expect((await acts.planMatrix(plan)).cells).toEqual([]);
    await acts.recordCells({ results: [result(MODELS[1])] });
    expect({ ...(await visible(store)), version: after.version }).toEqual(after);

    // Maintenance clears what the crash left and the store stays whole.
    await store.prune({ graceMs: 0 });
    expect(await orphans(roots.storeDir, store)).toEqual([]);
    expect(await store.verify()).toEqual([]);
  });
});

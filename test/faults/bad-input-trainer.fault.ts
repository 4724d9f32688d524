/**
 * Catalogue cases for external trainer output: the command trainer, configured on the worker
 * (never by workflow input), runs test/fixtures/epoch-trainer.js in a misbehaving mode. A
 * malformed line, an early exit or a checkpoint outside the root fails the cell at once and
 * the run goes on; a crash (non-zero exit) is retried, each attempt resuming from the last
 * checkpoint, until the cell is done. Stored cells are kept.
 */
import * as path from 'node:path';
import type { FineTuneOutput } from '../../contracts/schemas/training';
import { casesOf } from './catalogue';
import { expectCellFailure, hubRoots, removeHubRoots, runOffline, storedCells, type OfflineRun } from './helpers/bad-runs';
import { BENCHMARK, MODELS, workerConfig, type Roots } from './helpers/fixtures';
import { connectShared, type Server } from './helpers/server';

const SCRIPT = path.join(__dirname, '..', 'fixtures', 'epoch-trainer.js');
/** epoch-trainer.js in `crash` mode dies two epochs after each start: 3 epochs need 3 attempts. */
const CRASH_ATTEMPTS = 3;

let server: Server;
const runs = new Map<string, { r: Roots; before: unknown[][]; out: OfflineRun }>();
beforeAll(async () => {
  server = await connectShared();
  await Promise.all(
    casesOf('trainer').map(async (c) => {
      const r = await hubRoots();
      const config = { ...workerConfig(r), commandTrainer: { command: process.execPath, args: [SCRIPT], env: { FIXTURE_MODE: c.mode }, name: 'command' } };
      const before = await storedCells(r);
      runs.set(c.id, {
        r,
        before,
        out: await runOffline(server, r, { models: [...MODELS], benchmarks: [BENCHMARK], trainer: 'command', maxParallel: 2 }, config),
      });
    }),
  );
});
afterAll(async () => {
  await server.close();
  await removeHubRoots();
});

describe('bad output of an external trainer', () => {
  it.each(casesOf('trainer').filter((c) => c.mode !== 'crash'))('$id: $errorType at once, the run goes on, stored cells kept', async (c) => {
    const run = runs.get(c.id);
    if (!run) throw new Error(`case ${c.id} did not run`);
    const where = c.mode === 'outside' ? run.r.checkpointDir : c.mode === 'malformed' ? null : process.execPath;
    for (const model of MODELS) expectCellFailure(c, run.out, model, BENCHMARK, where);
    expect(run.out.result).toMatchObject({ cellsComputed: 0, cellsFailed: MODELS.length });
    expect(await storedCells(run.r)).toEqual(run.before);
  });

  it.each(casesOf('trainer').filter((c) => c.mode === 'crash'))('$id: retried from the last checkpoint until the cells are done', async (c) => {
    const run = runs.get(c.id);
    if (!run) throw new Error(`case ${c.id} did not run`);
    expect(run.out.result).toMatchObject({ cellsComputed: MODELS.length, cellsFailed: 0 });
    const tunes = run.out.runs.filter((a) => a.type === 'fineTune');
    expect(tunes).toHaveLength(MODELS.length);
    for (const t of tunes) {
      expect(t.attempt).toBe(CRASH_ATTEMPTS);
      expect(t.lastFailure).toMatchObject({ type: c.errorType, nonRetryable: false });
      expect(t.lastFailure?.message).toContain(c.excerpt);
      expect(t.lastFailure?.message).toContain(process.execPath);
      const out = t.result as FineTuneOutput;
      expect(out.startedFromEpoch).toBe(CRASH_ATTEMPTS - 1);
      expect(out.curve.map((e) => e.epoch)).toEqual([1, 2, 3]);
    }
    const after = await storedCells(run.r);
    expect(after.slice(0, run.before.length)).toEqual(run.before);
    expect(
      after
        .slice(run.before.length)
        .map(([m, d]) => `${String(m)}@${String(d)}`)
        .sort(),
    ).toEqual(MODELS.map((m) => `${m}@${BENCHMARK}`));
  });
});

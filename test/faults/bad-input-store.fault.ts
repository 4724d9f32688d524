/**
 * Catalogue cases for store files. Damaged under a running orchestrator worker, then a
 * selection starts: planning fails once with a typed, non-retryable failure naming the
 * file; the failed run changes no file, and the rest of the store still reads. Damaged
 * before a worker process starts on it: the worker refuses to start, naming the file.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { openStore } from '../../matrix-store';
import { selectModel } from '../../workflows';
import { casesOf } from './catalogue';
import { BAD_STORES } from './helpers/bad-files';
import { hubRoots, missing, removeHubRoots } from './helpers/bad-runs';
import { TARGET, workerConfig, workerEnv } from './helpers/fixtures';
import { activityRuns } from './helpers/history';
import { killAll, spawnNode, PROJECT_ROOT } from './helpers/processes';
import { connectShared, freshQueue, orchestrator, withWorkers, type Server } from './helpers/server';

let server: Server;
beforeAll(async () => {
  server = await connectShared();
});
afterAll(async () => {
  await killAll();
  await server.close();
  await removeHubRoots();
});

/** sha256 of every file under `dir`, by relative path. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    out[path.relative(dir, file)] = createHash('sha256')
      .update(await fs.readFile(file))
      .digest('hex');
  }
  return out;
}

describe('damaged store files', () => {
  it.each(casesOf('store'))('$id: $errorType naming the file, nothing changed or lost', async (c) => {
    const r = await hubRoots();
    const taskQueue = freshQueue('bad-store');
    const workflowId = `select-${taskQueue}`;
    const { damaged, before, err } = await withWorkers([await orchestrator(server, taskQueue, workerConfig(r))], async () => {
      const file = await (BAD_STORES[c.id] ?? missing(c))(r.storeDir);
      const snapshotOfFiles = await tree(r.storeDir);
      const input = { target: TARGET, policy: 'successive-halving', trainer: 'tfjs', budgetEpochs: 1 };
      const e = await server.client.workflow.execute(selectModel, { taskQueue, workflowId, args: [input] }).then(
        () => null,
        (x: unknown) => x,
      );
      return { damaged: file, before: snapshotOfFiles, err: e };
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const plan = (await activityRuns(server.client.workflow.getHandle(workflowId))).find((a) => a.type === 'planSelection');
    expect(plan).toMatchObject({ attempt: 1, failure: { type: c.errorType, nonRetryable: true } });
    expect(plan?.failure?.message).toContain(c.excerpt);
    expect(plan?.failure?.message).toContain(path.relative(r.storeDir, damaged));
    expect(await tree(r.storeDir)).toEqual(before);
    if (c.errorType === 'StoreCorrupt') {
      // Everything but the damaged fragment (both cells) still reads; the damage is reported, not hidden.
      const snap = await openStore({ dir: r.storeDir, onCorrupt: 'skip-and-report' }).snapshot();
      expect(await snap.rows('curves')).toHaveLength(4);
      expect(await snap.rows('cells')).toEqual([]);
      expect(snap.problems.map((p) => p.path)).toEqual([path.relative(r.storeDir, damaged)]);
    }
  });
});

describe('a store of another schema version', () => {
  it.each(casesOf('store-open'))('$id: the orchestrator worker process refuses to start, naming the file', async (c) => {
    const r = await hubRoots();
    const damaged = await (BAD_STORES[c.id] ?? missing(c))(r.storeDir);
    const before = await tree(r.storeDir);
    const worker = spawnNode(
      [path.join(PROJECT_ROOT, 'bin', 'mselect.js'), 'worker', '--role', 'orchestrator', '--task-queue', freshQueue('bad-store-open')],
      workerEnv(r, server),
    );
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.output()).toContain(c.excerpt);
    expect(worker.output()).toContain(damaged);
    expect(worker.output()).not.toContain('worker running');
    expect(await tree(r.storeDir)).toEqual(before);
  });
});

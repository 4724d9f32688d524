/**
 * Server restart: a dev server of its own (SQLite file, fixed port) is stopped in the middle
 * of an offline run and of a selection, then started again on the same file and port. The
 * workers stay up throughout, and both runs finish with the same results as undisturbed runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BuildMatrixResult, SelectModelResult } from '../../contracts/schemas';
import { openStore } from '../../matrix-store';
import { launchDevServer } from '../../server/dev-server';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { cellRunId } from '../../workflows/build-performance-matrix';
import { selectionProgressQuery } from '../../workflows/messages';
import { BENCHMARK, MODELS, TARGET, TF_BACKEND, checkpointEpochs, makeHub, makeRoots, removeDir, workerConfig, type Hub, type Roots } from './helpers/fixtures';
import { waitUntil } from './helpers/history';
import { seedHistory, selectionOutcome } from './helpers/selection';
import { connect, connectShared, freePort, freshQueue, gpu, orchestrator, withWorkers, type Server } from './helpers/server';

process.env.MSELECT_TF_BACKEND = TF_BACKEND;

const EPOCHS = 3;
const OFFLINE = { models: [...MODELS], benchmarks: [BENCHMARK], epochs: EPOCHS, trainer: 'tfjs', maxParallel: 1, seed: 11, heartbeatTimeout: '30s' };
const ONLINE = {
  target: TARGET,
  policy: 'successive-halving',
  trainer: 'tfjs',
  budgetEpochs: EPOCHS,
  eta: 2,
  maxParallel: 1,
  seed: 11,
  heartbeatTimeout: '30s',
};

let hub: Hub;
const made: Roots[] = [];
async function roots(): Promise<Roots> {
  const r = await makeRoots(hub);
  made.push(r);
  return r;
}
const servers: TestWorkflowEnvironment[] = [];
const connections: Server[] = [];
let dbDir: string | undefined;

beforeAll(async () => {
  hub = await makeHub(1);
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.map((s) => s.teardown().catch(() => undefined)));
  if (dbDir) await removeDir(dbDir);
  await Promise.all([hub.root, ...made.map((r) => r.dataDir)].map(removeDir));
});

/** Both runs on `server`, each on its own queue and roots, with workers in this process. */
async function bothRuns(
  server: Server,
  offline: Roots,
  online: Roots,
  during: (ids: { offline: string; online: string }) => Promise<void> = async () => undefined,
) {
  const [qOff, qOn] = [freshQueue('restart-offline'), freshQueue('restart-online')];
  const workers = [
    await orchestrator(server, qOff, workerConfig(offline)),
    await gpu(server, qOff, workerConfig(offline)),
    await orchestrator(server, qOn, workerConfig(online)),
    await gpu(server, qOn, workerConfig(online)),
  ];
  return withWorkers(workers, async () => {
    await server.client.workflow.start(buildPerformanceMatrix, { taskQueue: qOff, workflowId: `offline-${qOff}`, args: [OFFLINE] });
    await server.client.workflow.start(selectModel, { taskQueue: qOn, workflowId: `online-${qOn}`, args: [ONLINE] });
    await during({ offline: `offline-${qOff}`, online: `online-${qOn}` });
    // A fresh client: the one that started the runs may have talked to the server that is gone.
    const after = await connect(server.address, server.namespace);
    try {
      return {
        offline: (await after.client.workflow.getHandle(`offline-${qOff}`).result()) as BuildMatrixResult,
        online: (await after.client.workflow.getHandle(`online-${qOn}`).result()) as SelectModelResult,
      };
    } finally {
      await after.close();
    }
  });
}

describe('the dev server restarted in the middle of an offline run and a selection', () => {
  it('both finish, with the results of undisturbed runs', async () => {
    dbDir = mkdtempSync(join(tmpdir(), 'mselect-faults-db-'));
    const dbFile = join(dbDir, 'dev.sqlite');
    const port = await freePort();
    servers.push(await launchDevServer({ port, ui: false, dbFile }));
    const address = `127.0.0.1:${port}`;
    const server = await connect(address);
    connections.push(server);
    const [offHit, onHit, offCalm, onCalm] = [await roots(), await roots(), await roots(), await roots()];
    await Promise.all([onHit, onCalm].map((r) => seedHistory(r.storeDir)));

    let downSeconds = 0;
    const hit = await bothRuns(server, offHit, onHit, async (ids) => {
      const offlineCell = cellRunId({ model: MODELS[0], dataset: BENCHMARK }, EPOCHS, OFFLINE.seed);
      await waitUntil(
        () => checkpointEpochs(offHit.checkpointDir, offlineCell),
        (e) => e.length > 0,
        'the offline run to train',
        120_000,
      );
      const online = server.client.workflow.getHandle(ids.online);
      await waitUntil(
        () => online.query(selectionProgressQuery),
        (p) => Object.keys(p.curves).length > 0,
        'the selection to train',
        120_000,
      );
      for (const id of [ids.offline, ids.online]) expect((await server.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
      const stoppedAt = Date.now();
      await servers.pop()?.teardown();
      await new Promise((r) => setTimeout(r, 2000));
      servers.push(await launchDevServer({ port, ui: false, dbFile }));
      downSeconds = (Date.now() - stoppedAt) / 1000;
    });
    expect(downSeconds).toBeGreaterThan(2);
    await connections.pop()?.close();

    const shared = await connectShared();
    connections.push(shared);
    const calm = await bothRuns(shared, offCalm, onCalm);
    expect(hit.offline).toEqual(calm.offline);
    expect(selectionOutcome(hit.online)).toEqual(selectionOutcome(calm.online));
    const runsOf = async (r: Roots) => (await (await openStore({ dir: r.storeDir }).snapshot()).runSet()).runs;
    expect(await runsOf(offHit)).toEqual(await runsOf(offCalm));
    expect((await runsOf(offHit)).map((r) => r.val.length)).toEqual([EPOCHS, EPOCHS]);
  });
});

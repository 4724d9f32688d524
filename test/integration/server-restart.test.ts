import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { join } from 'node:path';
import { launchDevServer } from '../../server/dev-server';
import { createGpuWorker, createOrchestratorWorker } from '../../workers/create-workers';
import { plumbingCheck } from '../../workflows';
import { plumbingProgressQuery } from '../../workflows/messages';
import { serverInfo, testWorkerConfig } from '../helpers/test-env';
import { tempDir } from '../helpers/temp';

/** A second dev server on its own SQLite file, stopped and started again mid-workflow. */
describe('dev server restart (SQLite persistence)', () => {
  // Servers and connections a test opened and has not closed (it failed half-way); closed after it, newest first.
  type Closable = { close?: () => Promise<unknown>; teardown?: () => Promise<unknown> };
  const open: Closable[] = [];
  const shut = (x: Closable): Promise<unknown> => (x.teardown ? x.teardown() : (x.close?.() ?? Promise.resolve()));
  const opened = <T extends Closable>(x: T): T => {
    open.unshift(x);
    return x;
  };
  const closed = async (x: Closable): Promise<void> => {
    open.splice(open.indexOf(x), 1);
    await shut(x);
  };
  afterEach(async () => {
    for (const x of open.splice(0)) await shut(x).catch(() => undefined);
  });

  it('keeps the workflow history and finishes the run after a restart', async () => {
    const dbFile = join(tempDir('db'), 'dev.sqlite');
    const { bundlePath } = serverInfo();
    const workflowId = 'restart-check';
    const taskQueue = 'restart-q';

    const first = opened(await launchDevServer({ port: 0, ui: false, dbFile }));
    const handle = await first.client.workflow.start(plumbingCheck, { taskQueue, workflowId, args: [{ steps: 1, stepMs: 0, timer: '2s' }] });
    const nc1 = opened(await NativeConnection.connect({ address: first.address }));
    const base1 = {
      connection: nc1,
      namespace: 'default',
      taskQueue,
      config: testWorkerConfig(),
      workflowBundle: { codePath: bundlePath },
      shutdownGraceTime: '1s' as const,
    };
    const w1 = [await createOrchestratorWorker(base1), await createGpuWorker({ ...base1, slots: 1 })];
    await w1[0]!.runUntil(
      w1[1]!.runUntil(async () => {
        for (let i = 0; i < 100; i++) {
          if ((await handle.query(plumbingProgressQuery)).phase === 'waiting-timer') return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('never reached the timer');
      }),
    );
    await closed(nc1);
    await closed(first);

    const second = opened(await launchDevServer({ port: 0, ui: false, dbFile }));
    {
      const conn = opened(await Connection.connect({ address: second.address }));
      const client = new Client({ connection: conn });
      const again = client.workflow.getHandle(workflowId);
      expect((await again.describe()).status.name).toBe('RUNNING');
      const nc2 = opened(await NativeConnection.connect({ address: second.address }));
      const base2 = { ...base1, connection: nc2 };
      const w2 = [await createOrchestratorWorker(base2), await createGpuWorker({ ...base2, slots: 1 })];
      const result = await w2[0]!.runUntil(w2[1]!.runUntil(() => again.result()));
      expect(result).toMatchObject({ stepsDone: 1, timerMs: 2000 });
      const history = await again.fetchHistory();
      expect(history.events?.length).toBeGreaterThan(10);
    }
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { buildPerformanceMatrix } from '../../workflows';
import { syntheticReplay, type SyntheticReplay } from '../helpers/synthetic-replay';
import { harness, serverInfo, withWorkers, type Harness } from '../helpers/test-env';

const ROOT = resolve(__dirname, '..', '..');

/** A GPU worker in its own process, as `mselect worker --role gpu` runs on a GPU machine. */
function gpuWorkerProcess(h: Harness, fx: SyntheticReplay): ChildProcess {
  const { address, namespace } = serverInfo();
  return spawn(process.execPath, [join(ROOT, 'bin', 'mselect.js'), 'worker', '--role', 'gpu', '--slots', '2', '--task-queue', h.taskQueue], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      MSELECT_STORE: h.config.storeDir,
      MSELECT_CHECKPOINTS: h.config.checkpointDir,
      MSELECT_REPLAY_DATA: fx.dir,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function gpuPollers(h: Harness): Promise<number> {
  const r = await h.client.workflowService.describeTaskQueue({ namespace: h.namespace, taskQueue: { name: `${h.taskQueue}-gpu` }, taskQueueType: 2 });
  return (r.pollers ?? []).length;
}

describe('two GPU worker processes', () => {
  const fx = syntheticReplay();
  let h: Harness;
  const procs: ChildProcess[] = [];
  beforeAll(async () => {
    h = await harness('twogpu', { replayDir: fx.dir });
  });
  afterAll(async () => {
    const exited = procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', r))));
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await Promise.all(exited);
    await h.close();
  });

  it('share the fine-tunes of one offline run', async () => {
    procs.push(gpuWorkerProcess(h, fx), gpuWorkerProcess(h, fx));
    for (let i = 0; i < 240 && (await gpuPollers(h)) < 2; i++) await new Promise((r) => setTimeout(r, 250));
    expect(await gpuPollers(h)).toBeGreaterThanOrEqual(2);
    const workflowId = `offline-${h.taskQueue}`;
    const result = await withWorkers([await h.orchestrator()], () =>
      h.client.workflow.execute(buildPerformanceMatrix, {
        taskQueue: h.taskQueue,
        workflowId,
        args: [{ models: [...fx.models], benchmarks: [...fx.benchmarks], epochs: 5, trainer: 'replay', maxParallel: 8 }],
      }),
    );
    expect(result).toMatchObject({ cellsComputed: fx.models.length * fx.benchmarks.length, cellsFailed: 0 });
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = new Map<string, string>();
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name) scheduled.set(String(e.eventId), s.activityType.name);
    }
    const identities = new Set<string>();
    for (const e of history.events ?? []) {
      const st = e.activityTaskStartedEventAttributes;
      if (st && scheduled.get(String(st.scheduledEventId)) === 'fineTune') identities.add(st.identity ?? '');
    }
    expect(identities.size).toBe(2);
  });
});

import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { plumbingCheck, selectModel } from '../../workflows';
import { syntheticReplay, type SyntheticReplay } from '../helpers/synthetic-replay';
import { harness, serverInfo, withWorkers, type Harness } from '../helpers/test-env';

const ROOT = resolve(__dirname, '..', '..');

interface CliRun {
  readonly code: number | null;
  /** stderr from the `mselect:` line on (before it: connection notices and progress lines): the lines that tell the outcome. */
  readonly lines: string[];
  readonly stdout: string;
}

/** Run the built `mselect` CLI against the test server. */
function mselect(args: readonly string[]): Promise<CliRun> {
  const { address, namespace } = serverInfo();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'mselect.js'), ...args],
      { env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        const all = stderr.split('\n').filter((l) => l.trim() !== '');
        const first = all.findIndex((l) => l.startsWith('mselect: '));
        const lines = first < 0 ? all : all.slice(first);
        done({ code, lines, stdout });
      },
    );
  });
}

/** The failure is told in at most 5 lines, without a stack trace, and the command exits 1. */
function expectToldPlainly(run: CliRun): void {
  expect(run.code).toBe(1);
  expect(run.lines.length).toBeGreaterThanOrEqual(1);
  expect(run.lines.length).toBeLessThanOrEqual(5);
  expect(run.lines.join('\n')).not.toMatch(/^\s+at |WorkflowFailedError|\.js:\d+/m);
}

describe('the CLI tells a failed, cancelled or terminated workflow in a few lines', () => {
  let fx: SyntheticReplay;
  let h: Harness;
  beforeAll(async () => {
    fx = syntheticReplay();
    h = await harness('clifail', { replayDir: fx.dir });
  });
  afterAll(async () => {
    await h?.close();
    fx?.remove();
  });

  it('select, status and report of a selection for an unknown target name the activity, the type and the message', async () => {
    const workflowId = `unknown-target-${h.taskQueue}`;
    const select = await withWorkers([await h.orchestrator(), await h.gpuWorker()], () =>
      mselect([
        'select',
        '--target',
        'no-such-target',
        '--trainer',
        'replay',
        '--task-queue',
        h.taskQueue,
        '--input',
        JSON.stringify({ target: 'no-such-target' }),
      ]),
    );
    expectToldPlainly(select);
    process.stderr.write(`mselect select of an unknown target:\n${select.lines.join('\n')}\n`);
    expect(select.lines[0]).toMatch(/^mselect: Workflow select-no-such-target-\w+ \(selectModel\) failed$/);
    expect(select.lines).toContain('  in activity planSelection (target no-such-target), non-retryable');
    expect(select.lines.at(-1)).toMatch(/^ {2}DatasetNotFound: target dataset "no-such-target" is not known to the replay trainer/);

    // The same failure read back by id, and the workflow's own failure names the cause on top.
    const id = (select.lines[0] ?? '').split(' ')[2] ?? workflowId;
    for (const command of ['status', 'report']) {
      const run = await mselect([command, id]);
      expectToldPlainly(run);
      expect(run.lines).toEqual(select.lines);
    }
    const failure = await h.client.workflow
      .getHandle(id)
      .result()
      .catch((e: { cause?: { message?: string; type?: string } }) => e.cause);
    expect(failure).toMatchObject({ type: 'DatasetNotFound', message: expect.stringMatching(/^planSelection: target dataset "no-such-target" is not known/) });
  });

  it('status and report of a cancelled, a terminated and a timed-out workflow say so in one line', async () => {
    const input = { steps: 1, stepMs: 0, timer: '1h' };
    const cancelled = await h.client.workflow.start(plumbingCheck, { taskQueue: h.taskQueue, workflowId: `cancelled-${h.taskQueue}`, args: [input] });
    await withWorkers([await h.orchestrator()], async () => {
      await cancelled.cancel();
      await cancelled.result().catch(() => undefined);
    });
    const terminated = await h.client.workflow.start(selectModel, {
      taskQueue: h.taskQueue,
      workflowId: `terminated-${h.taskQueue}`,
      args: [{ target: 'ds-5', trainer: 'replay' }],
    });
    await terminated.terminate('stopped by the operator');
    // Nobody polls this queue: the server times the run out.
    const timedOut = await h.client.workflow.start(plumbingCheck, {
      taskQueue: `${h.taskQueue}-idle`,
      workflowId: `timed-out-${h.taskQueue}`,
      args: [input],
      workflowExecutionTimeout: '1s',
    });
    await timedOut.result().catch(() => undefined);

    for (const command of ['status', 'report']) {
      const c = await mselect([command, cancelled.workflowId]);
      expectToldPlainly(c);
      expect(c.lines).toEqual([`mselect: Workflow ${cancelled.workflowId} (plumbingCheck) was cancelled`]);
      const t = await mselect([command, terminated.workflowId]);
      expectToldPlainly(t);
      expect(t.lines).toEqual([`mselect: Workflow ${terminated.workflowId} (selectModel) was terminated: stopped by the operator`]);
      const o = await mselect([command, timedOut.workflowId]);
      expectToldPlainly(o);
      expect(o.lines).toEqual([`mselect: Workflow ${timedOut.workflowId} (plumbingCheck) timed out (start-to-close)`]);
    }
  });
});

/**
 * Catalogue cases for workflow input typed in the web UI (raw JSON, no starter in between):
 * the workflow fails in its first workflow task with a non-retryable InvalidInput naming
 * every bad field, schedules no activity and never retries the workflow task.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { buildPerformanceMatrix, selectModel } from '../../workflows';
import { casesOf } from './catalogue';
import { hubRoots, removeHubRoots } from './helpers/bad-runs';
import { workerConfig } from './helpers/fixtures';
import { eventTypeCounts } from './helpers/history';
import { connectShared, freshQueue, orchestrator, type Server } from './helpers/server';

let server: Server;
let worker: Worker;
let running: Promise<void>;
const taskQueue = freshQueue('bad-ui');
beforeAll(async () => {
  server = await connectShared();
  worker = await orchestrator(server, taskQueue, workerConfig(await hubRoots()));
  running = worker.run();
});
afterAll(async () => {
  worker.shutdown();
  await running;
  await server.close();
  await removeHubRoots();
});

describe('bad workflow input from the web UI', () => {
  it.each(casesOf('workflow'))('$id: fails at once with InvalidInput naming the field', async (c) => {
    const workflowId = `${c.id}-${taskQueue}`;
    const started = Date.now();
    const run =
      c.workflow === 'selectModel'
        ? server.client.workflow.execute(selectModel, { taskQueue, workflowId, args: [c.json] })
        : server.client.workflow.execute(buildPerformanceMatrix, { taskQueue, workflowId, args: [c.json] });
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: c.errorType, nonRetryable: true });
    expect(cause?.message).toContain(c.excerpt);
    expect(cause?.message).toContain(`${c.workflow} input (workflow ${workflowId})`);
    const events = await eventTypeCounts(server.client.workflow.getHandle(workflowId));
    expect(events).toMatchObject({ WorkflowTaskStarted: 1, WorkflowExecutionFailed: 1 });
    expect(events.WorkflowTaskFailed ?? 0).toBe(0);
    expect(events.ActivityTaskScheduled ?? 0).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

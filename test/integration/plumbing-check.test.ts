import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { plumbingCheck } from '../../workflows';
import { addStepsUpdate, plumbingProgressQuery } from '../../workflows/messages';
import { harness, withWorkers, type Harness } from '../helpers/test-env';

let h: Harness;
beforeAll(async () => {
  h = await harness('plumbing');
});
afterAll(async () => h.close());

describe('plumbingCheck on the real dev server', () => {
  it('runs the heartbeating activity on the GPU queue, the timer, the query and a validated update', async () => {
    const workers = [await h.orchestrator(), await h.gpuWorker()];
    const result = await withWorkers(workers, async () => {
      const handle = await h.client.workflow.start(plumbingCheck, {
        taskQueue: h.taskQueue,
        workflowId: `plumbing-${h.taskQueue}`,
        args: [{ steps: 3, stepMs: 50, timer: '1500ms' }],
      });
      // Wait until the first phase is done, then update during the timer.
      let progress = await handle.query(plumbingProgressQuery);
      for (let i = 0; i < 100 && progress.phase === 'working'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        progress = await handle.query(plumbingProgressQuery);
      }
      expect(progress).toMatchObject({ phase: 'waiting-timer', stepsDone: 3, stepsTotal: 3 });
      await expect(handle.executeUpdate(addStepsUpdate, { args: [{ steps: 0 }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(handle.executeUpdate(addStepsUpdate, { args: [{ steps: 2 }] })).resolves.toBe(5);
      return handle.result();
    });
    expect(result.stepsDone).toBe(5);
    expect(result.timerMs).toBe(1500);
    expect(result.updatesApplied).toBe(1);
    expect(result.workers).toHaveLength(1);
  });

  it('fails at once, without retries, on input typed wrong in the UI', async () => {
    const workers = [await h.orchestrator()];
    const err = await withWorkers(workers, () =>
      h.client.workflow
        .execute(plumbingCheck, { taskQueue: h.taskQueue, workflowId: `bad-${h.taskQueue}`, args: [{ steps: -1, timer: 'soon' }] })
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('InvalidInput');
    expect((cause as ApplicationFailure).message).toMatch(/steps: .*greater than or equal to 1/);
    expect((cause as ApplicationFailure).message).toMatch(/timer: must be a duration/);
  });
});

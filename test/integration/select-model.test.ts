import { WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { selectModel } from '../../workflows';
import { addCandidatesUpdate, finishNowUpdate, selectionProgressQuery, setBudgetUpdate } from '../../workflows/messages';
import { slowedGpuActivities } from '../helpers/replay-fixture';
import { harness, withWorkers, type Harness } from '../helpers/test-env';
import { MAXIMIZED_TARGET, buildSyntheticMatrix, syntheticReplay, type SyntheticReplay } from '../helpers/synthetic-replay';

const REPLAY_TARGET = MAXIMIZED_TARGET;

async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await get();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('selectModel on the real dev server: updates, round deadline (synthetic recorded hub)', () => {
  let h: Harness;
  let data: SyntheticReplay;
  let REPLAY_MODELS: readonly string[];
  beforeAll(async () => {
    data = syntheticReplay();
    REPLAY_MODELS = data.hub.runs.models.slice(0, 8);
    h = await harness('select', { replayDir: data.dir });
    const ws = [await h.orchestrator(), await h.gpuWorker(8)];
    await withWorkers(ws, () => buildSyntheticMatrix(h, REPLAY_MODELS));
  });
  afterAll(async () => {
    await h?.close();
    data?.remove();
  });

  it('takes addCandidates and setBudget with validators, then finishNow picks the best so far', async () => {
    const ws = [await h.orchestrator(), await h.gpuWorker(8, await slowedGpuActivities(h.config, 1500))];
    await withWorkers(ws, async () => {
      const handle = await h.client.workflow.start(selectModel, {
        taskQueue: h.taskQueue,
        workflowId: `messages-${h.taskQueue}`,
        args: [{ target: REPLAY_TARGET, policy: 'two-phase-paper', recallSize: 4, trainer: 'replay', budgetEpochs: 5 }],
      });
      const p = await waitFor(
        () => handle.query(selectionProgressQuery),
        (v) => v.phase === 'training',
        'the first round',
      );
      expect(p.candidates).toHaveLength(4);
      expect(p.poolSize).toBe(REPLAY_MODELS.length);
      const outsider = REPLAY_MODELS.find((m) => !p.candidates.includes(m)) as string;

      await expect(handle.executeUpdate(setBudgetUpdate, { args: [{ budgetEpochs: 0 }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(handle.executeUpdate(addCandidatesUpdate, { args: [{ models: [p.candidates[0] as string] }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/already candidates/) },
      });
      await expect(handle.executeUpdate(setBudgetUpdate, { args: [{ budgetEpochs: 4 }] })).resolves.toBe(4);
      const afterAdd = await handle.executeUpdate(addCandidatesUpdate, { args: [{ models: [outsider] }] });
      expect(afterAdd).toContain(outsider);
      expect((await handle.query(selectionProgressQuery)).pendingCandidates).toEqual([outsider]);

      await waitFor(
        () => handle.query(selectionProgressQuery),
        (v) => (v.curves[outsider]?.length ?? 0) >= 1,
        'the added model to train',
      );
      const pick = await handle.executeUpdate(finishNowUpdate);
      const result = await handle.result();
      expect(result.pick).toBe(pick);
      expect(result.budgetEpochs).toBe(4);
      expect(result.candidates).toContain(outsider);
      expect(result.survivors).toEqual([pick]);
      expect(result.eliminations.every((e) => e.reason !== 'deadline')).toBe(true);
      await expect(handle.executeUpdate(finishNowUpdate)).rejects.toBeDefined();
    });
  });

  it('a straggler past the round deadline is cancelled and eliminated with the reason, the run goes on', async () => {
    const straggler = REPLAY_MODELS[3] as string;
    const ws = [await h.orchestrator(), await h.gpuWorker(8, await slowedGpuActivities(h.config, 8000, (m) => m === straggler))];
    const result = await withWorkers(ws, () =>
      h.client.workflow.execute(selectModel, {
        taskQueue: h.taskQueue,
        workflowId: `deadline-${h.taskQueue}`,
        args: [{ target: REPLAY_TARGET, policy: 'successive-halving', trainer: 'replay', budgetEpochs: 3, roundDeadline: '1500ms' }],
      }),
    );
    const e = result.eliminations.find((x) => x.model === straggler);
    expect(e).toMatchObject({ reason: 'deadline', round: 1, epoch: 0 });
    expect(e?.detail).toMatch(/round deadline of 1500 ms/);
    expect(result.pick).not.toBe(straggler);
    expect(result.pick).not.toBeNull();
    const history = await h.client.workflow.getHandle(`deadline-${h.taskQueue}`).fetchHistory();
    const summaries = (history.events ?? []).flatMap((e) =>
      e.timerStartedEventAttributes && e.userMetadata?.summary ? [defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary)] : [],
    );
    expect(summaries[0]).toMatch(/^round 1 deadline: 8 fine-tune\(s\) to epoch 1$/);
  });
});

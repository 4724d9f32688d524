import { allHandlersFinished, condition, patched, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { parseOrFail } from '../contracts/parse';
import { durationMs } from '../contracts/duration';
import { selectionProgressLine } from '../contracts/progress-text';
import { SelectModelInputSchema, type SelectModelResult } from '../contracts/schemas/selection';
import { CHECKPOINT_LIFECYCLE_PATCH, light } from './activities';
import { addCandidatesUpdate, finishNowUpdate, selectionProgressQuery, setBudgetUpdate } from './messages';
import { SelectionState } from './selection-state';
import { decidePhase, recallPhase, releaseEliminated, settleCheckpoints, trainRound, trainWinner } from './selection-rounds';

/**
 * Online phase for one target: plan the pool from the matrix store, coarse recall (with the
 * proxy scores the policy asks for), then rounds in which the survivors train in parallel
 * (each round bounded by a durable deadline timer) and the policy engine decides who goes
 * on, until one model is left or the policy picks at the budget epoch; the pick is trained
 * to the budget. The decisions are replay's (algorithms/policy.ts), in activities. Answers `progress`; takes `addCandidates`, `setBudget` and `finishNow` updates.
 * Fails with InvalidInput on bad input, ModelNotFound / DatasetNotFound from planning.
 * Its current details in the web UI are the CLI's one-line progress; every activity has a
 * summary naming what it works on.
 */
export async function selectModel(raw: unknown): Promise<SelectModelResult> {
  const input = parseOrFail(SelectModelInputSchema, raw, `selectModel input (workflow ${workflowInfo().workflowId})`);
  const info = workflowInfo();
  const s = new SelectionState(input, (p) => setCurrentDetails(selectionProgressLine(p)));
  s.run = { workflowId: info.workflowId, namespace: info.namespace, startedAt: info.startTime.toISOString() };
  setHandler(selectionProgressQuery, () => s.progress());
  setHandler(addCandidatesUpdate, (u) => s.addCandidates(u), { validator: (u) => s.validateAddCandidates(u) });
  setHandler(setBudgetUpdate, (u) => s.setBudget(u), { validator: (u) => s.validateSetBudget(u) });
  setHandler(finishNowUpdate, () => s.finishNow(), { validator: () => s.validateFinishNow() });
  upsertSearchAttributes({ MselectTarget: [input.target], MselectPolicy: [input.policy] });
  // Histories recorded before the checkpoint lifecycle replay without its release activities.
  const lifecycle = patched(CHECKPOINT_LIFECYCLE_PATCH);
  const released = new Set<string>();

  const pool = input.models ? `${input.models.length} named models` : 'every live model';
  const plan = await light(`planSelection for ${input.target}: ${input.policy} over ${pool}`).planSelection({
    target: input.target,
    models: input.models,
    policy: input.policy,
    options: s.options,
    seed: input.seed,
    trainer: input.trainer,
    storeVersion: input.storeVersion,
  });
  s.setPool(plan.pool, plan.storeVersion, plan.direction, plan.metric ?? null);
  s.setEpochTimings(plan.meanEpochSeconds);
  await recallPhase(s, plan.proxyRequest);

  const deadlineMs = durationMs(input.roundDeadline);
  while (!s.finished()) {
    s.admitPending();
    const epoch = s.nextEpoch();
    await trainRound(s, epoch, deadlineMs);
    if (s.stopRequested() || s.survivors.length === 0) break;
    await decidePhase(s, epoch);
    if (lifecycle) await releaseEliminated(s, released);
  }
  await trainWinner(s);
  s.finishedAt = new Date().toISOString();
  s.phase = 'done';
  await condition(allHandlersFinished);
  const pickCheckpoint = lifecycle ? await settleCheckpoints(s) : null;
  const report = await light(`writeSelectionReport for ${input.target}: pick ${s.result().pick ?? 'none'}`).writeSelectionReport({
    workflowId: info.workflowId,
    result: { ...s.result(), pickCheckpoint },
  });
  return { ...s.result(report.path), pickCheckpoint };
}

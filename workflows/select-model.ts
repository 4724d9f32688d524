import { allHandlersFinished, condition, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { parseOrFail } from '../contracts/parse';
import { durationMs } from '../contracts/duration';
import { SelectModelInputSchema, type SelectModelResult } from '../contracts/schemas';
import { light } from './activities';
import { addCandidatesUpdate, finishNowUpdate, selectionProgressQuery, setBudgetUpdate } from './messages';
import { SelectionState } from './selection-state';
import { recallPhase, trainRound, trainWinner } from './selection-rounds';

/**
 * Online phase for one target: plan the pool from the matrix store, coarse recall with a
 * proxy on cluster representatives, then rounds in which the survivors train in parallel
 * (each round bounded by a durable deadline timer), a decision activity predicts and
 * eliminates, until one model is left or the budget is spent; the pick is trained to the
 * budget. Answers `progress`; takes `addCandidates`, `setBudget` and `finishNow` updates.
 * Fails with InvalidInput on bad input, ModelNotFound / DatasetNotFound from planning.
 */
export async function selectModel(raw: unknown): Promise<SelectModelResult> {
  const input = parseOrFail(SelectModelInputSchema, raw, `selectModel input (workflow ${workflowInfo().workflowId})`);
  const s = new SelectionState(input);
  setHandler(selectionProgressQuery, () => s.progress());
  setHandler(addCandidatesUpdate, (u) => s.addCandidates(u), { validator: (u) => s.validateAddCandidates(u) });
  setHandler(setBudgetUpdate, (u) => s.setBudget(u), { validator: (u) => s.validateSetBudget(u) });
  setHandler(finishNowUpdate, () => s.finishNow(), { validator: () => s.validateFinishNow() });
  upsertSearchAttributes({ MselectTarget: [input.target], MselectPolicy: [input.policy] });

  const plan = await light().planSelection({ target: input.target, models: input.models, policy: input.policy, proxy: input.proxy, trainer: input.trainer, storeVersion: input.storeVersion });
  s.setPool(plan.pool, plan.storeVersion);
  await recallPhase(s, plan.proxyModels);

  const deadlineMs = durationMs(input.roundDeadline);
  while (!s.finished()) {
    s.admitPending();
    const epoch = s.nextEpoch();
    await trainRound(s, epoch, deadlineMs);
    if (s.stopRequested() || s.survivors.length === 0) break;
    s.phase = 'deciding';
    const d = await light().decideRound({
      target: input.target, policy: input.policy, eta: input.eta, epoch, budgetEpochs: s.budget,
      models: s.survivors, curves: s.survivors.map((m) => s.curveOf(m)), storeVersion: s.storeVersion, seed: input.seed,
    });
    s.applyDecision(d, epoch);
  }
  await trainWinner(s);
  s.phase = 'done';
  await condition(allHandlersFinished);
  const report = await light().writeSelectionReport({ workflowId: workflowInfo().workflowId, result: s.result() });
  return s.result(report.path);
}

import { CancellationScope, condition, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../contracts/duration';
import { gpu, light } from './activities';
import type { SelectionState } from './selection-state';
import { slidingWindow } from './window';
import { failureMessage } from './failures';

/** Policies whose candidates come from coarse recall; the others start from the whole pool. */
const RECALL_POLICIES = new Set(['two-phase-paper', 'prior-shrink-halving']);

/** Coarse recall: proxy scores on representatives (GPU queue), then the recall decision. */
export async function recallPhase(s: SelectionState, proxyModels: readonly string[]): Promise<void> {
  s.phase = 'recall';
  const proxy = s.input.proxy;
  if (!RECALL_POLICIES.has(s.input.policy)) {
    s.setCandidates(s.pool, {});
    return;
  }
  const proxyScores: Record<string, number> = {};
  const act = gpu({ heartbeatTimeoutMs: durationMs(s.input.heartbeatTimeout) });
  if (proxy !== 'history-prior') {
    await slidingWindow(proxyModels, s.input.maxParallel, async (model) => {
      const r = await act.proxyScore({ model, target: s.input.target, proxy, seed: s.input.seed });
      proxyScores[model] = r.value;
    });
  }
  s.proxyCharges = proxyModels.length;
  const r = await light().recall({
    target: s.input.target, pool: s.pool, policy: s.input.policy, recallSize: s.input.recallSize,
    proxy: s.input.proxy, proxyScores, storeVersion: s.storeVersion,
  });
  s.setCandidates(r.candidates, r.scores);
}

/** Fine-tune `model` to `toEpoch`; the result is recorded unless `late()` says the round already closed. */
async function fineTune(s: SelectionState, model: string, toEpoch: number, late: () => boolean = () => false): Promise<boolean> {
  const from = s.epochsOf(model);
  const r = await gpu({ heartbeatTimeoutMs: durationMs(s.input.heartbeatTimeout) }).fineTune({
    trainer: s.input.trainer, modelId: model, datasetId: s.input.target, fromEpoch: from, toEpoch,
    resume: s.checkpointOf(model), seed: s.input.seed, runId: `${workflowInfo().workflowId}/${model}@${s.input.target}`,
  });
  if (late()) return false;
  s.recordEpochs(model, r.curve.map((e) => e.metric), r.checkpoint, r.test, r.backend);
  return true;
}

/**
 * Train every survivor to `epoch` in parallel (at most maxParallel at once). The round
 * ends when all finish, when the durable deadline timer fires (stragglers are cancelled
 * and eliminated with reason `deadline`; a result that arrives after the deadline, while
 * cancellation completes, is discarded), or on `finishNow` (running fine-tunes are
 * cancelled; nobody is eliminated for it). A fine-tune that fails for good is eliminated
 * with reason `failed`.
 */
export async function trainRound(s: SelectionState, epoch: number, deadlineMs: number): Promise<void> {
  s.phase = 'training';
  const jobs = s.survivors.filter((m) => s.epochsOf(m) < epoch);
  const finished = new Set<string>();
  let closed = false;
  const work = new CancellationScope();
  const timer = new CancellationScope();
  const training = work.run(() =>
    slidingWindow(jobs, s.input.maxParallel, async (m) => {
      try {
        if (!(await fineTune(s, m, epoch, () => closed))) return;
      } catch (err) {
        if (isCancellation(err) || closed) return;
        s.eliminate(m, 'failed', failureMessage(err));
      }
      finished.add(m);
    }),
  );
  const outcome = await Promise.race([
    training.then(() => 'done' as const),
    timer.run(() => sleep(deadlineMs)).then(() => 'deadline' as const, () => 'done' as const),
    timer.run(() => condition(() => s.stopRequested())).then(() => 'finish' as const, () => 'done' as const),
  ]);
  timer.cancel();
  if (outcome === 'done') return;
  closed = true;
  work.cancel();
  await training;
  if (outcome === 'deadline') {
    for (const m of jobs) if (!finished.has(m)) s.eliminate(m, 'deadline', `still training to epoch ${epoch} when the round deadline of ${deadlineMs} ms passed`);
  }
}

/** Train the pick to the budget (the paper's costing), unless the run is finished early (then training stops at once). */
export async function trainWinner(s: SelectionState): Promise<void> {
  s.phase = 'finishing';
  const pick = s.bestSurvivor();
  if (!pick || s.stopRequested() || s.epochsOf(pick) >= s.budget) return;
  const work = new CancellationScope();
  const stop = new CancellationScope();
  const training = work.run(() => fineTune(s, pick, s.budget, () => s.stopRequested())).catch((err: unknown) => {
    if (!isCancellation(err) && !s.stopRequested()) s.eliminate(pick, 'failed', failureMessage(err));
    return false;
  });
  const stopped = await Promise.race([training.then(() => false), stop.run(() => condition(() => s.stopRequested())).then(() => true, () => false)]);
  stop.cancel();
  if (stopped) {
    work.cancel();
    await training;
  }
}

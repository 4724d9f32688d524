import { CancellationScope, condition, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../contracts/duration';
import { gpu, light } from './activities';
import type { PlanSelectionOutput } from '../contracts/schemas/selection';
import type { SelectionState } from './selection-state';
import { slidingWindow } from './window';
import { failureMessage } from './failures';

/**
 * Coarse recall: the proxy scores the policy asked for (planSelection's request), computed on
 * the GPU queue at most maxParallel at once, then the policy's recall. The proxy charge is
 * the engine's, identical to replay's.
 */
export async function recallPhase(s: SelectionState, request: PlanSelectionOutput['proxyRequest']): Promise<void> {
  s.phase = 'recall';
  const proxyScores: Record<string, number> = {};
  if (request !== null) {
    await slidingWindow(request.models, s.input.maxParallel, async (model) => {
      const act = gpu({ heartbeatTimeoutMs: durationMs(s.input.heartbeatTimeout), summary: `proxyScore ${request.proxy} of ${model} on ${s.input.target}` });
      const r = await act.proxyScore({ model, target: s.input.target, proxy: request.proxy, seed: s.input.seed });
      proxyScores[model] = r.value;
    });
  }
  const by = request === null ? '' : ` by ${request.proxy} on ${request.models.length} models`;
  const r = await light(`recall ${s.input.policy} for ${s.input.target}: ${s.pool.length} models${by}`).recall({
    target: s.input.target, policy: s.input.policy, options: s.options, seed: s.input.seed, pool: s.pool, direction: s.direction,
    proxy: request?.proxy ?? null, proxyScores, storeVersion: s.storeVersion,
  });
  s.proxyCharges = r.proxyCharges;
  s.setCandidates(r.candidates, r.scores, r.warnings ?? []);
}

/** The policy's decision on the survivors after `epoch` (at the budget epoch: its pick). */
export async function decidePhase(s: SelectionState, epoch: number): Promise<void> {
  s.phase = 'deciding';
  const budget = s.budget;
  const models = [...s.survivors];
  const d = await light(`decideRound round ${s.round}: ${models.length} models at epoch ${epoch} of ${budget}`).decideRound({
    target: s.input.target, policy: s.input.policy, options: s.options, seed: s.input.seed, direction: s.direction,
    epoch, budgetEpochs: budget, models, curves: models.map((m) => s.curveOf(m)), storeVersion: s.storeVersion,
  });
  s.applyDecision(d, epoch, budget, models);
}

/** Fine-tune `model` to `toEpoch`; the result is recorded unless `late()` says the round already closed. */
async function fineTune(s: SelectionState, model: string, toEpoch: number, late: () => boolean = () => false): Promise<boolean> {
  const from = s.epochsOf(model);
  const r = await gpu({ heartbeatTimeoutMs: durationMs(s.input.heartbeatTimeout), summary: `fineTune ${model} on ${s.input.target}, epochs ${from}→${toEpoch}` }).fineTune({
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
    timer.run(() => sleep(deadlineMs, { summary: `round ${s.round} deadline: ${jobs.length} fine-tune(s) to epoch ${epoch}` })).then(() => 'deadline' as const, () => 'done' as const),
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

import { allHandlersFinished, condition, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/common';
import { formatIssues, parseOrFail } from '../contracts/parse';
import { durationMs } from '../contracts/duration';
import { ErrorType } from '../contracts/errors';
import { AddStepsSchema, PlumbingCheckInputSchema, type PlumbingCheckOutput, type PlumbingProgress } from '../contracts/schemas/plumbing';
import { gpu } from './activities';
import { addStepsUpdate, plumbingProgressQuery } from './messages';

/**
 * The end-to-end check of the plumbing: a heartbeating activity on the GPU queue, a
 * durable timer, a `progress` query and an `addSteps` update (validated) that adds work
 * which runs after the timer. Fails with `InvalidInput` on bad input.
 */
export async function plumbingCheck(rawInput: unknown): Promise<PlumbingCheckOutput> {
  const input = parseOrFail(PlumbingCheckInputSchema, rawInput, `plumbingCheck input (workflow ${workflowInfo().workflowId})`);
  const timerMs = durationMs(input.timer);
  let phase: PlumbingProgress['phase'] = 'working';
  let stepsDone = 0;
  let stepsTotal = input.steps;
  let updatesApplied = 0;
  const resumed: number[] = [];
  const workers = new Set<string>();

  setHandler(plumbingProgressQuery, () => ({ phase, stepsDone, stepsTotal, heartbeatsResumedFrom: resumed }));
  setHandler(
    addStepsUpdate,
    (u) => {
      stepsTotal += u.steps;
      updatesApplied += 1;
      return stepsTotal;
    },
    {
      validator: (u) => {
        const r = AddStepsSchema.safeParse(u);
        if (!r.success) throw ApplicationFailure.create({ type: ErrorType.InvalidInput, message: `addSteps: ${formatIssues(r.error.issues)}` });
        if (phase === 'done') throw ApplicationFailure.create({ type: ErrorType.InvalidInput, message: 'addSteps: the check has finished' });
      },
    },
  );

  const run = async (): Promise<void> => {
    const r = await gpu({ heartbeatTimeoutMs: input.heartbeatTimeoutMs, summary: `countSteps ${stepsDone}→${stepsTotal}` }).countSteps({
      from: stepsDone,
      to: stepsTotal,
      stepMs: input.stepMs,
    });
    if (r.resumedFrom > stepsDone) resumed.push(r.resumedFrom);
    stepsDone = stepsTotal;
    workers.add(r.worker);
  };
  await run();
  phase = 'waiting-timer';
  await sleep(timerMs, { summary: 'plumbing check: durable timer' });
  if (stepsTotal > stepsDone) {
    phase = 'extra-steps';
    await run();
  }
  phase = 'done';
  await condition(allHandlersFinished);
  return { stepsDone, timerMs, updatesApplied, workers: [...workers] };
}

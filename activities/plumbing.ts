import { Context } from '@temporalio/activity';
import { hostname } from 'node:os';
import { CountStepsInputSchema, type CountStepsInput, type CountStepsOutput } from '../contracts/schemas';
import { parseOrFail } from '../contracts/parse';

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Activities of the plumbing check. */
export function createPlumbingActivities() {
  return {
    /**
     * Count steps `from`..`to`, heartbeating `{ step }` after each one. A retry resumes
     * after the last heartbeated step instead of starting again. Idempotent; cancellable.
     */
    async countSteps(raw: CountStepsInput): Promise<CountStepsOutput> {
      const input = parseOrFail(CountStepsInputSchema, raw, 'countSteps input');
      const ctx = Context.current();
      const last = (ctx.info.heartbeatDetails as { step?: number } | undefined)?.step;
      const resumedFrom = typeof last === 'number' ? last : input.from;
      for (let step = resumedFrom + 1; step <= input.to; step++) {
        await wait(input.stepMs, ctx.cancellationSignal);
        ctx.heartbeat({ step });
      }
      return { stepsRun: input.to - resumedFrom, resumedFrom, worker: `${hostname()}/${process.pid}` };
    },
  };
}

import { ActivityFailure, ApplicationFailure } from '@temporalio/common';

/** The message of a failed activity or child as the workflow sees it: the cause's, when there is one. */
export function failureMessage(err: unknown): string {
  const e = err as { cause?: { message?: string }; message?: string };
  return e.cause?.message ?? e.message ?? String(err);
}

/**
 * The workflow `run`, failing with the cause on top: when an activity's ApplicationFailure
 * ends the run, the workflow fails with that failure's type and message (prefixed with the
 * activity's name), the activity failure kept as its cause, so the web UI's first line says
 * what went wrong instead of "Activity task failed". Cancellation, continue-as-new and every
 * other failure pass unchanged. The wrapper keeps `run`'s name (the workflow type).
 */
export function causeOnTop<A extends unknown[], R>(run: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const wrapped = async (...args: A): Promise<R> => {
    try {
      return await run(...args);
    } catch (err) {
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
        throw ApplicationFailure.create({
          type: err.cause.type ?? undefined,
          message: `${err.activityType}: ${err.cause.message}`,
          nonRetryable: true,
          cause: err,
        });
      }
      throw err;
    }
  };
  Object.defineProperty(wrapped, 'name', { value: run.name });
  return wrapped;
}

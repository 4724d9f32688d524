/**
 * Reading what happened from a workflow's history: every activity with its input, the
 * attempt that finished, why the previous attempt ended, and the result or failure.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { FineTuneOutput, FineTuneRequest } from '../../../contracts/schemas/training';

type Payloads = temporal.api.common.v1.IPayloads | null | undefined;
type Failure = temporal.api.failure.v1.IFailure | null | undefined;

export interface FailureSummary {
  readonly message: string;
  /** ApplicationFailure type, or `timeout:<TYPE>` for a timeout. */
  readonly type: string | null;
  readonly nonRetryable: boolean;
}

export interface ActivityRun {
  readonly type: string;
  readonly input: unknown;
  /** Attempt that reached the final state (1 = no retry). */
  readonly attempt: number;
  /** Why the attempt before the final one ended. */
  readonly lastFailure: FailureSummary | null;
  readonly result?: unknown;
  readonly failure?: FailureSummary;
}

const TIMEOUT_TYPES: Record<number, string> = { 1: 'START_TO_CLOSE', 2: 'SCHEDULE_TO_START', 3: 'SCHEDULE_TO_CLOSE', 4: 'HEARTBEAT' };

function first(p: Payloads): unknown {
  const payload = p?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

/** The innermost useful description of a failure (activity failures wrap the cause). */
export function summarize(f: Failure): FailureSummary | null {
  if (!f) return null;
  if (f.applicationFailureInfo)
    return { message: f.message ?? '', type: f.applicationFailureInfo.type ?? null, nonRetryable: Boolean(f.applicationFailureInfo.nonRetryable) };
  if (f.timeoutFailureInfo)
    return { message: f.message ?? '', type: `timeout:${TIMEOUT_TYPES[Number(f.timeoutFailureInfo.timeoutType)] ?? 'UNKNOWN'}`, nonRetryable: false };
  if (f.cause) return summarize(f.cause);
  return { message: f.message ?? '', type: null, nonRetryable: false };
}

/** Every activity of the workflow's current run, in scheduling order. */
export async function activityRuns(handle: WorkflowHandle): Promise<ActivityRun[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const runs = new Map<
    string,
    { type: string; input: unknown; attempt: number; lastFailure: FailureSummary | null; result?: unknown; failure?: FailureSummary }
  >();
  for (const e of events) {
    const id = String(e.eventId);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) runs.set(id, { type: scheduled.activityType?.name ?? '', input: first(scheduled.input), attempt: 0, lastFailure: null });
    const started = e.activityTaskStartedEventAttributes;
    const startedRun = started ? runs.get(String(started.scheduledEventId)) : undefined;
    if (started && startedRun) {
      startedRun.attempt = started.attempt ?? 0;
      startedRun.lastFailure = summarize(started.lastFailure);
    }
    const completed = e.activityTaskCompletedEventAttributes;
    const completedRun = completed ? runs.get(String(completed.scheduledEventId)) : undefined;
    if (completed && completedRun) completedRun.result = first(completed.result);
    const failed = e.activityTaskFailedEventAttributes;
    const failedRun = failed ? runs.get(String(failed.scheduledEventId)) : undefined;
    if (failed && failedRun) failedRun.failure = summarize(failed.failure) ?? undefined;
    const timedOut = e.activityTaskTimedOutEventAttributes;
    const timedOutRun = timedOut ? runs.get(String(timedOut.scheduledEventId)) : undefined;
    if (timedOut && timedOutRun) timedOutRun.failure = summarize(timedOut.failure) ?? undefined;
  }
  return [...runs.values()];
}

/** Where a selection's fine-tunes ran, from its activities (activityRuns). */
export interface Placement {
  /** Fine-tunes that resumed from an earlier round's checkpoint. */
  readonly resumes: number;
  /** Of them, those that ran on the worker (its own task queue) that wrote that checkpoint. */
  readonly onWriter: number;
  /** Fine-tunes that waited `workerQueueTimeout` on a worker's queue and went to the shared one. */
  readonly fallbacks: number;
}

export function placementOf(runs: readonly ActivityRun[]): Placement {
  const fallbacks = runs.filter((x) => x.type === 'fineTune' && x.failure?.type === 'timeout:SCHEDULE_TO_START').length;
  const writer = new Map<string, string | undefined>();
  let onWriter = 0;
  let resumes = 0;
  for (const t of runs.filter((x) => x.type === 'fineTune' && x.result !== undefined)) {
    const input = t.input as FineTuneRequest;
    const out = t.result as FineTuneOutput;
    if (input.resume) {
      resumes += 1;
      if (writer.get(input.runId) === out.workerQueue) onWriter += 1;
    }
    writer.set(input.runId, out.workerQueue);
  }
  return { resumes, onWriter, fallbacks };
}

/** Counts of history event types, e.g. `{ WorkflowTaskFailed: 0 }` checks. */
export async function eventTypeCounts(handle: WorkflowHandle): Promise<Record<string, number>> {
  const events = (await handle.fetchHistory()).events ?? [];
  const counts: Record<string, number> = {};
  for (const e of events) {
    const name = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
    if (!name) continue;
    const type = name.replace(/EventAttributes$/, '').replace(/^./, (c) => c.toUpperCase());
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** Poll `get` until `ok` holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

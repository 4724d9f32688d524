/**
 * A failed, cancelled, terminated or timed-out workflow told in a few lines: what happened to
 * the workflow, the activity (and the model and dataset it worked on) where it went wrong, and
 * the root cause's type and message. No stack traces. Every command that waits on a workflow
 * (`select`, `status`, `report`, `offline`, `start`, `export`) reads results through
 * `workflowResult`, so they all tell a failure the same way.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  defaultPayloadConverter,
  RetryState,
  TerminatedFailure,
  TimeoutFailure,
  TimeoutType,
  type Payload,
} from '@temporalio/common';

/** The most lines a failure is told in. */
export const MAX_FAILURE_LINES = 5;
/** Longer messages are cut here (an external trainer's stderr tail can be kilobytes). */
const MAX_MESSAGE_CHARS = 300;

/** The input of an activity, by activity id, as far as it is known (from the workflow's history). */
export type ActivityInputs = ReadonlyMap<string, unknown>;

/** What a workflow's failure is told with. */
export interface FailureContext {
  readonly workflowId?: string;
  readonly workflowType?: string;
  readonly activityInputs?: ActivityInputs;
}

/**
 * A workflow that did not complete: `message` is its cause chain told in at most
 * MAX_FAILURE_LINES lines; `cause` the client's error. The CLI prints the message and exits 1.
 */
export class WorkflowRunError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'WorkflowRunError';
  }
}

const oneLine = (s: string): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS - 1)}…` : flat;
};

const RETRY_STATES = new Map<RetryState, string>([
  [RetryState.NON_RETRYABLE_FAILURE, 'non-retryable'],
  [RetryState.MAXIMUM_ATTEMPTS_REACHED, 'retries exhausted'],
  [RetryState.TIMEOUT, 'retry timeout reached'],
  [RetryState.CANCEL_REQUESTED, 'cancel requested'],
]);

const TIMEOUTS = new Map<TimeoutType, string>([
  [TimeoutType.START_TO_CLOSE, 'start-to-close'],
  [TimeoutType.SCHEDULE_TO_START, 'schedule-to-start'],
  [TimeoutType.SCHEDULE_TO_CLOSE, 'schedule-to-close'],
  [TimeoutType.HEARTBEAT, 'heartbeat'],
]);

/** The causes of `err`, outermost first (at most 20 deep). */
function chainOf(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && out.length < 20; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

/** "model m, dataset d, epochs 2→3" from an activity's input, naming only what identifies the work. */
export function describeActivityInput(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  const o = input as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const parts: string[] = [];
  const model = str('modelId') ?? str('model');
  const dataset = str('datasetId') ?? str('dataset');
  const target = str('target');
  if (model) parts.push(`model ${model}`);
  if (dataset) parts.push(`dataset ${dataset}`);
  else if (target) parts.push(`target ${target}`);
  if (typeof o.toEpoch === 'number') parts.push(`epochs ${typeof o.fromEpoch === 'number' ? o.fromEpoch : 0}→${o.toEpoch}`);
  if (typeof o.epoch === 'number' && o.toEpoch === undefined) parts.push(`epoch ${o.epoch}`);
  return parts.join(', ');
}

/** The first line: what became of the workflow. Cancelled, terminated and timed out are told here, when the workflow itself was. */
function headline(chain: readonly unknown[], ctx: FailureContext): { line: string; toldRoot: boolean } {
  const who = `Workflow ${ctx.workflowId ?? '(unknown id)'}${ctx.workflowType ? ` (${ctx.workflowType})` : ''}`;
  const root = chain.at(-1);
  const inActivity = chain.some((e) => e instanceof ActivityFailure || e instanceof ChildWorkflowFailure);
  if (root instanceof TerminatedFailure) return { line: `${who} was terminated: ${oneLine(root.message || 'no reason given')}`, toldRoot: true };
  if (root instanceof CancelledFailure && !inActivity) return { line: `${who} was cancelled`, toldRoot: true };
  if (root instanceof TimeoutFailure && !inActivity) return { line: `${who} timed out (${TIMEOUTS.get(root.timeoutType) ?? 'timeout'})`, toldRoot: true };
  return { line: `${who} failed`, toldRoot: false };
}

/** One line for an activity failure: its type, what it worked on and why it stopped retrying. */
function activityLine(a: ActivityFailure, inputs: ActivityInputs | undefined): string {
  const what = a.activityId !== undefined ? describeActivityInput(inputs?.get(a.activityId)) : '';
  const retry = RETRY_STATES.get(a.retryState);
  return `  in activity ${a.activityType}${what ? ` (${what})` : ''}${retry ? `, ${retry}` : ''}`;
}

/** One line for a failure with a type and a message; null for the links that carry none of their own. */
function causeLine(e: unknown): string | null {
  if (e instanceof ApplicationFailure) return `  ${e.type ?? 'Error'}: ${oneLine(e.message)}`;
  if (e instanceof TimeoutFailure) return `  ${TIMEOUTS.get(e.timeoutType) ?? 'unknown'} timeout: ${oneLine(e.message)}`;
  if (e instanceof CancelledFailure) return `  cancelled: ${oneLine(e.message)}`;
  if (e instanceof ChildWorkflowFailure) return `  in child workflow ${e.workflowType} ${e.execution.workflowId ?? ''}`.trimEnd();
  if (e instanceof ActivityFailure || e instanceof WorkflowFailedError || e instanceof TerminatedFailure) return null;
  if (e instanceof Error) return `  ${e.name}: ${oneLine(e.message)}`;
  return `  ${oneLine(String(e))}`;
}

/** True when a deeper cause with a message of its own says what `e` says (e restates it). */
function restates(e: ApplicationFailure, deeper: readonly unknown[]): boolean {
  return deeper.some(
    (d) =>
      d instanceof Error && !(d instanceof ActivityFailure) && !(d instanceof ChildWorkflowFailure) && d.message.length > 0 && e.message.includes(d.message),
  );
}

/**
 * A Temporal failure chain (WorkflowFailedError → ApplicationFailure → ActivityFailure →
 * ApplicationFailure …) in at most MAX_FAILURE_LINES lines: the headline (failed, cancelled,
 * terminated, timed out), the activity involved with the model and dataset it worked on, and
 * the causes' types and messages, innermost last. A wrapper whose message repeats its cause's
 * (a workflow that rethrows an activity's failure with the cause on top) is told once.
 */
export function formatFailure(err: unknown, ctx: FailureContext = {}): string {
  const chain = chainOf(err);
  const head = headline(chain, ctx);
  const lines = [head.line];
  chain.forEach((e, i) => {
    if (e instanceof ActivityFailure) return void lines.push(activityLine(e, ctx.activityInputs));
    if (head.toldRoot && i === chain.length - 1) return;
    if (e instanceof ApplicationFailure && restates(e, chain.slice(i + 1))) return;
    const line = causeLine(e);
    if (line) lines.push(line);
  });
  if (lines.length <= MAX_FAILURE_LINES) return lines.join('\n');
  // Keep the headline and the innermost causes, which say what really went wrong.
  return [lines[0] as string, ...lines.slice(-(MAX_FAILURE_LINES - 1))].join('\n');
}

/** Decode the first argument of each scheduled activity in a history, by activity id. */
export function activityInputsOf(events: readonly unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const ev of events) {
    const a = (ev as { activityTaskScheduledEventAttributes?: { activityId?: string | null; input?: { payloads?: Payload[] | null } | null } | null })
      .activityTaskScheduledEventAttributes;
    const payload = a?.input?.payloads?.[0];
    if (!a?.activityId || !payload) continue;
    try {
      out.set(a.activityId, defaultPayloadConverter.fromPayload(payload));
    } catch {
      // An input this converter cannot read (e.g. encrypted by a codec) names nothing.
    }
  }
  return out;
}

/**
 * The result of a workflow; when it did not complete, a WorkflowRunError that tells the cause
 * chain in a few lines (reading the history to name the failed activity's model and dataset).
 */
export async function workflowResult<R>(handle: WorkflowHandle): Promise<R> {
  try {
    return (await handle.result()) as R;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    throw new WorkflowRunError(await describeWorkflowFailure(handle, err), err);
  }
}

/** `formatFailure` of a workflow's failure, with its type and its activities' inputs read from the server. */
export async function describeWorkflowFailure(handle: WorkflowHandle, err: unknown): Promise<string> {
  const workflowType = await handle.describe().then(
    (d) => d.type,
    () => undefined,
  );
  const needsInputs = chainOf(err).some((e) => e instanceof ActivityFailure);
  const activityInputs = needsInputs
    ? await handle.fetchHistory().then(
        (h) => activityInputsOf(h.events ?? []),
        () => undefined,
      )
    : undefined;
  return formatFailure(err, { workflowId: handle.workflowId, workflowType, activityInputs });
}

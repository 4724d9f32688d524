import { WorkflowFailedError } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  DefaultFailureConverter,
  defaultPayloadConverter,
  RetryState,
  TerminatedFailure,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { activityInputsOf, describeActivityInput, formatFailure, MAX_FAILURE_LINES } from '../../cli/failure';
import { logMeta } from '../../cli/runtime';

/** An error as the client receives it: encoded to the wire's Failure proto and decoded again. */
const converter = new DefaultFailureConverter();
const overTheWire = (e: Error): Error => converter.failureToError(converter.errorToFailure(e, defaultPayloadConverter), defaultPayloadConverter);

const unknownTarget = ApplicationFailure.create({
  type: 'DatasetNotFound',
  nonRetryable: true,
  message: 'target dataset "nope" is not known to the tfjs trainer (known: target-a, target-b)',
});
const activity = (cause: Error, type = 'planSelection', id = '1', retry: RetryState = RetryState.NON_RETRYABLE_FAILURE) =>
  new ActivityFailure('Activity task failed', type, id, retry, 'worker@host', cause);
const failed = (cause: Error) => new WorkflowFailedError('Workflow execution failed', overTheWire(cause), RetryState.NON_RETRYABLE_FAILURE);
const ctx = { workflowId: 'select-nope-1', workflowType: 'selectModel' };

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('formatFailure', () => {
  it('tells an activity failure in a few lines: the workflow, the activity and its target, the type and message', () => {
    const text = formatFailure(failed(activity(unknownTarget)), {
      ...ctx,
      activityInputs: new Map([['1', { target: 'nope', policy: 'brute-force', models: ['a', 'b'] }]]),
    });
    expect(text.split('\n')).toEqual([
      'Workflow select-nope-1 (selectModel) failed',
      '  in activity planSelection (target nope), non-retryable',
      '  DatasetNotFound: target dataset "nope" is not known to the tfjs trainer (known: target-a, target-b)',
    ]);
  });

  it('tells a workflow that rethrew the cause on top once, not twice', () => {
    const onTop = ApplicationFailure.create({
      type: 'DatasetNotFound',
      nonRetryable: true,
      message: `planSelection: ${unknownTarget.message}`,
      cause: activity(unknownTarget),
    });
    const lines = formatFailure(failed(onTop), ctx).split('\n');
    expect(lines).toEqual([
      'Workflow select-nope-1 (selectModel) failed',
      '  in activity planSelection, non-retryable',
      '  DatasetNotFound: target dataset "nope" is not known to the tfjs trainer (known: target-a, target-b)',
    ]);
  });

  it('names the model and epochs of a failed fine-tune, from its input', () => {
    const diverged = ApplicationFailure.create({ type: 'TrainingDiverged', nonRetryable: true, message: 'Loss became NaN in epoch 3 (batch at sample 64)' });
    const text = formatFailure(failed(activity(diverged, 'fineTune', '7')), {
      ...ctx,
      activityInputs: new Map([['7', { modelId: 'mlp-h64-blur', datasetId: 'target-invert', fromEpoch: 2, toEpoch: 3 }]]),
    });
    expect(text).toContain('  in activity fineTune (model mlp-h64-blur, dataset target-invert, epochs 2→3), non-retryable');
    expect(text).toContain('  TrainingDiverged: Loss became NaN in epoch 3');
  });

  it('tells a cancelled, a terminated and a timed-out workflow in one line', () => {
    const cancelled = new WorkflowFailedError('Workflow execution cancelled', new CancelledFailure('Workflow canceled'), RetryState.NON_RETRYABLE_FAILURE);
    const terminated = new WorkflowFailedError('stopped by the operator', new TerminatedFailure('stopped by the operator'), RetryState.NON_RETRYABLE_FAILURE);
    const timedOut = new WorkflowFailedError(
      'Workflow execution timed out',
      new TimeoutFailure('Workflow execution timed out', undefined, TimeoutType.START_TO_CLOSE),
      RetryState.TIMEOUT,
    );
    expect(formatFailure(cancelled, ctx)).toBe('Workflow select-nope-1 (selectModel) was cancelled');
    expect(formatFailure(terminated, ctx)).toBe('Workflow select-nope-1 (selectModel) was terminated: stopped by the operator');
    expect(formatFailure(timedOut, ctx)).toBe('Workflow select-nope-1 (selectModel) timed out (start-to-close)');
  });

  it('tells an activity heartbeat timeout with its last error', () => {
    const lost = new TimeoutFailure('activity Heartbeat timeout', undefined, TimeoutType.HEARTBEAT);
    const text = formatFailure(failed(activity(lost, 'fineTune', '3', RetryState.MAXIMUM_ATTEMPTS_REACHED)), ctx);
    expect(text.split('\n')).toEqual([
      'Workflow select-nope-1 (selectModel) failed',
      '  in activity fineTune, retries exhausted',
      '  heartbeat timeout: activity Heartbeat timeout',
    ]);
  });

  it('keeps at most five lines, the innermost causes, each message on one line and cut when long; no stack', () => {
    let e: Error = ApplicationFailure.create({ type: 'TrainerFailed', message: `python exited with 1:\n${'Traceback line\n'.repeat(200)}` });
    for (let i = 0; i < 6; i++) e = ApplicationFailure.create({ type: `Wrap${i}`, message: `layer ${i}`, cause: e });
    const lines = formatFailure(failed(e), ctx).split('\n');
    expect(lines.length).toBe(MAX_FAILURE_LINES);
    expect(lines[0]).toBe('Workflow select-nope-1 (selectModel) failed');
    expect(lines.at(-1)).toMatch(/^ {2}TrainerFailed: python exited with 1: Traceback line Traceback line .*…$/);
    expect((lines.at(-1) ?? '').length).toBeLessThan(320);
    noStack(lines.join('\n'));
  });
});

describe('activity inputs from a history', () => {
  it('decodes the first argument of each scheduled activity by id and names model, dataset and epochs', () => {
    const events = [
      { workflowExecutionStartedEventAttributes: {} },
      {
        activityTaskScheduledEventAttributes: {
          activityId: '4',
          input: { payloads: [defaultPayloadConverter.toPayload({ modelId: 'cnn-c8', datasetId: 't1', fromEpoch: 0, toEpoch: 1 })] },
        },
      },
    ];
    const inputs = activityInputsOf(events);
    expect(describeActivityInput(inputs.get('4'))).toBe('model cnn-c8, dataset t1, epochs 0→1');
    expect(describeActivityInput({ model: 'cnn-c8', target: 't1', proxy: 'leep' })).toBe('model cnn-c8, target t1');
    expect(describeActivityInput(undefined)).toBe('');
  });
});

describe('worker log fields', () => {
  it('prints an error as its type and message (with its cause), not as {}', () => {
    const err = ApplicationFailure.create({ type: 'DatasetNotFound', message: 'target dataset "nope" is not known', cause: new Error('root') });
    expect(JSON.parse(logMeta({ workflowId: 'w', error: err }))).toEqual({
      workflowId: 'w',
      error: { type: 'DatasetNotFound', message: 'target dataset "nope" is not known', cause: { type: 'Error', message: 'root' } },
    });
  });
});

import { ApplicationFailure } from '@temporalio/common';
import type { Direction } from '../../algorithms/types';
import { SelectModelInputSchema } from '../../contracts/schemas/selection';
import { SelectionState } from '../../workflows/selection-state';
import { selectionProgressLine } from '../../contracts/progress-text';

function state(raw: Record<string, unknown> = {}, direction: Direction = 'maximize'): SelectionState {
  const s = new SelectionState(SelectModelInputSchema.parse({ target: 't', trainer: 'replay', policy: 'successive-halving', budgetEpochs: 3, ...raw }));
  s.setPool(['a', 'b', 'c'], 4, direction);
  s.setCandidates(['a', 'b', 'c'], { a: 1 });
  return s;
}

const train = (s: SelectionState, curves: Record<string, number[]>): void => {
  for (const [m, c] of Object.entries(curves)) s.recordEpochs(m, c, null, null, 'replay');
};

describe('SelectionState (no server)', () => {
  it('carries the policy options of the input, defaults filled in', () => {
    expect(state({ eta: 3 }).options).toEqual({ eta: 3 });
    expect(state({ policy: 'prior-shrink-halving' }).options).toEqual({
      recallSize: 14,
      eta: 2,
      trend: 'history-gap',
      shrink: 'empirical-bayes',
      tau: 'rung',
      gracePeriod: 1,
      rungKeep: 'floor',
      finalists: 2,
      proxySlots: 0,
      tuning: 'history',
      proxy: 'history-prior',
    });
  });

  it('applies a decision: its eliminations with the round and epoch, then its survivors in its order', () => {
    const s = state();
    expect(s.nextEpoch()).toBe(1);
    train(s, { a: [0.5], b: [0.7], c: [0.6] });
    s.applyDecision({ keep: ['b', 'c'], eliminated: [{ model: 'a', reason: 'halving', detail: 'worst' }], predictions: {} }, 1, 3);
    expect(s.survivors).toEqual(['b', 'c']);
    expect(s.progress().eliminations).toEqual([
      { model: 'a', round: 1, epoch: 1, reason: 'halving', detail: 'worst', outcome: 'eliminated by halving in round 1 (epoch 1)' },
    ]);
    expect(s.finished()).toBe(false);
  });

  it("records each round: every model's validation, score and fate, and the halving cutoff on the value it ranked by", () => {
    const s = state({}, 'minimize');
    s.nextEpoch();
    train(s, { a: [0.5], b: [0.7], c: [0.6] });
    // Ranked by a policy score (lower is better here): c and a go on, b's score is above the cutoff.
    s.applyDecision(
      {
        keep: ['a', 'c'],
        eliminated: [{ model: 'b', reason: 'halving', detail: '' }],
        predictions: { a: 0.3, b: 0.55, c: 0.4 },
        scoreName: 'corrected score (how)',
        halving: { rankedBy: 'score', cutoff: 0.4 },
      },
      1,
      3,
      ['a', 'b', 'c'],
    );
    expect(s.progress().rounds).toEqual([
      {
        round: 1,
        epoch: 1,
        budgetEpochs: 3,
        scoreName: 'corrected score (how)',
        rankedBy: 'score',
        cutoff: 0.4,
        models: [
          { model: 'a', validation: 0.5, score: 0.3, fate: 'kept' },
          { model: 'b', validation: 0.7, score: 0.55, fate: 'halving' },
          { model: 'c', validation: 0.6, score: 0.4, fate: 'kept' },
        ],
      },
    ]);
  });

  it('tells a model that lost the final pick at the budget epoch apart from one halved', () => {
    const s = state({ budgetEpochs: 1 });
    s.nextEpoch();
    train(s, { a: [0.9], b: [0.8], c: [0.1] });
    s.applyDecision(
      {
        keep: ['a'],
        passed: ['a', 'b'],
        predictions: {},
        halving: { rankedBy: 'validation', cutoff: 0.8 },
        eliminated: [
          { model: 'b', reason: 'halving', detail: 'the policy picked a' },
          { model: 'c', reason: 'halving', detail: 'worst' },
        ],
      },
      1,
      1,
      ['a', 'b', 'c'],
    );
    expect(s.progress().eliminations.map((e) => e.outcome)).toEqual(['not picked at the budget epoch 1', 'eliminated by halving in round 1 (epoch 1)']);
    expect(s.progress().rounds?.[0]).toMatchObject({
      rankedBy: 'validation',
      cutoff: 0.8,
      models: [{ fate: 'picked' }, { fate: 'not-picked' }, { fate: 'halving' }],
    });
  });

  it('tells every change to its listener: the workflow shows the progress line in the web UI', () => {
    const seen: string[] = [];
    const s = new SelectionState(SelectModelInputSchema.parse({ target: 't', trainer: 'replay', policy: 'successive-halving' }), (p) =>
      seen.push(selectionProgressLine(p)),
    );
    s.setPool(['a', 'b'], 1, 'maximize', 'accuracy');
    s.setCandidates(['a', 'b'], {}, ['recall fell back to the history prior']);
    s.phase = 'training';
    s.nextEpoch();
    train(s, { a: [0.5] });
    expect(seen.at(-1)).toBe('training: round 1, 2 of 2 candidates left (pool 2), 0 eliminated, 1 of 10 brute-force epochs spent');
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(s.progress()).toMatchObject({
      warnings: ['recall fell back to the history prior'],
      settings: { metric: 'accuracy', seed: 0, trainer: 'replay', initialBudgetEpochs: 5, options: { eta: 2 } },
    });
  });

  it('finishes with one survivor, or when the decision at the budget epoch was taken against the current budget', () => {
    const s = state();
    for (const epoch of [1, 2, 3]) {
      expect(s.nextEpoch()).toBe(epoch);
      s.applyDecision({ keep: ['a', 'b', 'c'], eliminated: [], predictions: {} }, epoch, 5);
    }
    expect(s.finished()).toBe(false);
    expect(s.nextEpoch()).toBe(3);
    s.applyDecision({ keep: ['a', 'b', 'c'], eliminated: [], predictions: {} }, 3, 3);
    expect(s.finished()).toBe(true);
    const one = state();
    one.nextEpoch();
    one.applyDecision(
      {
        keep: ['c'],
        eliminated: [
          { model: 'a', reason: 'halving', detail: '' },
          { model: 'b', reason: 'trend-filter', detail: '' },
        ],
        predictions: {},
      },
      1,
      3,
    );
    expect(one.finished()).toBe(true);
  });

  it.each([
    ['maximize', 'b'],
    ['minimize', 'a'],
  ] as const)('the best survivor follows the target direction (%s)', (direction, best) => {
    const s = state({}, direction);
    train(s, { a: [0.2], b: [0.9], c: [Number.NaN] });
    expect(s.bestSurvivor()).toBe(best);
    expect(s.result().pick).toBe(best);
  });

  it('counts fine-tune epochs plus 0.5 epoch per proxy computation, against brute force over the pool', () => {
    const s = state();
    s.proxyCharges = 3;
    train(s, { a: [0.1, 0.2], b: [0.3] });
    expect(s.progress()).toMatchObject({ epochsSpent: 4.5, bruteForceEpochs: 9, direction: 'maximize' });
    expect(s.result().storeVersion).toBe(4);
  });

  it('admits added candidates at the next round and validates the updates', () => {
    const s = state();
    s.phase = 'training';
    s.nextEpoch();
    expect(() => s.validateAddCandidates({ models: ['a'] })).toThrow(/already candidates: a/);
    expect(s.addCandidates({ models: ['d'] })).toEqual(['a', 'b', 'c', 'd']);
    expect(s.finished()).toBe(false);
    s.admitPending();
    expect(s.survivors).toEqual(['a', 'b', 'c', 'd']);
    expect(s.pool).toEqual(['a', 'b', 'c', 'd']);
    expect(() => s.validateSetBudget({ budgetEpochs: 0 })).toThrow(/budgetEpochs/);
    s.nextEpoch();
    expect(() => s.validateSetBudget({ budgetEpochs: 1 })).toThrow(/budgetEpochs is 1, but models are already trained 2 epochs/);
    expect(s.setBudget({ budgetEpochs: 4 })).toBe(4);
  });

  it('finishNow keeps the best so far and eliminates the rest; it is refused before training and twice', () => {
    const s = state();
    expect(() => s.validateFinishNow()).toThrow(ApplicationFailure);
    s.phase = 'training';
    train(s, { a: [0.2], b: [0.9], c: [0.5] });
    expect(s.finishNow()).toBe('b');
    expect(s.survivors).toEqual(['b']);
    expect(s.progress().eliminations.map((e) => [e.model, e.reason])).toEqual([
      ['a', 'finished-early'],
      ['c', 'finished-early'],
    ]);
    expect(() => s.validateFinishNow()).toThrow(/finishNow: the selection has finished/);
  });

  it("adds up GPU seconds per model and in total, keeps each model's peak memory, and estimates brute force from the offline epoch times", () => {
    const s = state({ budgetEpochs: 4 });
    expect(s.progress()).toMatchObject({ gpuSeconds: {}, gpuSecondsSpent: 0, bruteForceGpuSeconds: null, peakMemoryBytes: {} });
    s.recordCost('a', [1.5, 2.5], 1000);
    s.recordCost('a', [3], 800);
    s.recordCost('b', [0.5], null);
    // a: 2 s per epoch, b: 1 s, c has no timings and counts at their mean (1.5 s): (2 + 1 + 1.5) x 4 epochs.
    s.setEpochTimings({ a: 2, b: 1 });
    expect(s.progress()).toMatchObject({ gpuSeconds: { a: 7, b: 0.5 }, gpuSecondsSpent: 7.5, bruteForceGpuSeconds: 18, peakMemoryBytes: { a: 1000 } });
    s.setEpochTimings(undefined);
    expect(s.progress().bruteForceGpuSeconds).toBeNull();
  });
});

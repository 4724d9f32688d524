import {
  eliminationOutcome,
  formatSeconds,
  matrixProgressLine,
  selectionDetails,
  selectionProgressLine,
  selectionSummary,
} from '../../contracts/progress-text';
import { SelectModelInputSchema, type SelectionProgress } from '../../contracts/schemas';
import { pickPolicyOptions } from '../../contracts/schemas/policy';

const progress: SelectionProgress = {
  phase: 'training',
  target: 't',
  policy: 'prior-shrink-halving',
  direction: 'maximize',
  round: 3,
  budgetEpochs: 4,
  poolSize: 18,
  candidates: Array.from({ length: 14 }, (_, i) => `m${i}`),
  pendingCandidates: [],
  survivors: ['m0', 'm1', 'm2'],
  curves: {},
  recallScores: {},
  eliminations: Array.from({ length: 11 }, (_, i) => ({ model: `m${i + 3}`, round: 1, epoch: 1, reason: 'halving' as const, detail: '' })),
  epochsSpent: 24,
  bruteForceEpochs: 72,
};

describe('the words a run is told in', () => {
  it('one progress line for the CLI bar and the web UI, with no a/b the UI would render as a fraction', () => {
    expect(selectionProgressLine(progress)).toBe('training: round 3, 3 of 14 candidates left (pool 18), 11 eliminated, 24 of 72 brute-force epochs spent');
    expect(selectionProgressLine({ ...progress, gpuSecondsSpent: 95, bruteForceGpuSeconds: 7200 })).toMatch(/, GPU time 95 s of ~2\.0 h$/);
    expect(matrixProgressLine({ phase: 'fine-tuning', total: 108, done: 24, running: 2, failed: 1, failures: [], run: 1 })).toBe(
      'fine-tuning: 24 of 108 cells, 2 running, 1 failed (run 1)',
    );
    expect([formatSeconds(4.26), formatSeconds(95), formatSeconds(600), formatSeconds(Number.NaN)]).toEqual(['4.3 s', '95 s', '10.0 min', 'n/a']);
  });

  it('outcomes say what happened', () => {
    const e = { round: 5, epoch: 5, detail: 'x' };
    expect(eliminationOutcome({ ...e, reason: 'halving' }, true)).toBe('not picked at the budget epoch 5');
    expect(eliminationOutcome({ ...e, reason: 'halving' })).toBe('eliminated by halving in round 5 (epoch 5)');
    expect(eliminationOutcome({ ...e, reason: 'trend-filter', round: 2, epoch: 2 })).toBe('eliminated by the trend filter in round 2 (epoch 2)');
    expect(eliminationOutcome({ ...e, reason: 'failed', detail: 'model file is corrupt' })).toBe('failed: model file is corrupt');
    expect(eliminationOutcome({ ...e, reason: 'failed', detail: 'y'.repeat(300) })).toHaveLength(168);
    expect(eliminationOutcome({ ...e, reason: 'deadline', epoch: 2 })).toBe('stopped at the round 5 deadline (after epoch 2)');
    expect(eliminationOutcome({ ...e, reason: 'finished-early' })).toBe('stopped by finishNow after epoch 5');
  });

  it('static summary and details of a selection: target, policy and its options, budget, pool, trainer, seed', () => {
    const input = SelectModelInputSchema.parse({ target: 'target-invert-gt4', models: ['a', 'b'], budgetEpochs: 3 });
    expect(selectionSummary(input)).toBe('select a model for target-invert-gt4: prior-shrink-halving, tfjs trainer, budget 3 epochs');
    expect(selectionDetails(input, pickPolicyOptions(input)).split('\n')).toEqual([
      '- **target** target-invert-gt4',
      '- **policy** prior-shrink-halving (eta=2, recallSize=14, trend=history-gap, shrink=empirical-bayes, tuning=history, gracePeriod=1, rungKeep=floor, finalists=2, proxySlots=0, tau=rung, proxy=logme)',
      '- **budget** 3 epochs per model, round deadline 2h',
      '- **pool** 2 named models',
      '- **trainer** tfjs, at most 16 fine-tunes at once, seed 0',
    ]);
  });
});

import { halvingCutoff } from '../../algorithms/round-record';
import { roundFates } from '../../contracts/rounds';

describe('roundFates', () => {
  it('names what a decision did to each rung model, the final pick apart from a halving', () => {
    const d = {
      keep: ['a'],
      passed: ['a', 'b'],
      eliminated: [
        { model: 'b', reason: 'halving' },
        { model: 'c', reason: 'halving' },
        { model: 'd', reason: 'trend-filter' },
      ],
    };
    expect(roundFates(['a', 'b', 'c', 'd'], d)).toEqual(['picked', 'not-picked', 'halving', 'trend-filter']);
    expect(roundFates(['a', 'b'], { keep: ['b'], eliminated: [{ model: 'a', reason: 'halving' }] })).toEqual(['halving', 'kept']);
  });
});

describe('halvingCutoff', () => {
  const halved = { keep: ['a', 'c'], eliminated: [{ model: 'b', reason: 'halving' }] };

  it('is the worst kept validation when the policy ranks by validation (maximized)', () => {
    expect(halvingCutoff(['a', 'b', 'c'], [0.9, 0.5, 0.7], { ...halved, predictions: {} }, 'maximize')).toEqual({ rankedBy: 'validation', cutoff: 0.7 });
  });

  it('is the worst kept score when the policy score separates kept from halved (minimized: the highest kept)', () => {
    // Validation alone would not explain it (b has the best validation); the score does.
    expect(halvingCutoff(['a', 'b', 'c'], [0.5, 0.2, 0.6], { ...halved, predictions: { a: 0.1, b: 0.45, c: 0.3 } }, 'minimize')).toEqual({
      rankedBy: 'score',
      cutoff: 0.3,
    });
  });

  it('falls back to validation when halving ranked by it although the policy has a score (fine selection)', () => {
    expect(halvingCutoff(['a', 'b', 'c'], [0.9, 0.5, 0.7], { ...halved, predictions: { a: 0.6, b: 0.95, c: 0.8 } }, 'maximize')).toEqual({
      rankedBy: 'validation',
      cutoff: 0.7,
    });
  });

  it('is null when halving dropped nobody (trend filter only, or everyone kept)', () => {
    expect(
      halvingCutoff(['a', 'b'], [0.9, 0.5], { keep: ['a'], eliminated: [{ model: 'b', reason: 'trend-filter' }], predictions: { a: 0.9, b: 0.6 } }, 'maximize'),
    ).toEqual({ rankedBy: 'score', cutoff: null });
    expect(halvingCutoff(['a', 'b'], [0.9, 0.5], { keep: ['a', 'b'], eliminated: [], predictions: {} }, 'maximize')).toEqual({
      rankedBy: 'validation',
      cutoff: null,
    });
  });
});

import { bestLastIndex, last } from '../../algorithms/final-pick';

describe('the default final pick', () => {
  it('takes the best last validation for the direction, first on a tie', () => {
    expect(
      bestLastIndex([
        [0.1, 0.5],
        [0.9, 0.7],
        [0.2, 0.7],
      ]),
    ).toBe(1);
    expect(
      bestLastIndex(
        [
          [0.1, 0.5],
          [0.9, 0.7],
          [0.2, 0.7],
        ],
        'minimize',
      ),
    ).toBe(0);
    expect(
      bestLastIndex(
        [
          [3, 2],
          [1, 2],
        ],
        'minimize',
      ),
    ).toBe(0);
  });

  it('ranks a missing score (empty curve or NaN) worst, and has no pick among none', () => {
    expect(bestLastIndex([[], [Number.NaN], [0.1]])).toBe(2);
    expect(bestLastIndex([[], [0.4]], 'minimize')).toBe(1);
    expect(bestLastIndex([[], []])).toBe(0);
    expect(bestLastIndex([])).toBe(-1);
    expect(last([])).toBeNaN();
    expect(last([1, 2])).toBe(2);
  });
});

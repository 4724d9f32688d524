import { cosine, mean, median, rankDescending, roundTo, variance } from '../../algorithms/stats';

describe('stats', () => {
  it('mean skips NaN and is NaN for no values', () => {
    expect(mean([1, Number.NaN, 3])).toBe(2);
    expect(mean([])).toBeNaN();
    expect(mean([Number.NaN])).toBeNaN();
  });

  it('median of odd and even counts, NaN skipped', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2, Number.NaN])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('variance is the population variance', () => {
    expect(variance([1, 3])).toBe(1);
    expect(variance([2, 2, Number.NaN])).toBe(0);
  });

  it('cosine uses the positions both vectors have', () => {
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 2, Number.NaN], [2, 4, 7])).toBeCloseTo(1, 15);
    expect(cosine([1, 1], [1, 0])).toBeCloseTo(Math.SQRT1_2, 15);
    expect(cosine([0, 0], [1, 1])).toBeNaN();
    expect(cosine([Number.NaN], [1])).toBeNaN();
  });

  it('rankDescending breaks ties by index and puts NaN last', () => {
    expect(rankDescending([0.5, Number.NaN, 0.9, 0.5])).toEqual([2, 0, 3, 1]);
    expect(rankDescending([Number.NaN, Number.NEGATIVE_INFINITY])).toEqual([1, 0]);
    expect(rankDescending([])).toEqual([]);
  });

  it('roundTo rounds half away from zero', () => {
    expect(roundTo(0.125, 2)).toBe(0.13);
    expect(roundTo(-0.125, 2)).toBe(-0.13);
    expect(roundTo(0.8623853211009175, 2)).toBe(0.86);
  });
});

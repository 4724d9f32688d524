import { dropWorstUntil, halvingCost, halvingSchedule, keepBest, keepCount, keepTop, survivors, taperCount, worstIndex } from '../../algorithms/halving';
import type { Direction } from '../../algorithms/types';

describe('keepCount', () => {
  it('is max(1, floor(n / eta)) and 0 for no models', () => {
    expect([keepCount(10, 2), keepCount(5, 2), keepCount(3, 2), keepCount(1, 2), keepCount(0, 2), keepCount(2, 3), keepCount(46, 3)]).toEqual([
      5, 2, 1, 1, 0, 1, 15,
    ]);
  });

  it('rejects eta < 2 and a bad n', () => {
    expect(() => keepCount(4, 1)).toThrow(/eta is 1, but must be >= 2/);
    expect(() => keepCount(-1, 2)).toThrow(/n is -1, but must be an integer >= 0/);
  });
});

describe.each<[Direction, number[]]>([
  ['maximize', [0.5, 0.9, 0.1, 0.7]],
  ['minimize', [0.5, 0.1, 0.9, 0.3]],
])('survivors (%s)', (direction, scores) => {
  it('keeps the best half in input order', () => {
    expect(survivors(scores, 2, direction)).toEqual([1, 3]);
  });

  it('keeps one when eta exceeds the number of candidates', () => {
    expect(survivors(scores, 10, direction)).toEqual([1]);
  });

  it('keeps a single candidate', () => {
    expect(survivors([0.4], 2, direction)).toEqual([0]);
  });

  it('drops NaN first', () => {
    expect(survivors([Number.NaN, scores[1] ?? 0], 2, direction)).toEqual([1]);
  });
});

describe('ties', () => {
  it('drops the first of equally bad scores first', () => {
    expect(survivors([0.5, 0.5, 0.5], 2, 'maximize')).toEqual([2]);
    expect(worstIndex([0.2, 0.1, 0.1], [0, 1, 2], 'maximize')).toBe(1);
    expect(dropWorstUntil([0.3, 0.1, 0.2, 0.1], [0, 1, 2, 3], 2, 'maximize')).toEqual([0, 2]);
  });
});

describe('halving cost, as the paper counts it', () => {
  it('10 models: 10+5+2+1+1 = 19', () => {
    expect(halvingSchedule(10, 2, 5)).toEqual([10, 5, 2, 1, 1]);
    expect(halvingCost(10, 2, 5)).toBe(19);
  });

  it('40 models: 40+20+10+5+2 = 77', () => {
    expect(halvingSchedule(40, 2, 5)).toEqual([40, 20, 10, 5, 2]);
    expect(halvingCost(40, 2, 5)).toBe(77);
  });

  it('eta 3 on 46 models: 46+15+5+1+1 = 68', () => {
    expect(halvingCost(46, 3, 5)).toBe(68);
  });

  it('rejects maxEpochs < 1', () => {
    expect(() => halvingSchedule(4, 2, 0)).toThrow(/maxEpochs is 0, but must be an integer >= 1/);
  });
});

describe('keepBest', () => {
  it('keeps the best floor(n / eta), ties to the first listed, NaN last', () => {
    expect(keepBest([0.5, 0.9, 0.9, Number.NaN], 2)).toEqual([1, 2]);
    expect(keepBest([0.7, 0.6, 0.7, 0.7], 2)).toEqual([0, 2]);
    expect(keepBest([0.7, 0.7, 0.1], 2)).toEqual([0]);
    expect(survivors([0.7, 0.7, 0.1], 2, 'maximize')).toEqual([1]);
  });

  it('rejects eta < 2', () => {
    expect(() => keepBest([1], 1.5)).toThrow(/eta is 1.5, but must be >= 2/);
  });
});

describe('keepBest rounding', () => {
  it('keeps floor(n / eta) by default and ceil(n / eta) when asked', () => {
    const scores = [0.1, 0.5, 0.3, 0.9, 0.7];
    expect(keepBest(scores, 2)).toEqual([3, 4]);
    expect(keepBest(scores, 2, 'ceil')).toEqual([1, 3, 4]);
    expect(keepBest([0.2], 2, 'ceil')).toEqual([0]);
  });
});

describe('taperCount', () => {
  /** Models training in each epoch 1..budget when every rung keeps taperCount. */
  const schedule = (n: number, budget: number, finalists: number): number[] => {
    const alive: number[] = [];
    for (let e = 1, left = n; e <= budget; e += 1) {
      alive.push(left);
      left = taperCount(left, e, budget, finalists);
    }
    return alive;
  };

  it('falls by one ratio per epoch to the finalists trained to the budget', () => {
    // 8 -> 8 * (2/8)^(1/4) = 5.66 -> 6; 6 * (2/6)^(1/3) = 4.16 -> 4; 4 * (2/4)^(1/2) = 2.83 -> 3; 3 * (2/3) = 2
    expect(schedule(8, 5, 2)).toEqual([8, 6, 4, 3, 2]);
    expect(schedule(14, 5, 2)).toEqual([14, 9, 5, 3, 2]);
    expect(schedule(8, 5, 1)).toEqual([8, 5, 3, 2, 1]);
    expect(schedule(8, 2, 2)).toEqual([8, 2]);
  });

  it('keeps every model when there are no more than the finalists, and cuts nothing at or after the budget', () => {
    expect(taperCount(2, 1, 5, 2)).toBe(2);
    expect(taperCount(1, 1, 5, 3)).toBe(1);
    expect(taperCount(0, 1, 5, 2)).toBe(0);
    expect(taperCount(8, 5, 5, 2)).toBe(8);
    expect(taperCount(8, 6, 5, 2)).toBe(8);
    expect(taperCount(8, 4, 5, 2)).toBe(2);
  });

  it('rejects counts that are not positive integers', () => {
    expect(() => taperCount(8, 0, 5, 2)).toThrow(/epoch is 0, but must be an integer >= 1/);
    expect(() => taperCount(8, 1, 5, 0)).toThrow(/finalists is 0/);
    expect(() => taperCount(2.5, 1, 5, 2)).toThrow(/n is 2.5/);
  });
});

describe('keepTop', () => {
  it('keeps the k best in input order, ties to the first listed, NaN last', () => {
    expect(keepTop([0.5, Number.NaN, 0.9, 0.5], 2)).toEqual([0, 2]);
    expect(keepTop([0.5, Number.NaN], 2)).toEqual([0, 1]);
    expect(keepTop([0.5, 0.4], 0)).toEqual([]);
  });
});

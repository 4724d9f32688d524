import { fineSelectionRound, predictFinal, runsByModel, trendFilter, trendPoints } from '../../algorithms/trend-filter';
import type { RunSet } from '../../algorithms/types';

describe('trend points', () => {
  const runs: RunSet = {
    models: ['m', 'n'],
    datasets: ['x', 'y', 'z'],
    runs: [
      { model: 'm', dataset: 'x', val: [0.1, 0.2], test: 0.3 },
      { model: 'n', dataset: 'x', val: [0.5, 0.6], test: 0.7 },
      { model: 'm', dataset: 'y', val: [0.4], test: 0.5 },
      { model: 'm', dataset: 'z', val: [0.6, 0.7], test: null },
    ],
  };

  it('groups runs by model and takes (val at epoch, test) of runs long enough with a test', () => {
    const byModel = runsByModel(runs);
    expect(byModel.get('m')?.length).toBe(3);
    expect(trendPoints(byModel.get('m') ?? [], 1)).toEqual([
      { val: 0.1, final: 0.3 },
      { val: 0.4, final: 0.5 },
    ]);
    expect(trendPoints(byModel.get('m') ?? [], 2)).toEqual([{ val: 0.2, final: 0.3 }]);
  });
});

describe('predictFinal', () => {
  const points = [
    { val: 0.1, final: 0.2 },
    { val: 0.12, final: 0.3 },
    { val: 0.5, final: 0.6 },
    { val: 0.52, final: 0.7 },
    { val: 0.9, final: 0.95 },
    { val: 0.92, final: 0.85 },
  ];

  it('predicts the mean final score of the nearest validation cluster', () => {
    expect(predictFinal(points, 0.55, { clusters: 3 })).toBeCloseTo(0.65, 12);
    expect(predictFinal(points, 0, { clusters: 3 })).toBeCloseTo(0.25, 12);
    expect(predictFinal(points, 0.95, { clusters: 3 })).toBeCloseTo(0.9, 12);
  });

  it('with one cluster predicts the mean of all finals', () => {
    expect(predictFinal(points, 0.3, { clusters: 1 })).toBeCloseTo(0.6, 12);
  });

  it('is NaN without points or a current score, and caps K at the number of points', () => {
    expect(predictFinal([], 0.5)).toBeNaN();
    expect(predictFinal(points, Number.NaN)).toBeNaN();
    expect(predictFinal(points.slice(0, 2), 0.1, { clusters: 4 })).toBeCloseTo(0.2, 12);
  });

  it('rejects K < 1', () => {
    expect(() => predictFinal(points, 0.5, { clusters: 0 })).toThrow(/clusters is 0, but must be an integer >= 1/);
  });
});

describe('trendFilter', () => {
  const current = [0.5, 0.7, 0.6];
  const predicted = [0.9, 0.8, 0.7];

  it('drops a model when a model with higher validation predicts higher', () => {
    expect(trendFilter(current, predicted)).toEqual([0, 1]);
  });

  it('absolute threshold: 0.8 - 0.15 is not above 0.7', () => {
    expect(trendFilter(current, predicted, { threshold: 0.15 })).toEqual([0, 1, 2]);
  });

  it('relative threshold: 0.8 * 0.9 = 0.72 > 0.7 drops, 0.8 * 0.8 = 0.64 does not', () => {
    expect(trendFilter(current, predicted, { threshold: 0.1, thresholdMode: 'relative' })).toEqual([0, 1]);
    expect(trendFilter(current, predicted, { threshold: 0.2, thresholdMode: 'relative' })).toEqual([0, 1, 2]);
  });

  it('NaN predictions neither drop nor get dropped', () => {
    expect(trendFilter(current, [0.9, 0.8, Number.NaN])).toEqual([0, 1, 2]);
    expect(trendFilter(current, [0.9, Number.NaN, 0.7])).toEqual([0, 1, 2]);
  });

  it('never drops the models with the highest score, ties included', () => {
    expect(trendFilter([0.7, 0.7], [0.1, 0.9])).toEqual([0, 1]);
  });

  it('rejects mismatched lengths', () => {
    expect(() => trendFilter([0.1], [])).toThrow(/1 scores but 0 predictions/);
  });
});

describe('fineSelectionRound', () => {
  it('filters, then forces the count down to floor(n / eta), lowest score first', () => {
    expect(fineSelectionRound([0.5, 0.7, 0.6], [0.9, 0.8, 0.7], 2)).toEqual([1]);
  });

  it('forces nothing when the filter already removed enough', () => {
    expect(fineSelectionRound([0.5, 0.7, 0.6, 0.65], [0.1, 0.9, 0.2, 0.3], 2)).toEqual([1]);
  });

  it('rejects eta < 2', () => {
    expect(() => fineSelectionRound([0.5], [0.5], 1)).toThrow(/eta is 1, but must be >= 2/);
  });
});

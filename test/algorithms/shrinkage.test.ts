import { historyGap, MIN_TAU2, noiseVariance, nonNegativeFit, shrinkTowardPrior } from '../../algorithms/shrinkage';
import type { RunSet } from '../../algorithms/types';

describe('historyGap', () => {
  const runs = [
    { model: 'm', dataset: 'x', val: [0.5, 0.6], test: 0.7 },
    { model: 'm', dataset: 'y', val: [0.4], test: 0.5 },
    { model: 'm', dataset: 'z', val: [0.1], test: null },
  ];

  it('is the mean final-minus-validation gap over runs that reach the epoch', () => {
    expect(historyGap(runs, 1)).toBeCloseTo(0.15, 12);
    expect(historyGap(runs, 2)).toBeCloseTo(0.1, 12);
  });

  it('is 0 without usable runs', () => {
    expect(historyGap(runs, 3)).toBe(0);
    expect(historyGap([], 1)).toBe(0);
  });
});

describe('noiseVariance', () => {
  const curves: RunSet = {
    models: ['a', 'b', 'c'],
    datasets: ['x', 'y'],
    runs: [
      { model: 'a', dataset: 'x', val: [0.5], test: 0.6 },
      { model: 'b', dataset: 'x', val: [0.5], test: 0.7 },
      { model: 'c', dataset: 'x', val: [0.5], test: 0.8 },
      { model: 'a', dataset: 'y', val: [0.5], test: 0.9 },
      { model: 'b', dataset: 'y', val: [0.5], test: 0.1 },
    ],
  };

  it('averages the within-dataset variance of the residuals over datasets with enough runs', () => {
    // x residuals 0.1, 0.2, 0.3 -> variance 0.02 / 3; y has 2 runs (< 3) and is skipped
    expect(noiseVariance(curves, 1, () => 0, 3)).toBeCloseTo(0.02 / 3, 12);
    // removing a per-model gap changes the residuals: 0.1 - 0.1, 0.2, 0.3 -> variance of (0, .2, .3)
    expect(noiseVariance(curves, 1, (m) => (m === 'a' ? 0.1 : 0), 3)).toBeCloseTo(0.13 / 3 - (0.5 / 3) ** 2, 12);
    expect(noiseVariance(curves, 1, () => 0, 2)).toBeCloseTo((0.02 / 3 + 0.16) / 2, 12);
  });

  it('is NaN when no dataset has enough runs', () => {
    expect(noiseVariance(curves, 1, () => 0)).toBeNaN();
    expect(noiseVariance(curves, 2, () => 0, 1)).toBeNaN();
  });
});

describe('nonNegativeFit', () => {
  it('fits a least-squares line', () => {
    const f = nonNegativeFit([0, 1, 2], [1, 3, 5]);
    expect(f.a).toBeCloseTo(1, 12);
    expect(f.b).toBeCloseTo(2, 12);
  });

  it('clamps a negative slope to a flat line at the mean', () => {
    expect(nonNegativeFit([0, 1, 2], [5, 3, 1])).toEqual({ a: 3, b: 0 });
  });

  it('ignores pairs without a prior and is flat at mean(y) with none', () => {
    const f = nonNegativeFit([0, Number.NaN, 2], [1, 100, 5]);
    expect(f.a).toBeCloseTo(1, 12);
    expect(f.b).toBeCloseTo(2, 12);
    expect(nonNegativeFit([Number.NaN, Number.NaN], [1, 3])).toEqual({ a: 2, b: 0 });
  });
});

describe('shrinkTowardPrior', () => {
  // fit 0.6 + 0.1 x -> 0.6, 0.7, 0.8; residuals -0.1, 0.2, -0.1 -> variance 0.02
  const y = [0.5, 0.9, 0.7];
  const x = [0, 1, 2];

  it('weights data by tau^2 / (tau^2 + sigma^2) with tau^2 = var(residual) - sigma^2', () => {
    const r = shrinkTowardPrior(y, x, 0.01);
    expect(r.weight).toBeCloseTo(0.5, 12);
    r.posterior.forEach((v, i) => expect(v).toBeCloseTo([0.55, 0.8, 0.75][i] ?? Number.NaN, 12));
  });

  it('keeps the data when there is no noise and moves to the fit when noise explains everything', () => {
    expect(shrinkTowardPrior(y, x, 0).weight).toBe(1);
    const r = shrinkTowardPrior(y, x, 1);
    expect(r.weight).toBeCloseTo(MIN_TAU2 / (MIN_TAU2 + 1), 15);
    r.posterior.forEach((v, i) => expect(v).toBeCloseTo([0.6, 0.7, 0.8][i] ?? Number.NaN, 5));
  });

  it('fits a model without a prior at the mean prior', () => {
    // fit from (0, .5) and (2, .7): 0.5 + 0.1 x; the NaN prior sits at mean x = 1 -> 0.6
    const r = shrinkTowardPrior([0.5, 0.9, 0.7], [0, Number.NaN, 2], 1);
    expect(r.posterior[1]).toBeCloseTo(0.6, 5);
  });

  it('rejects a bad noise variance and mismatched lengths', () => {
    expect(() => shrinkTowardPrior(y, x, -1)).toThrow(/sigma2 is -1, but must be a finite number >= 0/);
    expect(() => shrinkTowardPrior(y, x, Number.NaN)).toThrow(/sigma2 is NaN/);
    expect(() => shrinkTowardPrior(y, [0], 0)).toThrow(/3 scores but 1 priors/);
  });
});

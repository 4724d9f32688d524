import { standardizedPrior, zScores } from '../../algorithms/prior';
import type { PerformanceMatrix } from '../../algorithms/types';

const NaN_ = Number.NaN;
// rows d0: .2 .4 .6 (mean .4, sd sqrt(.08/3)); d1: .5 - .9 (mean .7, sd .2); d2: one score only; d3: constant
const M: PerformanceMatrix = {
  models: ['a', 'b', 'c'],
  datasets: ['d0', 'd1', 'd2', 'd3'],
  values: Float64Array.from([0.2, 0.4, 0.6, 0.5, NaN_, 0.9, 0.3, NaN_, NaN_, 0.7, 0.7, NaN_]),
};
const Z0 = 0.2 / Math.sqrt(0.08 / 3);

describe('zScores', () => {
  it('standardizes each dataset over the models run on it', () => {
    const z = [...zScores(M)];
    expect(z[0]).toBeCloseTo(-Z0, 12);
    expect(z[1]).toBeCloseTo(0, 12);
    expect(z[2]).toBeCloseTo(Z0, 12);
    expect(z[3]).toBeCloseTo(-1, 12);
    expect(z[4]).toBeNaN();
    expect(z[5]).toBeCloseTo(1, 12);
  });

  it('leaves a dataset with one score missing and gives a constant dataset 0', () => {
    const z = [...zScores(M)];
    expect(z.slice(6, 9).every(Number.isNaN)).toBe(true);
    expect(z.slice(9, 11)).toEqual([0, 0]);
    expect(z[11]).toBeNaN();
  });
});

describe('standardizedPrior', () => {
  it('averages each model over the datasets it has', () => {
    const p = standardizedPrior(M);
    expect(p[0]).toBeCloseTo((-Z0 - 1 + 0) / 3, 12);
    expect(p[1]).toBeCloseTo(0, 12);
    expect(p[2]).toBeCloseTo((Z0 + 1) / 2, 12);
  });

  it('is NaN for a model with no standardized score', () => {
    const lone: PerformanceMatrix = { models: ['a', 'b'], datasets: ['d'], values: Float64Array.from([0.5, NaN_]) };
    expect(standardizedPrior(lone).every(Number.isNaN)).toBe(true);
  });
});

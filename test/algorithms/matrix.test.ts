import { matrixFromRuns, meanHistory, modelVector, modelVectors, priorByModel, selectDatasets, selectModels, selectRuns } from '../../algorithms/matrix';
import type { PerformanceMatrix, RunSet } from '../../algorithms/types';

const NaN_ = Number.NaN;
// datasets d1, d2; models a, b, c (dataset-major)
const M: PerformanceMatrix = { models: ['a', 'b', 'c'], datasets: ['d1', 'd2'], values: Float64Array.from([0.2, 0.4, NaN_, 0.6, 0.8, NaN_]) };

describe('matrix views', () => {
  it('modelVector / modelVectors read columns', () => {
    expect(modelVector(M, 1)).toEqual([0.4, 0.8]);
    expect(modelVectors(M)).toEqual([
      [0.2, 0.6],
      [0.4, 0.8],
      [NaN_, NaN_],
    ]);
  });

  it('meanHistory skips missing cells and is NaN for a model never run', () => {
    const prior = meanHistory(M);
    expect(prior[0]).toBeCloseTo(0.4, 15);
    expect(prior[1]).toBeCloseTo(0.6, 15);
    expect(prior[2]).toBeNaN();
    expect(priorByModel(M).get('b')).toBeCloseTo(0.6, 15);
  });

  it('selectDatasets and selectModels keep the order of what remains', () => {
    const d2 = selectDatasets(M, (d) => d === 'd2');
    expect(d2.datasets).toEqual(['d2']);
    expect([...d2.values]).toEqual([0.6, 0.8, NaN_]);
    const ca = selectModels(M, (m) => m !== 'b');
    expect(ca.models).toEqual(['a', 'c']);
    expect([...ca.values]).toEqual([0.2, NaN_, 0.6, NaN_]);
  });
});

describe('runs to matrix', () => {
  const runs: RunSet = {
    models: ['a', 'b'],
    datasets: ['x', 'y'],
    runs: [
      { model: 'a', dataset: 'x', val: [0.1], test: 0.5 },
      { model: 'b', dataset: 'y', val: [0.2], test: null },
      { model: 'a', dataset: 'y', val: [0.3], test: 0.7 },
    ],
  };

  it('matrixFromRuns puts test scores in dataset rows, NaN where missing or null', () => {
    const m = matrixFromRuns(runs);
    expect(m.models).toEqual(['a', 'b']);
    expect(m.datasets).toEqual(['x', 'y']);
    expect([...m.values]).toEqual([0.5, NaN_, 0.7, NaN_]);
  });

  it('matrixFromRuns rejects a run whose model is not listed', () => {
    expect(() => matrixFromRuns({ ...runs, models: ['a'] })).toThrow(/run b on y is not listed/);
  });

  it('selectRuns filters runs and trims the lists', () => {
    const onlyY = selectRuns(runs, (r) => r.dataset === 'y');
    expect(onlyY.datasets).toEqual(['y']);
    expect(onlyY.models).toEqual(['a', 'b']);
    expect(onlyY.runs.map((r) => r.model)).toEqual(['b', 'a']);
    expect(selectRuns(runs, (r) => r.model === 'b').models).toEqual(['b']);
  });
});

import { clusterMapCoordinates, selectionReport, summaryLines } from '../../report/selection-report';
import type { SelectModelResult } from '../../contracts/schemas';

const result: SelectModelResult = {
  phase: 'done', target: 't', policy: 'successive-halving', direction: 'maximize', round: 2, budgetEpochs: 3, poolSize: 3,
  candidates: ['a', 'b', 'c'], pendingCandidates: [], survivors: ['a'],
  curves: { a: [0.5, 0.6, 0.7], b: [0.4, 0.45], c: [0.3] }, recallScores: { a: 2, b: 1, c: 3 },
  eliminations: [
    { model: 'c', round: 1, epoch: 1, reason: 'halving', detail: 'worst' },
    { model: 'b', round: 2, epoch: 2, reason: 'trend-filter', detail: 'predicted lower' },
  ],
  epochsSpent: 6, bruteForceEpochs: 9, pick: 'a', pickValidation: 0.7, pickTest: 0.68, storeVersion: 4, backend: 'replay', reportPath: null,
  gpuSeconds: { a: 3, b: 2, c: 1 }, gpuSecondsSpent: 6, bruteForceGpuSeconds: 9, peakMemoryBytes: {},
};

describe('selection report', () => {
  it('summarises pick, cost and saving', () => {
    expect(summaryLines(result)).toEqual([
      'Target t (metric maximized: higher is better), policy successive-halving, store version 4, backend replay.',
      'Pick: a (validation 0.7000, test 0.6800).',
      '3 models in the pool, 3 candidates, 2 round(s); 6 epochs spent vs 9 for brute force (33% saved).',
    ]);
    expect(summaryLines({ ...result, direction: 'minimize' })[0]).toBe('Target t (metric minimized: lower is better), policy successive-halving, store version 4, backend replay.');
  });

  it('labels the curves axis by the direction and explains the elimination scores and their scale', () => {
    const page = selectionReport({ ...result, direction: 'minimize' }, { models: ['a', 'b', 'c'], datasets: ['x', 'y'], values: Float64Array.from([1, 0, 0, 0, 1, 0]) }, null);
    const curves = page.sections[0];
    expect(curves && !('table' in curves) ? curves.layout : null).toMatchObject({ yaxis: { title: { text: 'validation metric (minimized: lower is better)' } } });
    const table = page.sections[3];
    expect(table && 'table' in table ? table.table.caption : '').toMatch(/on the target metric's own scale/);
  });

  it('marks every elimination at its epoch on its own curve', () => {
    const page = selectionReport(result, { models: ['a', 'b', 'c'], datasets: ['x', 'y'], values: Float64Array.from([1, 0, 0, 0, 1, 0]) }, null);
    const curves = page.sections[0];
    if (!curves || 'table' in curves) throw new Error('first section must be the curves plot');
    const marks = curves.traces.at(-1) as { x: number[]; y: number[] };
    expect(marks.x).toEqual([1, 2]);
    expect(marks.y).toEqual([0.3, 0.45]);
    const table = page.sections[3];
    expect(table && 'table' in table ? table.table.rows : []).toEqual([['c', '1', '1', 'halving', 'worst'], ['b', '2', '2', 'trend-filter', 'predicted lower']]);
  });

  it('maps models by their first two principal components', () => {
    // Three models on two datasets: a line along the first axis gives PC2 = 0.
    const { x, y } = clusterMapCoordinates({ models: ['a', 'b', 'c'], datasets: ['d1', 'd2'], values: Float64Array.from([0, 1, 2, 0, 1, 2]) });
    expect(x.map((v) => Math.abs(v))).toEqual([expect.closeTo(Math.SQRT2, 9), expect.closeTo(0, 9), expect.closeTo(Math.SQRT2, 9)]);
    expect(y.every((v) => Math.abs(v) < 1e-9)).toBe(true);
  });
});

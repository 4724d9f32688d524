import { combineRung, fitRungWeights } from '../../algorithms/rung-fit';
import { zOfFinite } from '../../algorithms/stats';
import type { RunRecord, RunSet } from '../../algorithms/types';

/** Three history datasets of four models; validation after epoch 1 and the final score per model given by `runs`. */
function history(rows: (dataset: string) => { val: number[]; final: number[] }): RunSet {
  const models = ['a', 'b', 'c', 'd'];
  const datasets = ['h1', 'h2', 'h3'];
  const runs: RunRecord[] = datasets.flatMap((dataset) => {
    const { val, final } = rows(dataset);
    return models.map((model, i) => ({ model, dataset, val: [val[i] ?? 0], test: final[i] ?? 0 }));
  });
  return { models, datasets, runs };
}

const evidence = new Map([
  ['a', 4],
  ['b', 1],
  ['c', 3],
  ['d', 2],
]);

describe('fitRungWeights', () => {
  it('gives validation all the weight when it alone predicts the final scores', () => {
    const curves = history(() => ({ val: [0.1, 0.2, 0.3, 0.4], final: [0.5, 0.6, 0.7, 0.8] }));
    const w = fitRungWeights(curves, 1, () => evidence);
    expect(w.datasets).toBe(3);
    expect(w.validation).toBeCloseTo(1, 10);
    expect(w.evidence).toBeCloseTo(0, 10);
  });

  it('gives the evidence all the weight when the final scores follow it, whatever validation says', () => {
    const curves = history(() => ({ val: [0.1, 0.3, 0.2, 0.4], final: [0.9, 0.6, 0.8, 0.7] }));
    const w = fitRungWeights(curves, 1, () => evidence);
    expect(w.validation).toBeCloseTo(0, 10);
    expect(w.evidence).toBeCloseTo(1, 10);
  });

  it('falls back to validation alone with fewer than three usable history datasets or without evidence there', () => {
    const curves = history(() => ({ val: [0.5, 0.5, 0.5, 0.5], final: [0.9, 0.6, 0.8, 0.7] }));
    expect(fitRungWeights(curves, 1, (d) => (d === 'h1' ? evidence : null))).toEqual({ validation: 1, evidence: 0, datasets: 0 });
    expect(fitRungWeights(curves, 2, () => evidence)).toEqual({ validation: 1, evidence: 0, datasets: 0 });
  });
});

describe('combineRung', () => {
  // values .5 .6 .7: sd sqrt(.02/3) = .08165; z(evidence 3 2 1) = 1.2247 0 -1.2247, so sd * z = +.1, 0, -.1
  it('adds (w_evidence / w_validation) * sd(validation) * z(evidence) to validation', () => {
    const s = combineRung([0.5, 0.6, 0.7], [3, 2, 1], { validation: 1, evidence: 0.5, datasets: 3 });
    expect(s.map((v) => Number(v.toFixed(10)))).toEqual([0.55, 0.6, 0.65]);
  });

  it('is validation itself without an evidence weight, and ranks by the evidence alone without a validation weight', () => {
    expect(combineRung([0.5, 0.6, 0.7], [3, 2, 1], { validation: 1, evidence: 0, datasets: 3 })).toEqual([0.5, 0.6, 0.7]);
    const s = combineRung([0.5, 0.6, 0.7], [3, 2, 1], { validation: 0, evidence: 1, datasets: 3 });
    expect(s[0]).toBeGreaterThan(s[1] ?? 0);
    expect(s[1]).toBeGreaterThan(s[2] ?? 0);
  });

  it('z-scores only finite values', () => {
    expect(zOfFinite([1, Number.NaN, 3])).toEqual([-1, 0, 1]);
    expect(zOfFinite([2, 2])).toEqual([0, 0]);
  });
});

import { createPolicy } from '../../algorithms/policies';
import type { SelectionTask } from '../../algorithms/policy';
import { evaluateCase, evaluatePolicy, summarize, type CaseResult } from '../../replay/evaluate';
import type { ReplayCase } from '../../replay/protocols';

function replayCase(target: string, curves: Record<string, { val: number[]; test: number }>): ReplayCase {
  const pool = Object.keys(curves);
  const task: SelectionTask = {
    target,
    pool,
    maxEpochs: 2,
    direction: 'maximize',
    history: { models: [], datasets: [], values: new Float64Array(0) },
    curves: { models: [], datasets: [], runs: [] },
    proxies: new Map(),
    seed: 1,
  };
  const runs = pool.map((model) => ({ model, dataset: target, val: curves[model]?.val ?? [], test: curves[model]?.test ?? null }));
  return { task, targetRuns: { models: pool, datasets: [target], runs }, test: new Map(pool.map((m) => [m, curves[m]?.test ?? Number.NaN])) };
}

// brute force (last val) picks b (test 0.70) while a has the best test (0.75)
const T1 = replayCase('t1', { a: { val: [0.5, 0.6], test: 0.75 }, b: { val: [0.7, 0.8], test: 0.7 }, c: { val: [0.1, 0.2], test: 0.1 } });
// brute force picks the best
const T2 = replayCase('t2', { a: { val: [0.5, 0.9], test: 0.9 }, b: { val: [0.7, 0.8], test: 0.8 } });

describe('evaluateCase', () => {
  it('scores regret in points, best-ness and cost against brute force', async () => {
    const r = await evaluateCase(createPolicy('successive-halving'), T1);
    expect(r).toEqual({
      policy: 'successive-halving',
      target: 't1',
      poolSize: 3,
      pick: 'b',
      pickTest: 0.7,
      bestTest: 0.75,
      regret: expect.closeTo(5, 10) as number,
      isBest: false,
      epochs: 4,
      trainEpochs: 4,
      proxyComputations: 0,
      bruteForceEpochs: 6,
      costFraction: 4 / 6,
    });
  });
});

describe('summarize', () => {
  it('averages regret and cost fraction over cases and counts best picks', async () => {
    const results = await evaluatePolicy(createPolicy('brute-force'), [T1, T2]);
    expect(results.map((r) => [r.target, r.pick, r.isBest])).toEqual([
      ['t1', 'b', false],
      ['t2', 'a', true],
    ]);
    const s = summarize(results);
    expect(s.policy).toBe('brute-force');
    expect(s.cases).toBe(2);
    expect(s.meanRegret).toBeCloseTo(2.5, 10);
    expect(s.medianRegret).toBeCloseTo(2.5, 10);
    expect(s.pBest).toBe(0.5);
    expect(s.costFraction).toBe(1);
    expect(s.meanEpochs).toBe(5);
  });

  it('rejects empty and mixed result lists', async () => {
    expect(() => summarize([])).toThrow(/no results to summarize/);
    const a = await evaluateCase(createPolicy('brute-force'), T2);
    const b: CaseResult = { ...a, policy: 'other' };
    expect(() => summarize([a, b])).toThrow(/several policies/);
  });
});

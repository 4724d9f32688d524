import type { SelectionTask } from '../../algorithms/policy';
import type { ReplayCase } from '../../replay/protocols';
import { splitHalves, tune } from '../../replay/tuning';

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

const simple = (target: string): ReplayCase => replayCase(target, { a: { val: [0.9, 0.1], test: 0.9 }, b: { val: [0.1, 0.8], test: 0.5 } });

describe('splitHalves', () => {
  it('alternates over sorted target names: even positions tune, odd ones report', () => {
    const { tune: t, report: r } = splitHalves(['delta', 'alpha', 'echo', 'charlie', 'bravo'].map(simple));
    expect(t.map((c) => c.task.target)).toEqual(['alpha', 'echo', 'charlie']);
    expect(r.map((c) => c.task.target)).toEqual(['delta', 'bravo']);
  });
});

describe('tune', () => {
  const cases = [simple('x'), simple('y')];

  it('chooses the lowest mean regret within the cost cap', async () => {
    // successive halving keeps a after epoch 1 (regret 0, cost 3/4); brute force picks b (regret 40)
    const r = await tune(['brute-force', 'successive-halving'], cases, 1);
    expect(r.grid.map((s) => [s.policy, +s.meanRegret.toFixed(6), s.costFraction])).toEqual([
      ['brute-force', 40, 1],
      ['successive-halving', 0, 0.75],
    ]);
    expect(r.chosen).toBe('successive-halving');
  });

  it('prefers the cheaper candidate on equal regret, then the earlier one, and respects the cap', async () => {
    // best-epoch also picks a (regret 0) but at full cost
    expect((await tune(['brute-force-best-epoch', 'successive-halving'], cases, 1)).chosen).toBe('successive-halving');
    expect((await tune(['successive-halving:eta=3', 'successive-halving'], cases, 1)).chosen).toBe('successive-halving:eta=3');
    expect((await tune(['brute-force-best-epoch', 'brute-force'], cases, 1)).chosen).toBe('brute-force-best-epoch');
    await expect(tune(['brute-force'], cases, 0.5)).rejects.toThrow(/no candidate stays within 50% of brute-force cost/);
  });
});

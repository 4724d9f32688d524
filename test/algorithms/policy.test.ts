import { runSelection, orientTask, type SelectionPolicy, type SelectionTask, type TrainEpochs } from '../../algorithms/policy';
import type { Direction } from '../../algorithms/types';

const EMPTY_HISTORY = { models: [], datasets: [], values: new Float64Array(0) };
const EMPTY_CURVES = { models: [], datasets: [], runs: [] };

function task(pool: string[], direction: Direction = 'maximize', maxEpochs = 3): SelectionTask {
  return { target: 't', pool, maxEpochs, direction, history: EMPTY_HISTORY, curves: EMPTY_CURVES, proxy: null, seed: 1 };
}

/** A backend over fixed curves that records every call. */
function backend(curves: Record<string, number[]>): { train: TrainEpochs; calls: string[] } {
  const calls: string[] = [];
  const train: TrainEpochs = async (model, from, to) => {
    calls.push(`${model}:${from}->${to}`);
    return (curves[model] ?? []).slice(from, to);
  };
  return { train, calls };
}

/** Trains `first` to epoch 1 twice and to epoch 2, charges 2 proxies, picks `first`. */
const probe = (first: string): SelectionPolicy => ({
  name: 'probe',
  async select(_task, session) {
    expect(await session.curve(first, 1)).toEqual([0.5]);
    expect(await session.curve(first, 1)).toEqual([0.5]);
    expect(await session.curve(first, 2)).toEqual([0.5, 0.6]);
    session.chargeProxies(2);
    return first;
  },
});

describe('runSelection', () => {
  it('trains only missing epochs, trains the pick to maxEpochs and counts the cost', async () => {
    const b = backend({ a: [0.5, 0.6, 0.7], b: [0.1, 0.2, 0.3] });
    const run = await runSelection(probe('a'), task(['a', 'b']), b.train);
    expect(b.calls).toEqual(['a:0->1', 'a:1->2', 'a:2->3']);
    expect(run).toEqual({ policy: 'probe', pick: 'a', cost: { trainEpochs: 3, proxyComputations: 2, epochs: 4 }, epochs: [3, 0] });
  });

  it('hands the policy curves oriented so that higher is better when minimising', async () => {
    const seen: number[] = [];
    const policy: SelectionPolicy = {
      name: 'seen',
      async select(_t, session) {
        seen.push(...(await session.curve('a', 2)));
        return 'a';
      },
    };
    await runSelection(policy, task(['a'], 'minimize'), backend({ a: [0.5, 0.25, 0.1] }).train);
    expect(seen).toEqual([-0.5, -0.25]);
  });

  it('orientTask negates history and recorded curves of a minimised task', () => {
    const t: SelectionTask = {
      ...task(['a'], 'minimize'),
      history: { models: ['a'], datasets: ['x'], values: Float64Array.from([0.3]) },
      curves: { models: ['a'], datasets: ['x'], runs: [{ model: 'a', dataset: 'x', val: [0.4], test: 0.2 }] },
    };
    const o = orientTask(t);
    expect([...o.history.values]).toEqual([-0.3]);
    expect(o.curves.runs[0]).toEqual({ model: 'a', dataset: 'x', val: [-0.4], test: -0.2 });
    expect(orientTask(task(['a']))).toEqual(task(['a']));
  });

  it('rejects malformed tasks', async () => {
    const b = backend({ a: [0.5, 0.6, 0.7] });
    await expect(runSelection(probe('a'), task([]), b.train)).rejects.toThrow(/pool for t is empty/);
    await expect(runSelection(probe('a'), task(['a', 'a']), b.train)).rejects.toThrow(/lists a model twice/);
    await expect(runSelection(probe('a'), task(['a'], 'maximize', 0), b.train)).rejects.toThrow(/maxEpochs is 0, but must be an integer >= 1/);
    const leaky = { ...task(['a']), curves: { models: ['a'], datasets: ['t'], runs: [{ model: 'a', dataset: 't', val: [1], test: 1 }] } };
    await expect(runSelection(probe('a'), leaky, b.train)).rejects.toThrow(/curves must not contain the target t/);
  });

  it('rejects a pick outside the pool, an epoch out of range and a backend returning the wrong count', async () => {
    const b = backend({ a: [0.5, 0.6, 0.7] });
    const outside: SelectionPolicy = { name: 'outside', select: async () => 'z' };
    await expect(runSelection(outside, task(['a']), b.train)).rejects.toThrow(/policy outside picked z, which is not in the pool/);
    const tooFar: SelectionPolicy = { name: 'far', select: async (_t, s) => (await s.curve('a', 4), 'a') };
    await expect(runSelection(tooFar, task(['a']), b.train)).rejects.toThrow(/toEpoch is 4, but must be an integer in 1..3/);
    const stranger: SelectionPolicy = { name: 'stranger', select: async (_t, s) => (await s.curve('q', 1), 'a') };
    await expect(runSelection(stranger, task(['a']), b.train)).rejects.toThrow(/model q is not in the pool for t/);
    const short: TrainEpochs = async () => [];
    await expect(runSelection(probe('a'), task(['a']), short)).rejects.toThrow(/training a epochs 1..1 returned 0 scores/);
  });
});

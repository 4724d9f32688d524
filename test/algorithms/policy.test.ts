import {
  decideStep,
  orientTask,
  recallStep,
  runSelection,
  type Rung,
  type SelectionPolicy,
  type SelectionTask,
  type TrainEpochs,
} from '../../algorithms/policy';
import type { Direction } from '../../algorithms/types';

const EMPTY_HISTORY = { models: [], datasets: [], values: new Float64Array(0) };
const EMPTY_CURVES = { models: [], datasets: [], runs: [] };

function task(pool: string[], direction: Direction = 'maximize', maxEpochs = 3): SelectionTask {
  return { target: 't', pool, maxEpochs, direction, history: EMPTY_HISTORY, curves: EMPTY_CURVES, proxies: new Map(), seed: 1 };
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

/** Recalls `candidates` (charging 2 proxies), keeps the first two at epoch 1, then the best last score; records the rungs it sees. */
function probe(candidates: string[], seen: Rung[] = []): SelectionPolicy {
  return {
    name: 'probe',
    proxyRequest: () => null,
    recall: () => ({ candidates, scores: {}, proxyCharges: 2 }),
    decide: (_t, rung) => {
      seen.push(rung);
      if (rung.epoch === 1)
        return {
          keep: [0, 1].filter((i) => i < rung.models.length),
          filtered: [2],
          score: { values: rung.curves.map((c) => (c.at(-1) ?? 0) + 1), meaning: 'probe score' },
        };
      const last = rung.curves.map((c) => c.at(-1) ?? -Infinity);
      return { keep: [last.indexOf(Math.max(...last))] };
    },
    pick: () => 0,
  };
}

describe('runSelection (the replay loop over the policy engine)', () => {
  it('trains one epoch per round, follows the decisions, trains the pick to maxEpochs and counts the cost', async () => {
    const b = backend({ a: [0.5, 0.6, 0.7], b: [0.4, 0.8, 0.9], c: [0.1, 0.2, 0.3] });
    const run = await runSelection(probe(['a', 'b', 'c']), task(['a', 'b', 'c']), b.train);
    expect(b.calls).toEqual(['a:0->1', 'b:0->1', 'c:0->1', 'a:1->2', 'b:1->2', 'b:2->3']);
    expect(run).toEqual({
      policy: 'probe',
      pick: 'b',
      cost: { trainEpochs: 6, proxyComputations: 2, epochs: 7 },
      epochs: [2, 3, 1],
      eliminations: [
        { model: 'c', round: 1, reason: 'trend-filter' },
        { model: 'a', round: 2, reason: 'halving' },
      ],
    });
  });

  it('a single recalled model is trained to maxEpochs without a decision', async () => {
    const seen: Rung[] = [];
    const b = backend({ a: [0.5, 0.6, 0.7] });
    const run = await runSelection(probe(['a'], seen), task(['a', 'b']), b.train);
    expect(seen).toEqual([]);
    expect(run.epochs).toEqual([3, 0]);
  });

  it('rejects malformed tasks, a recall outside the pool, an empty recall and a backend returning the wrong count', async () => {
    const b = backend({ a: [0.5, 0.6, 0.7] });
    await expect(runSelection(probe(['a']), task([]), b.train)).rejects.toThrow(/pool for t is empty/);
    await expect(runSelection(probe(['a']), task(['a', 'a']), b.train)).rejects.toThrow(/lists a model twice/);
    await expect(runSelection(probe(['a']), task(['a'], 'maximize', 0), b.train)).rejects.toThrow(/maxEpochs is 0, but must be an integer >= 1/);
    const leaky = { ...task(['a']), curves: { models: ['a'], datasets: ['t'], runs: [{ model: 'a', dataset: 't', val: [1], test: 1 }] } };
    await expect(runSelection(probe(['a']), leaky, b.train)).rejects.toThrow(/curves must not contain the target t/);
    await expect(runSelection(probe(['z']), task(['a']), b.train)).rejects.toThrow(/model z is not in the pool for t/);
    await expect(runSelection(probe([]), task(['a']), b.train)).rejects.toThrow(/probe recalled no model for t/);
    await expect(runSelection(probe(['a']), task(['a']), async () => [])).rejects.toThrow(/training a epochs 1..3 returned 0 scores/);
  });
});

describe('decideStep', () => {
  const rung = (epoch: number, curves: number[][]): Rung => ({ epoch, budgetEpochs: 3, models: ['a', 'b', 'c'].slice(0, curves.length), curves });

  it('names every dropped model with its reason and the score on the metric scale', () => {
    const d = decideStep(probe([]), task(['a', 'b', 'c']), rung(1, [[0.5], [0.4], [0.1]]));
    expect(d.keep).toEqual(['a', 'b']);
    expect(d.predictions).toEqual({ a: 1.5, b: 1.4, c: 1.1 });
    expect(d.eliminated).toEqual([
      {
        model: 'c',
        reason: 'trend-filter',
        detail: 'probe score 1.1000 (validation 0.1000) at epoch 1: predicted final below that of a model with better validation',
      },
    ]);
  });

  it('hands the policy curves oriented so that higher is better when minimising, and reports back on the metric scale', () => {
    const seen: Rung[] = [];
    const d = decideStep(
      probe([], seen),
      task(['a', 'b', 'c'], 'minimize'),
      rung(2, [
        [0.5, 0.3],
        [0.4, 0.2],
      ]),
    );
    expect(seen[0]?.curves).toEqual([
      [-0.5, -0.3],
      [-0.4, -0.2],
    ]);
    expect(d.keep).toEqual(['b']);
    expect(d.eliminated).toEqual([{ model: 'a', reason: 'halving', detail: 'validation 0.3000 at epoch 2 not in the top 1 of 2 (best validation 0.2000)' }]);
  });

  it("at the budget epoch keeps only the policy's pick among the models its verdict kept", () => {
    const keepAll: SelectionPolicy = { ...probe([]), decide: (_t, r) => ({ keep: r.models.map((_, i) => i) }), pick: (_t, r) => r.curves.length - 1 };
    const d = decideStep(keepAll, task(['a', 'b', 'c']), rung(3, [[0.1], [0.2], [0.3]]));
    expect(d.keep).toEqual(['c']);
    expect(d.eliminated.map((e) => [e.model, e.reason, e.detail])).toEqual([
      ['a', 'halving', 'validation 0.1000 at the budget epoch 3: the policy picked c'],
      ['b', 'halving', 'validation 0.2000 at the budget epoch 3: the policy picked c'],
    ]);
  });

  it('refuses a verdict that keeps nobody', () => {
    const none: SelectionPolicy = { ...probe([]), decide: () => ({ keep: [] }) };
    expect(() => decideStep(none, task(['a']), rung(1, [[0.1]]))).toThrow(/probe: rung at epoch 1 kept no model/);
  });

  it('recallStep passes the recall through', () => {
    expect(recallStep(probe(['a']), task(['a']))).toEqual({ candidates: ['a'], scores: {}, proxyCharges: 2 });
  });
});

describe('orientTask', () => {
  it('negates the history and recorded curves of minimized datasets only, each by its own direction', () => {
    const t: SelectionTask = {
      ...task(['a'], 'minimize'),
      datasetDirections: new Map([
        ['x', 'minimize'],
        ['y', 'maximize'],
      ]),
      history: { models: ['a'], datasets: ['x', 'y'], values: Float64Array.from([0.3, 0.7]) },
      curves: {
        models: ['a'],
        datasets: ['x', 'y'],
        runs: [
          { model: 'a', dataset: 'x', val: [0.4], test: 0.2 },
          { model: 'a', dataset: 'y', val: [0.6], test: 0.8 },
        ],
      },
    };
    const o = orientTask(t);
    expect([...o.history.values]).toEqual([-0.3, 0.7]);
    expect(o.curves.runs).toEqual([
      { model: 'a', dataset: 'x', val: [-0.4], test: -0.2 },
      { model: 'a', dataset: 'y', val: [0.6], test: 0.8 },
    ]);
    expect(orientTask(t)).toBe(o);
    const plain = task(['a'], 'minimize');
    expect(orientTask(plain)).toBe(plain);
  });
});

import { runSelection, type SelectionTask, type TrainEpochs } from '../../algorithms/policy';
import { createPolicy } from '../../algorithms/policies';
import { recalled } from '../../algorithms/policies/prior-shrink-halving';
import type { RunRecord } from '../../algorithms/types';

// History h1 = h2 = .9 .8 .7 .6 .5 for a..e: standardized priors sqrt2, sqrt1/2, 0, -sqrt1/2, -sqrt2.
const MODELS = ['a', 'b', 'c', 'd', 'e'];
const HISTORY = { models: MODELS, datasets: ['h1', 'h2'], values: Float64Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0.9, 0.8, 0.7, 0.6, 0.5]) };

/**
 * Ten models with runs on o1 and o2 whose final scores sit +s and -s from validation
 * (s = +-0.05 alternating by model): every gap is 0 and the noise variance is 0.0025.
 */
function noisyCurves(): SelectionTask['curves'] {
  const models = [...MODELS, 'f', 'g', 'h', 'i', 'j'];
  const runs: RunRecord[] = models.flatMap((model, i) => {
    const s = i % 2 === 0 ? 0.05 : -0.05;
    return [
      { model, dataset: 'o1', val: [0.5, 0.5], test: 0.5 + s },
      { model, dataset: 'o2', val: [0.5, 0.5], test: 0.5 - s },
    ];
  });
  return { models, datasets: ['o1', 'o2'], runs };
}

function task(curves: SelectionTask['curves']): SelectionTask {
  return { target: 't', pool: MODELS, maxEpochs: 2, direction: 'maximize', history: HISTORY, curves, proxies: new Map(), seed: 1 };
}

/** Five history datasets h1..h5 with `rows` as the models' results and `logmeRows` as LogME's scores there (one row per dataset). */
function withLogmeHistory(rows: number[][], logmeRows: number[][] = rows) {
  const datasets = ['h1', 'h2', 'h3', 'h4', 'h5'];
  const history = { models: MODELS, datasets, values: Float64Array.from(rows.flat()) };
  const proxyHistory = new Map([['logme', new Map(datasets.map((d, i) => [d, new Map(MODELS.map((m, j) => [m, logmeRows[i]?.[j] ?? 0]))]))]]);
  return { history, proxyHistory };
}

const from =
  (curves: Record<string, number[]>): TrainEpochs =>
  async (m, a, b) =>
    (curves[m] ?? []).slice(a, b);

describe('prior-shrink-halving', () => {
  const target = { a: [0.6, 0.6], b: [0.58, 0.7], c: [0.62, 0.9], d: [0.4, 0.4], e: [0.99, 0.99] };

  it('recalls by prior and, shrinking toward the prior fit, drops c (high validation, low prior) at epoch 1', async () => {
    // epoch 1 posteriors (w = 0.339): a .6225, b .5787, c .5552, d .4437 -> keep a, b; epoch 2: b .7 > a .6
    const run = await runSelection(createPolicy('prior-shrink-halving', { recallSize: 4 }), task(noisyCurves()), from(target));
    expect(run.pick).toBe('b');
    expect(run.epochs).toEqual([2, 2, 1, 1, 0]);
    expect(run.cost.epochs).toBe(6);
  });

  it('with a grace period of 2 trains every recalled model two epochs before choosing', async () => {
    const run = await runSelection(createPolicy('prior-shrink-halving', { recallSize: 4, gracePeriod: 2, shrink: 'none' }), task(noisyCurves()), from(target));
    // no cut at epoch 1; at the budget epoch 2 the best validation, c (.9), is the pick
    expect(run.epochs).toEqual([2, 2, 2, 2, 0]);
    expect(run.pick).toBe('c');
  });

  it('with rungKeep taper trains the finalists to the budget and picks among them on the last epoch', async () => {
    // 4 recalled, 2 epochs, 2 finalists: 4 * (2/4)^(1/1) = 2 keep after epoch 1 (c .62, a .6 by validation); at epoch 2 c (.9) beats a (.6)
    const o = { recallSize: 4, shrink: 'none', trend: 'none', rungKeep: 'taper', finalists: 2 } as const;
    const run = await runSelection(createPolicy('prior-shrink-halving', o), task(noisyCurves()), from(target));
    expect(run.epochs).toEqual([2, 1, 2, 1, 0]);
    expect(run.pick).toBe('c');
    // 3 finalists: b (.58) trains on too and its epoch 2 (.7) does not beat c
    const three = await runSelection(createPolicy('prior-shrink-halving', { ...o, finalists: 3 }), task(noisyCurves()), from(target));
    expect(three.epochs).toEqual([2, 2, 2, 1, 0]);
    expect(three.pick).toBe('c');
  });

  it('without shrinkage keeps the two best validation scores, c and a, and picks c', async () => {
    const run = await runSelection(createPolicy('prior-shrink-halving', { recallSize: 4, shrink: 'none' }), task(noisyCurves()), from(target));
    expect(run.pick).toBe('c');
    expect(run.epochs).toEqual([2, 1, 2, 1, 0]);
  });

  it("adds each model's usual validation-to-final gap from other datasets", async () => {
    // a usually gains 0.4 after epoch 1 and 2; b, c, d gain nothing
    const gaps: SelectionTask['curves'] = {
      models: ['a', 'b', 'c', 'd'],
      datasets: ['o'],
      runs: [
        { model: 'a', dataset: 'o', val: [0.5, 0.5], test: 0.9 },
        { model: 'b', dataset: 'o', val: [0.5, 0.5], test: 0.5 },
        { model: 'c', dataset: 'o', val: [0.5, 0.5], test: 0.5 },
        { model: 'd', dataset: 'o', val: [0.5, 0.5], test: 0.5 },
      ],
    };
    const curves = { a: [0.4, 0.5], b: [0.6, 0.6], c: [0.7, 0.7], d: [0.5, 0.5], e: [0.9, 0.9] };
    const params = { recallSize: 4, shrink: 'none' };
    expect((await runSelection(createPolicy('prior-shrink-halving', params), task(gaps), from(curves))).pick).toBe('a');
    expect((await runSelection(createPolicy('prior-shrink-halving', { ...params, trend: 'none' }), task(gaps), from(curves))).pick).toBe('c');
  });

  it('skips shrinkage when no other dataset has enough runs to measure the noise', async () => {
    const run = await runSelection(createPolicy('prior-shrink-halving', { recallSize: 4 }), task({ models: [], datasets: [], runs: [] }), from(target));
    expect(run.pick).toBe('c');
  });

  it('breaks ties by the prior and recalls the whole pool when it is small', async () => {
    const flat = { a: [0.5, 0.5], b: [0.5, 0.5], c: [0.5, 0.5], d: [0.5, 0.5], e: [0.5, 0.5] };
    const run = await runSelection(createPolicy('prior-shrink-halving', { recallSize: 50, trend: 'none', shrink: 'none' }), task(noisyCurves()), from(flat));
    expect(run.pick).toBe('a');
    expect(run.epochs).toEqual([2, 2, 1, 1, 1]);
  });

  it('asks for its proxy on the pool and on the history datasets without scores, and for nothing with proxy=history-prior', () => {
    const t = { ...task(noisyCurves()), proxyHistory: new Map([['logme', new Map([['h1', new Map([['a', 1]])]])]]) };
    expect(createPolicy('prior-shrink-halving').proxyRequest(t)).toEqual({ proxy: 'logme', models: MODELS, datasets: ['h2'] });
    expect(createPolicy('prior-shrink-halving').proxyRequest({ ...t, proxies: new Map([['logme', new Map([['a', 1]])]]) })).toBeNull();
    expect(createPolicy('prior-shrink-halving', { proxy: 'history-prior' }).proxyRequest(t)).toBeNull();
  });

  it('recalls by the prior alone, with a warning, when its proxy has no scores on the target', () => {
    const r = createPolicy('prior-shrink-halving', { recallSize: 2 }).recall(task(noisyCurves()));
    expect(r.candidates).toEqual(['a', 'b']);
    expect(r.proxyCharges).toBe(0);
    expect(r.warnings).toEqual(['proxy logme has no scores on t: recall and scores use the history prior alone']);
  });

  it('recalls the specialist that a proxy weighed on the history favours, and charges the proxy computations', () => {
    // Five history datasets on which LogME ranked the models exactly as their results; e has the lowest prior.
    const rows = [
      [0.9, 0.8, 0.7, 0.6, 0.5],
      [0.5, 0.6, 0.7, 0.8, 0.9],
      [0.9, 0.8, 0.7, 0.6, 0.5],
      [0.6, 0.5, 0.9, 0.8, 0.7],
      [0.9, 0.8, 0.7, 0.6, 0.5],
    ];
    const base = { ...task(noisyCurves()), ...withLogmeHistory(rows) };
    // summed z-scores: a 2.12, c 1.41, b 0, d -0.71, e -2.83
    const prior = createPolicy('prior-shrink-halving', { recallSize: 2, proxy: 'history-prior' }).recall(base);
    expect(prior.candidates).toEqual(['a', 'c']);
    const logme = new Map(MODELS.map((m, i) => [m, [0.1, 0.2, 0.3, 0.4, 3][i] ?? 0]));
    const r = createPolicy('prior-shrink-halving', { recallSize: 2 }).recall({ ...base, proxies: new Map([['logme', logme]]) });
    expect(r.candidates).toContain('e');
    expect(r.proxyCharges).toBe(5);
    expect(r.warnings).toBeUndefined();
    const flat = createPolicy('prior-shrink-halving', { recallSize: 2 }).recall({ ...base, proxies: new Map([['logme', new Map(MODELS.map((m) => [m, 1]))]]) });
    expect(flat.candidates).toEqual(prior.candidates);
  });

  it('gives proxySlots of the recall to the best proxy scores among the models the evidence leaves out', () => {
    const t = task(noisyCurves());
    const evidence = [5, 4, 3, 2, 1];
    const proxy = new Map([
      ['a', 0],
      ['b', 0],
      ['c', 0],
      ['d', 1],
      ['e', 9],
    ]);
    // 3 recalled: a, b by the evidence, then e (best proxy score of c, d, e) instead of c
    expect(recalled(t, evidence, { recallSize: 3, proxySlots: 1 }, proxy)).toEqual(['a', 'b', 'e']);
    expect(recalled(t, evidence, { recallSize: 3, proxySlots: 2 }, proxy)).toEqual(['a', 'e', 'd']);
    // at least one model comes from the evidence; no proxy in use: the evidence alone
    expect(recalled(t, evidence, { recallSize: 2, proxySlots: 5 }, proxy)).toEqual(['a', 'e']);
    expect(recalled(t, evidence, { recallSize: 3, proxySlots: 1 }, undefined)).toEqual(['a', 'b', 'c']);
    // a slot the proxy cannot fill (no score outside the evidence's picks) goes back to the evidence
    expect(recalled(t, evidence, { recallSize: 3, proxySlots: 1 }, new Map([['a', 1]]))).toEqual(['a', 'b', 'c']);
    // the pool is smaller than recallSize: everyone
    expect(recalled(t, evidence, { recallSize: 9, proxySlots: 1 }, proxy)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('uses proxy slots only when the evidence weighs a proxy scored on the target', () => {
    // Results rank a > b > c > d > e on every history dataset but for one swap each; LogME ranked them so on
    // three of five: the evidence weighs the prior most and LogME some.
    const rows = [
      [0.9, 0.8, 0.7, 0.6, 0.5],
      [0.9, 0.7, 0.8, 0.6, 0.5],
      [0.9, 0.8, 0.7, 0.5, 0.6],
      [0.8, 0.9, 0.7, 0.6, 0.5],
      [0.9, 0.8, 0.6, 0.7, 0.5],
    ];
    const logmeRows = [
      [0.9, 0.8, 0.7, 0.6, 0.5],
      [0.9, 0.7, 0.8, 0.6, 0.5],
      [0.5, 0.6, 0.7, 0.8, 0.9],
      [0.8, 0.9, 0.7, 0.6, 0.5],
      [0.7, 0.8, 0.6, 0.9, 0.5],
    ];
    const base = { ...task({ models: [], datasets: [], runs: [] }), ...withLogmeHistory(rows, logmeRows) };
    // LogME on the target ranks e (the lowest prior) first: the evidence recalls a, b, c; one slot gives c's place to e
    const withLogme = { ...base, proxies: new Map([['logme', new Map(MODELS.map((m, i) => [m, [0.1, 0.2, 0.3, 0.4, 0.9][i] ?? 0]))]]) };
    expect(createPolicy('prior-shrink-halving', { recallSize: 3, tuning: 'fixed' }).recall(withLogme).candidates).toEqual(['a', 'b', 'c']);
    expect(createPolicy('prior-shrink-halving', { recallSize: 3, proxySlots: 1, tuning: 'fixed' }).recall(withLogme).candidates).toEqual(['a', 'b', 'e']);
    // the prior alone (proxy=history-prior) or a flat proxy: no slot
    const slotted = (t: SelectionTask, proxy: 'logme' | 'history-prior' = 'logme') =>
      createPolicy('prior-shrink-halving', { recallSize: 3, proxySlots: 1, proxy, tuning: 'fixed' }).recall(t).candidates;
    expect(slotted(withLogme, 'history-prior')).toEqual(['a', 'b', 'c']);
    expect(slotted({ ...base, proxies: new Map([['logme', new Map(MODELS.map((m) => [m, 1]))]]) })).toEqual(['a', 'b', 'c']);
  });

  it("measures gaps and noise on datasets of the target's direction only (an RMSE dataset does not swamp an accuracy target)", async () => {
    // r is a minimized dataset whose huge errors would make every accuracy score the prior fit alone
    const rmse = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((model, i) => ({ model, dataset: 'r', val: [3, 3], test: i % 2 === 0 ? 1 : 5 }));
    const curves = noisyCurves();
    const mixed = {
      ...task({ ...curves, datasets: [...curves.datasets, 'r'], runs: [...curves.runs, ...rmse] }),
      datasetDirections: new Map([['r', 'minimize' as const]]),
    };
    const alone = await runSelection(createPolicy('prior-shrink-halving', { recallSize: 4 }), task(noisyCurves()), from(target));
    const withRmse = await runSelection(createPolicy('prior-shrink-halving', { recallSize: 4 }), mixed, from(target));
    expect(withRmse.pick).toBe(alone.pick);
    expect(withRmse.epochs).toEqual(alone.epochs);
  });

  it('rejects bad parameters', () => {
    expect(() => createPolicy('prior-shrink-halving', { recallSize: 0 })).toThrow(
      /prior-shrink-halving: recallSize: Number must be greater than or equal to 1/,
    );
    expect(() => createPolicy('prior-shrink-halving', { eta: 1 })).toThrow(/eta: Number must be greater than or equal to 2/);
    expect(() => createPolicy('prior-shrink-halving', { shrink: 'james-stein' })).toThrow(/shrink: Invalid enum value/);
    expect(() => createPolicy('prior-shrink-halving', { trend: 'fit' })).toThrow(/trend: Invalid enum value/);
    expect(() => createPolicy('prior-shrink-halving', { proxySlots: -1 })).toThrow(/proxySlots: Number must be greater than or equal to 0/);
    expect(createPolicy('prior-shrink-halving', { recallSize: 12 }).name).toBe('prior-shrink-halving:recallSize=12');
  });
});

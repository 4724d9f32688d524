import { decideStep, runSelection, type SelectionTask, type TrainEpochs } from '../../algorithms/policy';
import { createPolicy, parsePolicySpec, policyFromSpec, POLICY_NAMES } from '../../algorithms/policies';
import type { RunRecord } from '../../algorithms/types';

const EMPTY_HISTORY = { models: [], datasets: [], values: new Float64Array(0) };

function task(curves: Record<string, number[]>, extra: Partial<SelectionTask> = {}): SelectionTask {
  return {
    target: 't',
    pool: Object.keys(curves),
    maxEpochs: 3,
    direction: 'maximize',
    history: EMPTY_HISTORY,
    curves: { models: [], datasets: [], runs: [] },
    proxies: new Map(),
    seed: 1,
    ...extra,
  };
}

const from =
  (curves: Record<string, number[]>): TrainEpochs =>
  async (m, a, b) =>
    (curves[m] ?? []).slice(a, b);

describe('brute force', () => {
  const curves = { a: [0.9, 0.5, 0.5], b: [0.6, 0.7, 0.6] };

  it('picks the best last validation score at full cost', async () => {
    const run = await runSelection(createPolicy('brute-force'), task(curves), from(curves));
    expect(run.pick).toBe('b');
    expect(run.cost.epochs).toBe(6);
  });

  it('best-epoch variant picks the best validation at any epoch', async () => {
    const run = await runSelection(createPolicy('brute-force-best-epoch'), task(curves), from(curves));
    expect(run.pick).toBe('a');
    expect(run.epochs).toEqual([3, 3]);
  });

  it('takes no parameters', () => {
    expect(() => createPolicy('brute-force', { eta: 2 })).toThrow(/brute-force: unknown option "eta"; known: none/);
  });
});

describe('successive halving', () => {
  // epoch 1: a .5, b .6, c .7, d .4 -> keep c, b; epoch 2: b .8, c .75 -> keep b
  const curves = { a: [0.5, 0.9, 0.9], b: [0.6, 0.8, 0.8], c: [0.7, 0.75, 0.99], d: [0.4, 1, 1] };

  it('halves by current validation and trains the survivor to the end', async () => {
    const run = await runSelection(createPolicy('successive-halving'), task(curves), from(curves));
    expect(run.pick).toBe('b');
    expect(run.epochs).toEqual([1, 3, 2, 1]);
    expect(run.cost.epochs).toBe(7);
  });

  it('eta = 3 keeps one model after the first epoch', async () => {
    const run = await runSelection(createPolicy('successive-halving', { eta: 3 }), task(curves), from(curves));
    expect(run.pick).toBe('c');
    expect(run.cost.epochs).toBe(6);
  });

  it('picks the best last score when several survive the last epoch', async () => {
    const wide = { a: [0.1, 0.2], b: [0.3, 0.1], c: [0.2, 0.3], d: [0.4, 0.25], e: [0.5, 0.35] };
    const run = await runSelection(createPolicy('successive-halving'), task(wide, { maxEpochs: 2 }), from(wide));
    expect(run.pick).toBe('e');
    expect(run.cost.epochs).toBe(7);
  });

  it('on a minimized metric (an error rate) keeps the lowest scores: the mirror image picks the same model', async () => {
    const errors = Object.fromEntries(Object.entries(curves).map(([m, c]) => [m, c.map((v) => Number((1 - v).toFixed(2)))]));
    const run = await runSelection(createPolicy('successive-halving'), task(errors, { direction: 'minimize' }), from(errors));
    expect(run.pick).toBe('b');
    expect(run.epochs).toEqual([1, 3, 2, 1]);
    expect(run.eliminations).toEqual([
      { model: 'a', round: 1, reason: 'halving' },
      { model: 'd', round: 1, reason: 'halving' },
      { model: 'c', round: 2, reason: 'halving' },
    ]);
  });

  it('rejects eta < 2', () => {
    expect(() => createPolicy('successive-halving', { eta: 1 })).toThrow(/successive-halving: eta: Number must be greater than or equal to 2/);
  });
});

/** Runs on other datasets whose test scores average to `mean` for each model (one run each). */
function history(means: Record<string, number>): RunRecord[] {
  return Object.entries(means).map(([model, test]) => ({ model, dataset: 'other', val: [0.5, 0.5, 0.5], test }));
}

describe('fine selection', () => {
  // clusters = 1: the prediction of m is its mean test score elsewhere: a .9, b .5, c .6, d .4
  const runs = history({ a: 0.9, b: 0.5, c: 0.6, d: 0.4 });
  const curves = { a: [0.5, 0.5, 0.5], b: [0.7, 0.7, 0.7], c: [0.6, 0.8, 0.8], d: [0.65, 0.9, 0.9] };
  const t = task(curves, { curves: { models: Object.keys(curves), datasets: ['other'], runs } });

  it('drops models a better-scoring model is predicted to beat, then forces halving', async () => {
    // epoch 1: d dropped by b's prediction, then a (lowest) forced out; epoch 2: b dropped by c
    const run = await runSelection(createPolicy('fine-selection', { clusters: 1 }), t, from(curves));
    expect(run.pick).toBe('c');
    expect(run.epochs).toEqual([1, 2, 3, 1]);
    expect(run.cost.epochs).toBe(7);
    expect(run.policy).toBe('fine-selection:clusters=1');
  });

  it('on an RMSE target, trends only from minimized datasets: with accuracy curves alone, plain halving on validation and a warning', async () => {
    // the same accuracy runs, now history of a minimized target: they say nothing about an RMSE
    const rmse = { a: [2.5, 2.5, 2.5], b: [2.3, 2.3, 2.3], c: [2.4, 2.2, 2.2], d: [2.35, 2.1, 2.1] };
    const t2 = task(rmse, { direction: 'minimize', curves: { models: Object.keys(rmse), datasets: ['other'], runs } });
    const policy = createPolicy('fine-selection', { clusters: 1 });
    expect(policy.recall(t2).warnings).toEqual([
      "fine-selection:clusters=1: no history dataset is minimized like t, so no recorded curve says how its metric moves from epoch to final: rounds rank by the target's validation alone",
    ]);
    const rung1 = { epoch: 1, budgetEpochs: 3, models: Object.keys(rmse), curves: Object.values(rmse).map((c) => c.slice(0, 1)) };
    const d = decideStep(policy, t2, rung1);
    expect(Object.values(d.predictions).every(Number.isNaN)).toBe(true);
    expect(d.eliminated.map((e) => [e.model, e.reason])).toEqual([
      ['a', 'halving'],
      ['c', 'halving'],
    ]);
    // epoch 1 keeps the 2 lowest RMSEs (b 2.3, d 2.35), epoch 2 the lower (d 2.1)
    const run = await runSelection(policy, t2, from(rmse));
    expect(run.pick).toBe('d');
    expect(run.epochs).toEqual([1, 2, 1, 3]);
    // a minimized history dataset is used: its run predicts, no warning
    const minRuns = runs.map((r) => ({ ...r, dataset: 'other-rmse', test: 3 - (r.test ?? 0) }));
    const t3 = {
      ...t2,
      datasetDirections: new Map([['other-rmse', 'minimize' as const]]),
      curves: { models: Object.keys(rmse), datasets: ['other', 'other-rmse'], runs: [...runs, ...minRuns] },
    };
    expect(policy.recall(t3).warnings).toBeUndefined();
    // the prediction is each model's mean final RMSE on the minimized dataset (one run each): a 2.1, b 2.5, c 2.4, d 2.6
    const p3 = decideStep(policy, t3, rung1).predictions;
    expect(Object.values(p3).map((x) => Number(x.toFixed(6)))).toEqual([2.1, 2.5, 2.4, 2.6]);
  });

  it('rejects bad parameters', () => {
    expect(() => createPolicy('fine-selection', { thresholdMode: 'loose' })).toThrow(
      /fine-selection: thresholdMode: Invalid enum value. Expected 'absolute' \| 'relative', received 'loose'/,
    );
    expect(() => createPolicy('fine-selection', { clusters: 0 })).toThrow(/clusters: Number must be greater than or equal to 1/);
    expect(() => createPolicy('fine-selection', { threshold: '0.1' })).toThrow(/threshold: Expected number, received string/);
  });
});

describe('two-phase-paper', () => {
  // history over 6 datasets: prior a .8, b .7, c .6, d .5 -> prior recall keeps a, b, c; fine selection takes a, b
  const models = ['a', 'b', 'c', 'd'];
  const prior = [0.8, 0.7, 0.6, 0.5];
  const values = Float64Array.from({ length: 24 }, (_, i) => prior[i % 4] ?? 0);
  const hist = { models, datasets: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'], values };
  const curves = { a: [0.6, 0.6, 0.6], b: [0.7, 0.7, 0.7], c: [0.9, 0.9, 0.9], d: [0.95, 0.95, 0.95] };
  const params = { recallSize: 3, fineSize: 2, clusters: 1 };

  it('recalls by the prior without a proxy, then fine-selects the first fineSize', async () => {
    const run = await runSelection(createPolicy('two-phase-paper', params), task(curves, { history: hist }), from(curves));
    expect(run.pick).toBe('b');
    expect(run.epochs).toEqual([1, 3, 0, 0]);
    expect(run.cost).toEqual({ trainEpochs: 4, proxyComputations: 0, epochs: 4 });
  });

  it('charges one proxy computation per fine-selected model when a proxy is given', async () => {
    // neighbours differ by 0.1 everywhere: threshold 0.15 gives clusters {a, b} and {c, d};
    // scores a .8, b .7, c .6 * e^2, d .5 -> recall c, a, b -> fine selection on c, a
    const proxy = new Map([
      ['a', 0],
      ['b', 0],
      ['c', 2],
      ['d', 0],
    ]);
    const run = await runSelection(
      createPolicy('two-phase-paper', { ...params, clusterThreshold: 0.15 }),
      task(curves, { history: hist, proxies: new Map([['leep', proxy]]) }),
      from(curves),
    );
    expect(run.pick).toBe('c');
    expect(run.epochs).toEqual([1, 0, 3, 0]);
    expect(run.cost).toEqual({ trainEpochs: 4, proxyComputations: 2, epochs: 5 });
  });

  it('runs plain successive halving in phase 2 on request', async () => {
    const run = await runSelection(createPolicy('two-phase-paper', { ...params, phase2: 'successive-halving' }), task(curves, { history: hist }), from(curves));
    expect(run.pick).toBe('b');
    expect(run.cost.trainEpochs).toBe(4);
  });

  it('uses the scores of the proxy it is given (any proxy), and the prior when the task has none for it', async () => {
    const proxy = new Map([
      ['a', 0],
      ['b', 0],
      ['c', 2],
      ['d', 0],
    ]);
    const withLogme = task(curves, { history: hist, proxies: new Map([['logme', proxy]]) });
    const logme = await runSelection(createPolicy('two-phase-paper', { ...params, clusterThreshold: 0.15, proxy: 'logme' }), withLogme, from(curves));
    expect(logme.pick).toBe('c');
    expect(logme.cost.proxyComputations).toBe(2);
    const leep = await runSelection(createPolicy('two-phase-paper', { ...params, clusterThreshold: 0.15 }), withLogme, from(curves));
    expect(leep.pick).toBe('b');
    expect(leep.cost.proxyComputations).toBe(0);
  });

  it('asks for the proxy on cluster members and representatives first, and none for history-prior', () => {
    // threshold 0.15 clusters the history into {a} (a singleton, no representative) and {b, c, d} (representative b)
    const t = task(curves, { history: hist });
    expect(createPolicy('two-phase-paper', { ...params, clusterThreshold: 0.15 }).proxyRequest(t)).toEqual({ proxy: 'leep', models: ['b', 'c', 'd'] });
    expect(createPolicy('two-phase-paper', { proxy: 'history-prior' }).proxyRequest(t)).toBeNull();
  });

  it('rejects an unknown phase 2 and an option it does not take', () => {
    expect(() => createPolicy('two-phase-paper', { phase2: 'x' })).toThrow(/phase2: Invalid enum value/);
    expect(() => createPolicy('two-phase-paper', { shrink: 'none' })).toThrow(/two-phase-paper: unknown option "shrink"/);
  });

  it('rejects a pool without history', async () => {
    await expect(runSelection(createPolicy('two-phase-paper'), task(curves), from(curves))).rejects.toThrow(/no model of the pool for t has history/);
  });
});

describe('policy registry', () => {
  it('parses specs with numbers and strings', () => {
    expect(parsePolicySpec('successive-halving:eta=3')).toEqual({ name: 'successive-halving', options: { eta: 3 } });
    expect(parsePolicySpec(' fine-selection:thresholdMode=relative; threshold=0.01 ')).toEqual({
      name: 'fine-selection',
      options: { thresholdMode: 'relative', threshold: 0.01 },
    });
    expect(parsePolicySpec('two-phase-paper:proxy=logme')).toEqual({ name: 'two-phase-paper', options: { proxy: 'logme' } });
    expect(parsePolicySpec('brute-force')).toEqual({ name: 'brute-force', options: {} });
  });

  it('rejects unknown names and malformed pairs', () => {
    expect(() => parsePolicySpec('magic')).toThrow(/unknown policy "magic"; known: prior-shrink-halving, two-phase-paper/);
    expect(() => parsePolicySpec('successive-halving:eta')).toThrow(/"eta" is not key=value/);
    expect(() => parsePolicySpec('successive-halving:eta=1')).toThrow(/policy "successive-halving": eta: Number must be greater than or equal to 2/);
    expect(() => parsePolicySpec('successive-halving:threshold=0.1')).toThrow(/successive-halving: unknown option "threshold"; known: eta/);
  });

  it('names a policy by its non-default parameters', () => {
    expect(policyFromSpec('successive-halving:eta=2').name).toBe('successive-halving');
    expect(policyFromSpec('successive-halving:eta=3').name).toBe('successive-halving:eta=3');
    expect(POLICY_NAMES.map((n) => createPolicy(n).name)).toEqual([...POLICY_NAMES]);
  });
});

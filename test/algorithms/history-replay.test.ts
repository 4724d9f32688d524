import { replayOnHistory } from '../../algorithms/history-replay';
import { createPolicy } from '../../algorithms/policies';
import { MIN_PAST_TARGETS, MIN_RELATIVE_GAIN, PRIOR_SHRINK_MENU, tunedOptions } from '../../algorithms/policies/prior-shrink-halving';
import { orientTask, type SelectionTask } from '../../algorithms/policy';
import type { RunRecord } from '../../algorithms/types';
import { POLICY_DEFAULTS } from '../../contracts/schemas/policy';
import { looCases } from '../../replay/protocols';
import { loadAnchors } from '../../replay/load';
import { PROJECT_ROOT } from '../../hub/paths';
import * as path from 'node:path';

const MODELS = ['a', 'b', 'c', 'd'];

/**
 * Five history datasets h1..h5 of four models, two epochs: on each, validation ranks a > b > c > d,
 * and the final (test) scores agree except on h1, where b's test is 0.1 above a's. A sixth
 * dataset `r` is minimized (another direction) and a fifth model `e` has only one epoch.
 */
function task(): SelectionTask {
  const datasets = ['h1', 'h2', 'h3', 'h4', 'h5'];
  const runs: RunRecord[] = datasets.flatMap((dataset) =>
    MODELS.map((model, i) => {
      const v = 0.9 - 0.1 * i;
      const test = dataset === 'h1' && model === 'b' ? 1 : v;
      return { model, dataset, val: [v - 0.05, v], test };
    }),
  );
  runs.push({ model: 'e', dataset: 'h2', val: [0.99], test: 0.99 });
  runs.push(...MODELS.map((model) => ({ model, dataset: 'r', val: [1, 1], test: 1 })));
  const values = Float64Array.from(datasets.flatMap(() => MODELS.map((_, i) => 0.9 - 0.1 * i)));
  return {
    target: 't',
    pool: [...MODELS, 'e'],
    maxEpochs: 2,
    direction: 'maximize',
    datasetDirections: new Map([['r', 'minimize']]),
    history: { models: MODELS, datasets, values },
    curves: { models: [...MODELS, 'e'], datasets: [...datasets, 'r'], runs },
    proxies: new Map(),
    seed: 1,
  };
}

describe('replayOnHistory', () => {
  it('replays the policy on every history dataset of the target direction with complete curves', () => {
    const cases = replayOnHistory(createPolicy('brute-force'), orientTask(task()));
    // brute force picks a everywhere (best last validation); on h1, b's test is 0.1 higher
    expect(cases.map((c) => c.dataset)).toEqual(['h1', 'h2', 'h3', 'h4', 'h5']);
    expect(cases.map((c) => Number(c.regret.toFixed(10)))).toEqual([0.1, 0, 0, 0, 0]);
    // four models (e has one epoch only and is left out) trained two epochs
    expect(cases.map((c) => c.cost)).toEqual([8, 8, 8, 8, 8]);
  });

  it('charges halving only the epochs it trains', () => {
    const cases = replayOnHistory(createPolicy('successive-halving'), orientTask(task()));
    // 4 models at epoch 1, 2 at epoch 2, the pick trained to the budget: 4 + 2 = 6
    expect(cases.map((c) => c.cost)).toEqual([6, 6, 6, 6, 6]);
  });
});

describe('prior-shrink-halving tuning', () => {
  it('uses the options as given with tuning=fixed, or with fewer than MIN_PAST_TARGETS (5) past targets', () => {
    const o = { ...POLICY_DEFAULTS['prior-shrink-halving'] };
    expect(tunedOptions(orientTask(task()), { ...o, tuning: 'fixed' })).toEqual({ options: { ...o, tuning: 'fixed' }, menu: [] });
    const few = { ...task(), curves: { ...task().curves, runs: task().curves.runs.filter((r) => r.dataset !== 'h5') } };
    expect(MIN_PAST_TARGETS).toBe(5);
    expect(tunedOptions(orientTask(few), o).menu.map((m) => m.pastTargets)).toEqual([4, 4, 4]);
    expect(tunedOptions(orientTask(few), o).options).toEqual(o);
    // with h5, five past targets: the replay decides
    expect(tunedOptions(orientTask(task()), o).menu.map((m) => m.pastTargets)).toEqual([5, 5, 5]);
  });

  it('on a regression target with one other regression dataset, replays the classification datasets instead', async () => {
    const data = await loadAnchors(path.join(PROJECT_ROOT, 'replay', 'recorded-demo'));
    const c = looCases(data, { minModels: 18 }).find((x) => x.task.target === 'target-blur-digit-value');
    if (c === undefined) throw new Error('target-blur-digit-value is not a loo target of the recorded demo hub');
    const { options, menu } = tunedOptions(orientTask(c.task), POLICY_DEFAULTS['prior-shrink-halving']);
    expect(menu.map((m) => [m.direction, m.pastTargets])).toEqual([
      ['maximize', 25],
      ['maximize', 25],
      ['maximize', 25],
    ]);
    expect(options).toMatchObject({ recallSize: 8, rungKeep: 'taper', finalists: 2 });
  });

  it('on the recorded demo hub, chooses the taper setting from its replay on the 24 other classification datasets', async () => {
    const data = await loadAnchors(path.join(PROJECT_ROOT, 'replay', 'recorded-demo'));
    const c = looCases(data, { minModels: 18 }).find((x) => x.task.target === 'target-invert-gt4');
    if (c === undefined) throw new Error('target-invert-gt4 is not a loo target of the recorded demo hub');
    const { options, menu } = tunedOptions(orientTask(c.task), POLICY_DEFAULTS['prior-shrink-halving']);
    expect(menu.map((m) => m.setting)).toEqual(PRIOR_SHRINK_MENU);
    // the 24 other classification datasets are the past targets (the two RMSE ones are another direction)
    expect(menu.every((m) => m.pastTargets === 24 && Number.isFinite(m.meanRegret) && m.meanCost > 0)).toBe(true);
    // 8 recalled tapering to 2 finalists lost the least there, at least 1/8 less than the first setting, so they are chosen
    expect(menu[2]?.setting).toEqual({ trend: 'none', shrink: 'none', rungKeep: 'taper', finalists: 2, recallSize: 8, gracePeriod: 1, proxySlots: 2 });
    const least = Math.min(...menu.map((m) => m.meanRegret));
    expect(menu[2]?.meanRegret).toBe(least);
    expect(menu[2]?.meanRegret).toBeLessThanOrEqual((1 - MIN_RELATIVE_GAIN) * (menu[0]?.meanRegret ?? 0));
    expect(options).toMatchObject(menu[2]?.setting ?? {});
  });
});

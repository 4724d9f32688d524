import { loadAnchors } from '../../replay/load';
import { looCases } from '../../replay/protocols';
import { evaluateMethods } from '../../replay/run';
import { policyFromSpec } from '../../algorithms/policies';
import { ANCHORS_DIR, describePublished } from './anchors';

describePublished('leave-one-dataset-out on the recorded NLP runs (README: 1.96 points at 11.1%)', () => {
  it('is deterministic and matches the measured summaries', async () => {
    const cases = looCases(await loadAnchors(ANCHORS_DIR));
    const specs = ['brute-force', 'brute-force-best-epoch', 'successive-halving', 'successive-halving:eta=3', 'two-phase-paper', 'prior-shrink-halving'];
    const first = await evaluateMethods(specs.map(policyFromSpec), cases);
    const again = await evaluateMethods(specs.map(policyFromSpec), cases);
    expect(again).toEqual(first);
    const table = first.map(({ summary: s }) => [s.policy, s.cases, +s.meanRegret.toFixed(2), +s.costFraction.toFixed(3)]);
    expect(table).toEqual([
      ['brute-force', 30, 3.05, 1],
      ['brute-force-best-epoch', 30, 2.8, 1],
      ['successive-halving', 30, 2.8, 0.379],
      ['successive-halving:eta=3', 30, 2.05, 0.296],
      ['two-phase-paper', 30, 2.98, 0.067],
      ['prior-shrink-halving', 30, 1.96, 0.111],
    ]);
  });
});

import { loadAnchors } from '../../replay/load';
import { PAPER_TARGETS, PUBLISHED_TABLE_VI, paperCases } from '../../replay/protocols';
import { evaluatePolicy, type CaseResult } from '../../replay/evaluate';
import { policyFromSpec } from '../../algorithms/policies';
import { ANCHORS_DIR, describePublished } from './anchors';

describePublished('Table VI of the two-phase paper, replayed through the policy engine', () => {
  let byMethod: Map<string, CaseResult[]>;

  beforeAll(async () => {
    const cases = paperCases(await loadAnchors(ANCHORS_DIR));
    byMethod = new Map();
    for (const spec of ['brute-force', 'successive-halving', 'two-phase-paper:phase2=successive-halving', 'two-phase-paper']) {
      byMethod.set(spec, await evaluatePolicy(policyFromSpec(spec), cases));
    }
  });

  const rows = (spec: string): CaseResult[] => byMethod.get(spec) ?? [];

  it('two-phase picks a model with the published accuracy on every target', () => {
    expect(rows('two-phase-paper').map((r) => r.pickTest)).toEqual(PAPER_TARGETS.map((t) => PUBLISHED_TABLE_VI[t].twoPhaseAcc));
  });

  it('two-phase epochs (5-epoch recall charge included) are within 1 of the published ones', () => {
    const got = rows('two-phase-paper').map((r) => r.epochs);
    expect(got).toEqual([19, 19, 21, 22]);
    got.forEach((e, i) => expect(Math.abs(e - PUBLISHED_TABLE_VI[PAPER_TARGETS[i] ?? 'mnli'].twoPhaseEpochs)).toBeLessThanOrEqual(1));
    expect(rows('two-phase-paper').map((r) => r.proxyComputations)).toEqual([10, 10, 10, 10]);
  });

  it('successive halving costs 77 epochs on 40 models and 19 on the 10 recalled ones; brute force 200', () => {
    expect(rows('successive-halving').map((r) => r.epochs)).toEqual([77, 77, 77, 77]);
    expect(rows('two-phase-paper:phase2=successive-halving').map((r) => r.trainEpochs)).toEqual([19, 19, 19, 19]);
    expect(rows('brute-force').map((r) => r.epochs)).toEqual([200, 200, 200, 200]);
  });

  it('successive halving on 40 models lands on the published SH accuracies, brute force finds the published best', () => {
    expect(rows('successive-halving').map((r) => r.pickTest)).toEqual(PAPER_TARGETS.map((t) => PUBLISHED_TABLE_VI[t].shAcc));
    expect(rows('brute-force').map((r) => r.bestTest)).toEqual(PAPER_TARGETS.map((t) => PUBLISHED_TABLE_VI[t].bruteForceAcc));
  });
});

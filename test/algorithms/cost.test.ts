import { EpochLedger, PROXY_EPOCH_COST, bruteForceEpochs, selectionCost } from '../../algorithms/cost';

describe('cost', () => {
  it('charges 0.5 epoch per proxy computation', () => {
    expect(PROXY_EPOCH_COST).toBe(0.5);
    expect(selectionCost(14, 10)).toEqual({ trainEpochs: 14, proxyComputations: 10, epochs: 19 });
    expect(selectionCost(14, 10, 1)).toEqual({ trainEpochs: 14, proxyComputations: 10, epochs: 24 });
  });

  it('brute force is pool x epochs', () => {
    expect(bruteForceEpochs(40, 5)).toBe(200);
  });

  it('rejects negative counts', () => {
    expect(() => selectionCost(-1, 0)).toThrow(/trainEpochs is -1, but must be a finite number >= 0/);
    expect(() => bruteForceEpochs(3, Number.NaN)).toThrow(/maxEpochs is NaN/);
  });
});

describe('EpochLedger', () => {
  it('charges only new epochs and never goes backwards', () => {
    const l = new EpochLedger();
    expect(l.charge('a', 2)).toBe(2);
    expect(l.charge('a', 1)).toBe(0);
    expect(l.charge('a', 5)).toBe(3);
    expect(l.charge('b', 1)).toBe(1);
    expect(l.epochsOf('a')).toBe(5);
    expect(l.epochsOf('c')).toBe(0);
    l.chargeProxies(3);
    expect(l.cost()).toEqual({ trainEpochs: 6, proxyComputations: 3, epochs: 7.5 });
  });

  it('rejects a bad epoch and a negative proxy count', () => {
    const l = new EpochLedger();
    expect(() => l.charge('a', 1.5)).toThrow(/toEpoch is 1.5, but must be an integer >= 0/);
    expect(() => l.chargeProxies(-1)).toThrow(/count is -1/);
  });
});

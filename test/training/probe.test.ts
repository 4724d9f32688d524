import { balancedProbe } from '../../training/probe';

const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2];

const counts = (rows: number[]): Record<number, number> =>
  rows.reduce<Record<number, number>>((acc, r) => ({ ...acc, [labels[r] as number]: (acc[labels[r] as number] ?? 0) + 1 }), {});

describe('balancedProbe', () => {
  it('takes the same number from every class when it can', () => {
    const rows = balancedProbe(labels, 6, 1);
    expect(counts(rows)).toEqual({ 0: 2, 1: 2, 2: 2 });
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(new Set(rows).size).toBe(6);
  });

  it('gives a small class everything it has and fills up from the others', () => {
    expect(counts(balancedProbe(labels, 9, 1))).toEqual({ 0: 4, 1: 3, 2: 2 });
  });

  it('returns every row when asked for more than exist', () => {
    expect(balancedProbe(labels, 100, 1)).toEqual(labels.map((_, i) => i));
  });

  it('is deterministic in the seed and varies with it', () => {
    expect(balancedProbe(labels, 5, 3)).toEqual(balancedProbe(labels, 5, 3));
    const draws = new Set([1, 2, 3, 4, 5, 6].map((s) => balancedProbe(labels, 3, s).join(',')));
    expect(draws.size).toBeGreaterThan(1);
  });

  it('handles an empty label list', () => {
    expect(balancedProbe([], 5, 0)).toEqual([]);
  });
});

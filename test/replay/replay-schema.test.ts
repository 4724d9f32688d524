import { PolicySpecListSchema, ReplayCommandInputSchema } from '../../contracts/schemas/replay';

describe('ReplayCommandInputSchema', () => {
  it('fills defaults and coerces numbers typed as text', () => {
    expect(ReplayCommandInputSchema.parse({ data: 'd', seed: '3', minModels: '10' })).toEqual({
      data: 'd',
      protocol: 'paper',
      json: false,
      seed: 3,
      minModels: 10,
    });
  });

  it('splits comma-separated method lists and checks each spec', () => {
    expect(PolicySpecListSchema.parse(['brute-force,successive-halving:eta=3', ' fine-selection '])).toEqual([
      'brute-force',
      'successive-halving:eta=3',
      'fine-selection',
    ]);
    expect(PolicySpecListSchema.safeParse('').success).toBe(false);
    const bad = PolicySpecListSchema.safeParse(['brute-force', 'nope']);
    expect(bad.success ? [] : bad.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['1', 'unknown policy "nope"; known: prior-shrink-halving, two-phase-paper, fine-selection, successive-halving, brute-force, brute-force-best-epoch'],
    ]);
  });

  it('rejects unknown options and a bad protocol', () => {
    expect(ReplayCommandInputSchema.safeParse({ data: 'd', extra: 1 }).success).toBe(false);
    expect(ReplayCommandInputSchema.safeParse({ data: 'd', protocol: 'x' }).success).toBe(false);
    expect(ReplayCommandInputSchema.safeParse({ data: 'd', minModels: 0 }).success).toBe(false);
  });
});

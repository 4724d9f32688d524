import { SelectModelInputSchema } from '../../contracts/schemas';

describe('selectModel input', () => {
  it('fills every default in the schema, so the UI shows the effective input', () => {
    expect(SelectModelInputSchema.parse({ target: 'mnli' })).toEqual({
      target: 'mnli',
      policy: 'prior-shrink-halving',
      budgetEpochs: 5,
      roundDeadline: '2h',
      finalists: 2,
      gracePeriod: 1,
      rungKeep: 'floor',
      proxySlots: 0,
      heartbeatTimeout: '2m',
      trainer: 'tfjs',
      maxParallel: 16,
      seed: 0,
      keepCheckpoints: 'pick',
      workerAffinity: false,
      workerQueueTimeout: '30s',
      recallSize: 14,
      eta: 2,
      trend: 'history-gap',
      tuning: 'history',
      shrink: 'empirical-bayes',
      tau: 'rung',
      proxy: 'logme',
    });
    expect(SelectModelInputSchema.parse({ target: 'mnli', policy: 'two-phase-paper', threshold: 0.01 })).toMatchObject({
      eta: 2,
      clusters: 3,
      threshold: 0.01,
      thresholdMode: 'absolute',
      recallSize: 15,
      fineSize: 10,
      clusterThreshold: 0.09,
      phase2: 'fine-selection',
      proxy: 'leep',
    });
  });

  it('refuses an option the policy does not take, naming it', () => {
    const r = SelectModelInputSchema.safeParse({ target: 'mnli', policy: 'successive-halving', threshold: 0.1 });
    expect(r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['threshold', 'successive-halving: unknown option "threshold"; known: eta'],
    ]);
  });

  it('recalls by the history prior on the replay trainer, which has no model files to score', () => {
    expect(SelectModelInputSchema.parse({ target: 'mnli', trainer: 'replay', policy: 'two-phase-paper' }).proxy).toBe('history-prior');
    expect(SelectModelInputSchema.parse({ target: 'mnli', trainer: 'replay', policy: 'two-phase-paper', proxy: 'leep' }).proxy).toBe('leep');
    expect(SelectModelInputSchema.parse({ target: 'mnli', trainer: 'replay' }).proxy).toBe('history-prior');
    expect(SelectModelInputSchema.parse({ target: 'mnli', trainer: 'replay', policy: 'successive-halving' })).not.toHaveProperty('proxy');
  });

  it('names every bad field', () => {
    const r = SelectModelInputSchema.safeParse({ target: '../etc', budgetEpochs: 0, policy: 'best', extra: 1 });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('.') || i.code);
    expect(paths).toEqual(expect.arrayContaining(['target', 'budgetEpochs', 'policy', 'unrecognized_keys']));
  });
});

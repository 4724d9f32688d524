import { SelectModelInputSchema } from '../../contracts/schemas';

describe('selectModel input', () => {
  it('fills every default in the schema, so the UI shows the effective input', () => {
    expect(SelectModelInputSchema.parse({ target: 'mnli' })).toEqual({
      target: 'mnli', policy: 'prior-shrink-halving', proxy: 'leep', budgetEpochs: 5, eta: 2, roundDeadline: '2h',
      heartbeatTimeout: '2m', trainer: 'tfjs', maxParallel: 16, seed: 0,
    });
  });

  it('recalls by the history prior on the replay trainer, which has no model files to score', () => {
    expect(SelectModelInputSchema.parse({ target: 'mnli', trainer: 'replay' }).proxy).toBe('history-prior');
    expect(SelectModelInputSchema.parse({ target: 'mnli', trainer: 'replay', proxy: 'leep' }).proxy).toBe('leep');
  });

  it('names every bad field', () => {
    const r = SelectModelInputSchema.safeParse({ target: '../etc', budgetEpochs: 0, policy: 'best', extra: 1 });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('.') || i.code);
    expect(paths).toEqual(expect.arrayContaining(['target', 'budgetEpochs', 'policy', 'unrecognized_keys']));
  });
});

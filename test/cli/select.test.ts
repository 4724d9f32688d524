import { POLICY_OPTION_KEYS } from '../../contracts/schemas/policy';
import { formatSeconds, gpuTimeLine, selectCommand, selectInput, selectionTable } from '../../cli/select';
import type { SelectModelResult } from '../../contracts/schemas';

/** The options commander parses from `mselect select <argv>`, without running the action. */
function flags(argv: string[]): Record<string, string | number | boolean | undefined> {
  const cmd = selectCommand().exitOverride();
  cmd.action(() => undefined);
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

describe('mselect select flags', () => {
  it('sets every policy option from its flag, the rest from the policy defaults', () => {
    const input = selectInput(
      flags([
        '--target',
        'mnli',
        '--policy',
        'two-phase-paper',
        '--eta',
        '3',
        '--recall-size',
        '12',
        '--fine-size',
        '8',
        '--clusters',
        '4',
        '--cluster-threshold',
        '0.1',
        '--threshold',
        '0.01',
        '--threshold-mode',
        'relative',
        '--proxy',
        'logme',
        '--phase2',
        'successive-halving',
      ]),
    );
    expect(input).toMatchObject({
      target: 'mnli',
      policy: 'two-phase-paper',
      eta: 3,
      recallSize: 12,
      fineSize: 8,
      clusters: 4,
      clusterThreshold: 0.1,
      threshold: 0.01,
      thresholdMode: 'relative',
      proxy: 'logme',
      phase2: 'successive-halving',
    });
    expect(selectInput(flags(['--target', 'mnli', '--trend', 'none', '--shrink', 'none']))).toMatchObject({
      policy: 'prior-shrink-halving',
      trend: 'none',
      shrink: 'none',
      recallSize: 14,
      eta: 2,
    });
  });

  it('names the flag of an option the policy does not take or a bad value', () => {
    expect(() => selectInput(flags(['--target', 'mnli', '--policy', 'successive-halving', '--threshold', '0.1']))).toThrow(
      /--threshold: successive-halving: unknown option "threshold"; known: eta/,
    );
    expect(() => selectInput(flags(['--target', 'mnli', '--eta', '1']))).toThrow(/--eta: Number must be greater than or equal to 2/);
  });
});

describe('mselect select help', () => {
  it('has one flag per PolicyOptionsSchema option and lists every trainer', () => {
    const cmd = selectCommand();
    const longs = cmd.options.map((o) => o.long);
    for (const key of POLICY_OPTION_KEYS) expect(longs).toContain(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    expect(cmd.options.find((o) => o.long === '--trainer')?.description).toBe('tfjs | command | replay | torch');
    expect(cmd.options.find((o) => o.long === '--trend')?.description).toBe(
      'policy option (prior-shrink-halving): validation-to-final trend: history-gap | none',
    );
  });
});

describe('mselect select table', () => {
  const result: SelectModelResult = {
    phase: 'done',
    target: 't',
    policy: 'successive-halving',
    direction: 'maximize',
    round: 2,
    budgetEpochs: 2,
    poolSize: 2,
    candidates: ['a', 'b'],
    pendingCandidates: [],
    survivors: ['a'],
    curves: { a: [0.5, 0.6], b: [0.4] },
    recallScores: {},
    eliminations: [{ model: 'b', round: 1, epoch: 1, reason: 'halving', detail: 'worst' }],
    epochsSpent: 3,
    bruteForceEpochs: 4,
    gpuSeconds: { a: 20, b: 10 },
    gpuSecondsSpent: 30,
    bruteForceGpuSeconds: 40,
    peakMemoryBytes: { a: 3 * 2 ** 20 },
    pick: 'a',
    pickValidation: 0.6,
    pickTest: null,
    storeVersion: 1,
    backend: 'cpu',
    reportPath: null,
  };

  it('gives GPU time per model and in total next to epochs, against the brute-force estimate', () => {
    const text = selectionTable(result);
    expect(text).toContain('GPU time: 30.0 s of fine-tuning vs about 40.0 s for brute force (from the offline epoch times, 25% saved).');
    expect(text).toMatch(/│ a +│ 2 +│ 20\.0 s +│ 3\.0 MiB +│ 0\.6000 +│ PICK/);
    expect(text).toMatch(/│ b +│ 1 +│ 10\.0 s +│ n\/a +│ 0\.4000 +│ eliminated by halving in round 1/);
    expect(gpuTimeLine({ ...result, bruteForceGpuSeconds: null })).toBe(
      'GPU time: 30.0 s of fine-tuning (no offline timings in the store for a brute-force estimate).',
    );
    expect([formatSeconds(1.234), formatSeconds(90), formatSeconds(600), formatSeconds(9000)]).toEqual(['1.23 s', '90.0 s', '10.0 min', '2.50 h']);
  });

  it('prints what the policy fell back from under the pick, one warning a line', () => {
    expect(selectionTable(result)).not.toContain('Warning:');
    const lines = selectionTable({ ...result, warnings: ['proxy logme has no scores on t: recall by the history prior alone'] }).split('\n');
    expect(lines[1]).toMatch(/^Pick: a /);
    expect(lines).toContain('Warning: proxy logme has no scores on t: recall by the history prior alone');
  });
});

import { POLICY_OPTION_KEYS } from '../../contracts/schemas/policy';
import { selectCommand, selectInput } from '../../cli/select';

/** The options commander parses from `mselect select <argv>`, without running the action. */
function flags(argv: string[]): Record<string, string | number | boolean | undefined> {
  const cmd = selectCommand().exitOverride();
  cmd.action(() => undefined);
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

describe('mselect select flags', () => {
  it('sets every policy option from its flag, the rest from the policy defaults', () => {
    const input = selectInput(flags(['--target', 'mnli', '--policy', 'two-phase-paper', '--eta', '3', '--recall-size', '12', '--fine-size', '8', '--clusters', '4',
      '--cluster-threshold', '0.1', '--threshold', '0.01', '--threshold-mode', 'relative', '--proxy', 'logme', '--phase2', 'successive-halving']));
    expect(input).toMatchObject({ target: 'mnli', policy: 'two-phase-paper', eta: 3, recallSize: 12, fineSize: 8, clusters: 4, clusterThreshold: 0.1, threshold: 0.01, thresholdMode: 'relative', proxy: 'logme', phase2: 'successive-halving' });
    expect(selectInput(flags(['--target', 'mnli', '--trend', 'none', '--shrink', 'none']))).toMatchObject({ policy: 'prior-shrink-halving', trend: 'none', shrink: 'none', recallSize: 14, eta: 2 });
  });

  it('names the flag of an option the policy does not take or a bad value', () => {
    expect(() => selectInput(flags(['--target', 'mnli', '--policy', 'successive-halving', '--threshold', '0.1']))).toThrow(/--threshold: successive-halving: unknown option "threshold"; known: eta/);
    expect(() => selectInput(flags(['--target', 'mnli', '--eta', '1']))).toThrow(/--eta: Number must be greater than or equal to 2/);
  });
});

describe('mselect select help', () => {
  it('has one flag per PolicyOptionsSchema option and lists every trainer', () => {
    const cmd = selectCommand();
    const longs = cmd.options.map((o) => o.long);
    for (const key of POLICY_OPTION_KEYS) expect(longs).toContain(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    expect(cmd.options.find((o) => o.long === '--trainer')?.description).toBe('tfjs | command | replay | torch');
    expect(cmd.options.find((o) => o.long === '--trend')?.description).toBe('policy option (prior-shrink-halving): validation-to-final trend: history-gap | none');
  });
});

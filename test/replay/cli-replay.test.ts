import { replayCommand, DEFAULT_REPLAY_DATA } from '../../cli/replay';
import type { ReplayReport } from '../../replay/run';
import { ANCHORS_DIR, writeTinyAnchors } from './anchors';

async function run(args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  try {
    await replayCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('mselect replay', () => {
  const dir = writeTinyAnchors();

  it('defaults its data directory to ../shared/anchors/two-phase-nlp next to the project', () => {
    expect(DEFAULT_REPLAY_DATA).toBe(ANCHORS_DIR);
  });

  it('prints the JSON report of the chosen methods', async () => {
    const text = await run(['--data', dir, '--protocol', 'loo', '--min-models', '3', '--methods', 'brute-force,successive-halving', '--json']);
    const report = JSON.parse(text) as ReplayReport;
    expect(report.protocol).toBe('loo');
    expect(report.targets).toEqual(['x', 'y']);
    expect(report.methods.map((m) => m.summary.policy)).toEqual(['brute-force', 'successive-halving']);
    // x: brute force picks c (last val 0.6, test 0.65; best b 0.7); y: picks c (0.85), the best
    expect(report.methods[0]?.cases.map((c) => c.pick)).toEqual(['c', 'c']);
    expect(report.methods[0]?.summary.meanRegret).toBeCloseTo(2.5, 10);
  });

  it('prints per-target and summary tables without --json', async () => {
    const text = await run(['--data', dir, '--protocol', 'loo', '--min-models', '3', '--methods', 'brute-force']);
    expect(text).toMatch(/loo protocol on .*: 2 targets/);
    expect(text).toMatch(/│ x +│ 0.70 +│ 0.65 @ 6 ep +│/);
    expect(text).toMatch(/│ brute-force +│ 2.50 +│ 2.50 +│ 5.00 +│ 0.50 +│ 100.0% +│ 6.0 +│/);
  });

  it('rejects an unknown method and protocol with the option named', async () => {
    await expect(run(['--data', dir, '--methods', 'magic'])).rejects.toThrow(/replay options: methods.0: unknown policy "magic"/);
    await expect(run(['--data', dir, '--protocol', 'kfold'])).rejects.toThrow(/replay options: protocol: Invalid enum value/);
  });
});

import { gatedTitle, skipAllowed } from './skip-policy';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SkipReporter = require('./skip-reporter') as new (config: { rootDir: string; testNamePattern?: string }) => {
  onTestResult(test: unknown, result: { testFilePath: string; testResults: { status: string; ancestorTitles: string[]; fullName: string }[] }): void;
  getLastError(): Error | undefined;
};

const gated = gatedTitle('reproduces published numbers', 'Table VI', '../shared/anchors is absent');
const result = (status: string, group: string) => ({
  testFilePath: '/p/test/x.test.ts',
  testResults: [{ status, ancestorTitles: [group], fullName: `${group} a test` }],
});

describe('the skip policy', () => {
  it('allows a skip only under a gated title that gives its reason', () => {
    expect(gated).toBe('reproduces published numbers: Table VI [skipped: ../shared/anchors is absent]');
    expect(skipAllowed(gated)).toBe(true);
    expect(skipAllowed(gatedTitle('needs chromium', 'plots render', 'no /usr/bin/chromium'))).toBe(true);
    expect(skipAllowed(gatedTitle('needs PyTorch', 'reference trainer', '/usr/bin/python3 cannot import torch'))).toBe(true);
    expect(skipAllowed(gatedTitle('reproduces published numbers', 'Table VI'))).toBe(false);
    expect(skipAllowed('selectModel on the real dev server')).toBe(false);
  });

  it('fails a run that skips a test outside a gated group, not one filtered by name', () => {
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const ok = new SkipReporter({ rootDir: '/p' });
      ok.onTestResult(null, result('pending', gated));
      ok.onTestResult(null, result('passed', 'anything'));
      expect(ok.getLastError()).toBeUndefined();
      const bad = new SkipReporter({ rootDir: '/p' });
      bad.onTestResult(null, result('pending', 'selectModel on the real dev server'));
      expect(bad.getLastError()?.message).toBe('1 test(s) skipped outside a gated group');
      const filtered = new SkipReporter({ rootDir: '/p', testNamePattern: 'finishNow' });
      filtered.onTestResult(null, result('pending', 'selectModel on the real dev server'));
      expect(filtered.getLastError()).toBeUndefined();
    } finally {
      quiet.mockRestore();
    }
  });
});

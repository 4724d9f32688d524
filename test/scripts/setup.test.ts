/**
 * scripts/setup.js builds what the command at hand needs: `npm start` (no flag) the Temporal
 * CLI only, `npm test` and `test:faults` (`--versitygw`) versitygw too. Run against a stand-in
 * `go` and a temporary cache (MSELECT_CACHE_DIR), so nothing real is built or removed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { installedCount, toolsFor } from '../../scripts/setup';
import { fakeGo } from '../helpers/fake-go';

const ROOT = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'mselect-setup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('which Go tools set-up builds', () => {
  it('the Temporal CLI always, versitygw only with --versitygw; each can be skipped', () => {
    expect(toolsFor([], {})).toEqual(['temporal']);
    expect(toolsFor(['--versitygw'], {})).toEqual(['temporal', 'versitygw']);
    expect(toolsFor(['--versitygw'], { MSELECT_SKIP_VERSITYGW_SETUP: '1' })).toEqual(['temporal']);
    expect(toolsFor(['--versitygw'], { MSELECT_SKIP_TEMPORAL_SETUP: '1' })).toEqual(['versitygw']);
  });

  it('the npm scripts ask for versitygw where the S3 server is needed, and npm start does not', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toMatch(/^node scripts\/setup\.js && /);
    expect(scripts.dev).toMatch(/^node scripts\/setup\.js && /);
    for (const name of ['test', 'test:faults', 'setup']) expect(scripts[name]).toMatch(/^node scripts\/setup\.js --versitygw/);
  });

  it('counts the installed packages, not node_modules as one', () => {
    expect(installedCount()).toBeGreaterThan(100);
  });
});

describe('scripts/setup.js on a machine without the tools', () => {
  const goDir = join(tmp, 'go');
  fakeGo(goDir, { downloads: 250, packages: 400, seconds: 0.2 });
  const env = { PATH: [goDir, dirname(process.execPath)].join(delimiter), HOME: tmp, MSELECT_CACHE_DIR: join(tmp, 'cache') };
  const setup = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts', 'setup.js'), ...args], { cwd: ROOT, env, encoding: 'utf8' });

  it('without --versitygw (npm start, npm run dev) builds the Temporal CLI and no versitygw, one line per step', () => {
    const r = setup();
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      new RegExp(
        `^setup: Temporal CLI \\.\\.\\. go-install \\(250 modules downloaded, 400 packages compiled\\): ${join(tmp, 'cache', 'temporal-cli')}/v[\\d.]+/temporal \\([\\d.]+ s\\)$`,
      ),
    );
    expect(r.stderr).not.toMatch(/versitygw|go: downloading/);
    expect(readFileSync(join(goDir, 'calls'), 'utf8').trim().split('\n')).toEqual([
      expect.stringMatching(/^install -x github\.com\/temporalio\/cli\/cmd\/temporal@/),
    ]);
    expect(existsSync(join(tmp, 'cache', 'versitygw'))).toBe(false);
  });

  it('with --versitygw (npm test, test:faults) finds the Temporal CLI in the cache and builds versitygw', () => {
    const r = setup('--versitygw');
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^setup: Temporal CLI \.\.\. cache: /);
    expect(lines[3]).toMatch(
      new RegExp(
        `^setup: versitygw \\(S3 server of the storage tests\\) \\.\\.\\. go-install \\(250 modules downloaded, 400 packages compiled\\): ${join(tmp, 'cache', 'versitygw')}/v[\\d.]+/versitygw \\([\\d.]+ s\\)$`,
      ),
    );
    expect(readFileSync(join(goDir, 'calls'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('refuses an unknown option', () => {
    const r = setup('--s3');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown option --s3 (scripts/setup.js takes only --versitygw)');
  });
});

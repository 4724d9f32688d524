import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp';
import { cacheDir, ensureTemporalCli, findGo, findTemporalCli, INSTALL_HELP, TEMPORAL_CLI_VERSION } from '../../server/temporal-cli';

function fakeExe(dir: string, name = 'temporal'): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, '#!/bin/sh\necho fake\n');
  chmodSync(p, 0o755);
  return p;
}

describe('finding the Temporal CLI', () => {
  const tmp = tempDir('cli');
  const empty = { PATH: join(tmp, 'nowhere'), MSELECT_CACHE_DIR: join(tmp, 'cache') };

  it('TEMPORAL_CLI wins over everything', () => {
    const exe = fakeExe(join(tmp, 'env'));
    const onPath = fakeExe(join(tmp, 'bin'));
    expect(findTemporalCli({ ...empty, TEMPORAL_CLI: exe, PATH: join(tmp, 'bin') })).toEqual({ path: exe, source: 'env' });
    expect(findTemporalCli({ ...empty, PATH: join(tmp, 'bin') })).toEqual({ path: onPath, source: 'path' });
  });

  it('TEMPORAL_CLI pointing at nothing is an error naming it', () => {
    expect(() => findTemporalCli({ ...empty, TEMPORAL_CLI: '/no/such/temporal' })).toThrow('TEMPORAL_CLI is set to /no/such/temporal');
  });

  it('falls back to the per-user cache, keyed by version', () => {
    const dir = cacheDir(empty);
    expect(dir).toBe(join(tmp, 'cache', 'temporal-cli', TEMPORAL_CLI_VERSION));
    expect(findTemporalCli(empty)).toBeUndefined();
    const exe = fakeExe(dir);
    expect(findTemporalCli(empty)).toEqual({ path: exe, source: 'cache' });
  });

  it('without Go, fails with install instructions for each platform', async () => {
    const env = { PATH: join(tmp, 'nowhere'), MSELECT_CACHE_DIR: join(tmp, 'cache2') };
    await expect(ensureTemporalCli(env, () => undefined, [])).rejects.toThrow(INSTALL_HELP);
  });

  it('finds Go on PATH, under GOROOT, or at a usual place', () => {
    const go = fakeExe(join(tmp, 'goroot', 'bin'), 'go');
    expect(findGo({ PATH: join(tmp, 'goroot', 'bin') }, [])).toBe(go);
    expect(findGo({ PATH: '', GOROOT: join(tmp, 'goroot') }, [])).toBe(go);
    expect(findGo({ PATH: '' }, ['/no/go', go])).toBe(go);
    expect(findGo({ PATH: '' }, [])).toBeUndefined();
  });

  it('the message names every way to install', () => {
    expect(INSTALL_HELP).toMatch(/macOS/);
    expect(INSTALL_HELP).toMatch(/Linux/);
    expect(INSTALL_HELP).toMatch(/Windows/);
    expect(INSTALL_HELP).toMatch(/go install github.com\/temporalio\/cli\/cmd\/temporal@v1.5.1/);
    expect(INSTALL_HELP).toMatch(/TEMPORAL_CLI/);
  });
});

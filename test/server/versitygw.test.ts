import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolCacheDir } from '../../server/go-tool';
import { ensureVersitygw, findVersitygw, VERSITYGW, VERSITYGW_INSTALL_HELP, VERSITYGW_VERSION } from '../../server/versitygw';

function fakeExe(dir: string, name = 'versitygw'): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, '#!/bin/sh\necho fake\n');
  chmodSync(p, 0o755);
  return p;
}

describe('finding versitygw', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mselect-vgw-'));
  const empty = { PATH: join(tmp, 'nowhere'), MSELECT_CACHE_DIR: join(tmp, 'cache') };
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('VERSITYGW wins over PATH', () => {
    const exe = fakeExe(join(tmp, 'env'));
    const onPath = fakeExe(join(tmp, 'bin'));
    expect(findVersitygw({ ...empty, VERSITYGW: exe, PATH: join(tmp, 'bin') })).toEqual({ path: exe, source: 'env' });
    expect(findVersitygw({ ...empty, PATH: join(tmp, 'bin') })).toEqual({ path: onPath, source: 'path' });
  });

  it('VERSITYGW pointing at nothing is an error naming it', () => {
    expect(() => findVersitygw({ ...empty, VERSITYGW: '/no/such/versitygw' })).toThrow('VERSITYGW is set to /no/such/versitygw');
  });

  it('falls back to the per-user cache, keyed by version', () => {
    const dir = toolCacheDir(VERSITYGW, empty);
    expect(dir).toBe(join(tmp, 'cache', 'versitygw', VERSITYGW_VERSION));
    expect(findVersitygw(empty)).toBeUndefined();
    const exe = fakeExe(dir);
    expect(findVersitygw(empty)).toEqual({ path: exe, source: 'cache' });
  });

  it('without Go, fails with install instructions', async () => {
    const env = { PATH: join(tmp, 'nowhere'), MSELECT_CACHE_DIR: join(tmp, 'cache2') };
    await expect(ensureVersitygw(env, () => undefined, [])).rejects.toThrow(VERSITYGW_INSTALL_HELP);
    expect(VERSITYGW_INSTALL_HELP).toMatch(/go install github.com\/versity\/versitygw\/cmd\/versitygw@v1.8.0/);
    expect(VERSITYGW_INSTALL_HELP).toMatch(/VERSITYGW/);
  });

  it('with Go, runs go install with GOBIN set to the cache and reports a failed build', async () => {
    // A stand-in `go` that records its arguments and GOBIN, and fails like a broken build.
    const goDir = join(tmp, 'go-bin');
    mkdirSync(goDir, { recursive: true });
    const record = join(tmp, 'go-args');
    writeFileSync(join(goDir, 'go'), `#!/bin/sh\necho "$@ GOBIN=$GOBIN" > ${record}\necho "build failed" >&2\nexit 3\n`);
    chmodSync(join(goDir, 'go'), 0o755);
    const env = { PATH: goDir, MSELECT_CACHE_DIR: join(tmp, 'cache3') };
    const lines: string[] = [];
    await expect(ensureVersitygw(env, (l) => lines.push(l), [])).rejects.toThrow(
      /go install github.com\/versity\/versitygw\/cmd\/versitygw@v1.8.0 failed \(exit 3\)/,
    );
    expect(readFileSync(record, 'utf8')).toBe(
      `install -x github.com/versity/versitygw/cmd/versitygw@v1.8.0 GOBIN=${join(tmp, 'cache3', 'versitygw', 'v1.8.0')}\n`,
    );
    expect(lines[0]).toMatch(/Building versitygw v1.8.0 with Go into/);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBuild, type BuildProgress } from '../../server/go-tool';
import { ensureVersitygw, VERSITYGW_VERSION } from '../../server/versitygw';
import { fakeGo } from '../helpers/fake-go';

const tmp = mkdtempSync(join(tmpdir(), 'mselect-go-tool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('building a Go tool', () => {
  it("condenses Go's output into counts: two log lines and a progress line, not one line per module", async () => {
    const goDir = join(tmp, 'go');
    fakeGo(goDir, { downloads: 300, packages: 120, seconds: 1.5 });
    const env = { PATH: goDir, MSELECT_CACHE_DIR: join(tmp, 'cache') };
    const lines: string[] = [];
    const progress: BuildProgress[] = [];
    const bin = await ensureVersitygw(
      env,
      (l) => lines.push(l),
      [],
      (p) => progress.push(p),
    );
    expect(bin).toEqual({ path: join(tmp, 'cache', 'versitygw', VERSITYGW_VERSION, 'versitygw'), source: 'go-install' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Building versitygw v1\.8\.0 with Go into /);
    expect(lines[1]).toMatch(new RegExp(`^versitygw v1\\.8\\.0 built in \\d+ s \\(300 modules downloaded, 120 packages compiled\\): ${bin.path}$`));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ downloaded: 300, compiled: 120 });
    expect(readFileSync(join(goDir, 'calls'), 'utf8')).toBe(`install -x github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}\n`);
  });

  it('describes progress in one line', () => {
    expect(describeBuild({ seconds: 42, downloaded: 7, compiled: 310 })).toBe('7 modules downloaded, 310 packages compiled, 42 s');
  });
});

/**
 * Catalogue cases for the command line, schedule specs included: `mselect` exits with code 2
 * and a message that names the flag and the rule, before it contacts any server.
 */
import { casesOf } from './catalogue';
import { killAll, runCli } from './helpers/processes';

afterAll(killAll);

// No server listens here: input that wrongly passed validation would fail to connect, not start work.
const env = { TEMPORAL_ADDRESS: '127.0.0.1:9', TEMPORAL_NAMESPACE: 'default' };

describe('bad CLI flags and schedule specs', () => {
  it.concurrent.each(casesOf('cli'))('$id: exit 2 naming the flag', async (c) => {
    const r = await runCli(c.argv, env);
    expect(r.output).toContain(c.excerpt);
    expect(r.output).toMatch(/^mselect: --[a-z-]+/m);
    expect(r).toMatchObject({ code: 2, signal: null });
  });
});

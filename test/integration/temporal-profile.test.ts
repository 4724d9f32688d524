/**
 * A temporal.toml profile written by the real `temporal` CLI (`temporal config set`), that
 * works for `temporal workflow list --profile ci`, works unchanged for `mselect status`
 * (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE): no TEMPORAL_ADDRESS anywhere.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTemporalCli } from '../../server/temporal-cli';
import { plumbingCheck } from '../../workflows';
import { harness, withWorkers, type Harness } from '../helpers/test-env';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mselect-profile-'));
const configFile = join(dir, 'temporal.toml');
let h: Harness;

beforeAll(async () => {
  h = await harness('profile');
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** This process's environment without any Temporal connection variable, plus `extra`. */
function envWithout(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  return { ...env, ...extra };
}

describe('a temporal.toml profile shared with the temporal CLI', () => {
  it('works for `temporal workflow list --profile ci` and unchanged for `mselect status`', async () => {
    const workflowId = `profile-${h.taskQueue}`;
    await withWorkers([await h.orchestrator(), await h.gpuWorker()], () =>
      h.client.workflow.execute(plumbingCheck, { taskQueue: h.taskQueue, workflowId, args: [{ steps: 1, stepMs: 10, timer: '10ms' }] }),
    );

    const temporal = (await ensureTemporalCli()).path;
    const env = envWithout({ TEMPORAL_CONFIG_FILE: configFile });
    const props: [string, string][] = [
      ['address', serverAddress()],
      ['namespace', h.namespace],
    ];
    for (const [prop, value] of props) await run(temporal, ['config', 'set', '--profile', 'ci', '--prop', prop, '--value', value], { env });
    const listed = await run(temporal, ['workflow', 'list', '--profile', 'ci', '--query', `WorkflowId = '${workflowId}'`, '--output', 'json'], { env });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ execution: expect.objectContaining({ workflowId }) as unknown })]);

    const status = await run(process.execPath, [join(ROOT, 'bin', 'mselect.js'), 'status', workflowId, '--json'], {
      env: { ...env, TEMPORAL_PROFILE: 'ci' },
      cwd: ROOT,
    });
    expect(status.stderr).toContain(`Temporal at ${serverAddress()} (namespace ${h.namespace})`);
    expect(JSON.parse(status.stdout)).toMatchObject({ stepsDone: 1, timerMs: 10 });
  }, 180_000);
});

function serverAddress(): string {
  return process.env.MSELECT_TEST_ADDRESS as string;
}

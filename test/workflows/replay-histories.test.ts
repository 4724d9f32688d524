/**
 * Determinism: the recorded histories in test/fixtures/histories (scripts/record-histories.ts,
 * `npm run record:histories`) replay against today's workflow code without a determinism
 * violation. A change that would break runs already in flight fails here; a change of
 * workflow logic made on purpose needs the histories recorded again. Needs no server.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import * as workflows from '../../workflows';
import { historyFromJson } from '../fixtures/histories/history-json';

// The tampered history below makes the core log its (expected) nondeterminism error; keep it quiet.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
});

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');
const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (m: string) => process.stderr.write(`${m}\n`),
};

let code: string;
let files: string[];
beforeAll(async () => {
  files = (await fs.readdir(DIR)).filter((f) => f.endsWith('.json')).sort();
  code = (await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet })).code;
});

async function load(file: string): Promise<temporal.api.history.v1.IHistory> {
  return historyFromJson(JSON.parse(await fs.readFile(path.join(DIR, file), 'utf8')));
}

const workflowType = (h: temporal.api.history.v1.IHistory): string => h.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';

describe('recorded workflow histories', () => {
  it('cover every workflow type', async () => {
    const types = new Set(await Promise.all(files.map(async (f) => workflowType(await load(f)))));
    expect([...types].sort()).toEqual(Object.keys(workflows).sort());
  });

  it('replay without a determinism violation', async () => {
    expect(files.length).toBeGreaterThanOrEqual(Object.keys(workflows).length);
    for (const file of files) {
      await expect(Worker.runReplayHistory({ workflowBundle: { code } }, await load(file), file)).resolves.toBeUndefined();
    }
  });

  it('catch a history that the code would not produce', async () => {
    const history = await load('select-model-prior-shrink-halving.json');
    const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
    expect(scheduled?.activityType?.name).toBe('planSelection');
    if (scheduled?.activityType) scheduled.activityType.name = 'recall';
    await expect(Worker.runReplayHistory({ workflowBundle: { code } }, history, 'tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

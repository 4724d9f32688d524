import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../../scripts/build';
import { launchDevServer } from '../../server/dev-server';
import { WORKFLOWS_SOURCE } from '../../server/paths';

/**
 * Starts ONE real Temporal dev server (in memory, free port, no UI) for the whole
 * integration run and bundles the workflows once; tests read both from the environment.
 * Compiles dist/ first when a source is newer, so worker processes that tests start
 * (bin/mselect.js) find it current instead of each compiling it.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  ensureBuilt();
  const env = await launchDevServer({ port: 0, ui: false, dbFile: null });
  (globalThis as { __mselectEnv?: unknown }).__mselectEnv = env;
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE, logger: quietLogger });
  const dir = mkdtempSync(join(tmpdir(), 'mselect-test-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  process.env.MSELECT_TEST_ADDRESS = env.address;
  process.env.MSELECT_TEST_NAMESPACE = env.namespace ?? 'default';
  process.env.MSELECT_TEST_BUNDLE = bundlePath;
  process.env.MSELECT_TEST_TMP = dir;
  process.stderr.write(`\nTemporal dev server at ${env.address}, workflows bundled (${Math.round((Date.now() - started) / 100) / 10} s)\n`);
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => process.stderr.write(`${m}\n`),
  error: (m: string) => process.stderr.write(`${m}\n`),
};

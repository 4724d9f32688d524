import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as { __mselectEnv?: TestWorkflowEnvironment }).__mselectEnv;
  await env?.teardown();
  if (process.env.MSELECT_TEST_TMP) rmSync(process.env.MSELECT_TEST_TMP, { recursive: true, force: true });
}

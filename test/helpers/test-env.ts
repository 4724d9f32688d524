import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createGpuWorker, createOrchestratorWorker } from '../../workers/create-workers';
import type { GpuActivities } from '../../activities';
import { workerConfigFromEnv, type WorkerConfig } from '../../workers/config';
import { join } from 'node:path';
import { tempDir } from './temp';

/**
 * Worker data roots in a fresh temporary folder (store, checkpoints, reports), removed after
 * the test file; hub and recorded runs as configured, or as `overrides` say (e.g. the
 * `replayDir` of a synthetic hub, replay-fixture.ts).
 */
export function testWorkerConfig(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  const root = tempDir('worker');
  const base = workerConfigFromEnv({
    ...process.env,
    MSELECT_STORE: join(root, 'store'),
    MSELECT_CHECKPOINTS: join(root, 'checkpoints'),
    MSELECT_REPORTS: join(root, 'reports'),
  });
  return { ...base, ...overrides };
}

Runtime.install({ logger: new DefaultLogger('ERROR') });

/** The shared dev server started by global-setup.ts. */
export function serverInfo(): { address: string; namespace: string; bundlePath: string } {
  const { MSELECT_TEST_ADDRESS: address, MSELECT_TEST_NAMESPACE: namespace, MSELECT_TEST_BUNDLE: bundlePath } = process.env;
  if (!address || !namespace || !bundlePath) throw new Error('integration tests need test/helpers/global-setup.ts (run them through jest)');
  return { address, namespace, bundlePath };
}

export interface Harness {
  readonly client: Client;
  readonly connection: NativeConnection;
  readonly namespace: string;
  /** A fresh orchestration queue for this test; its GPU queue is `${taskQueue}-gpu`. */
  readonly taskQueue: string;
  orchestrator(): Promise<Worker>;
  gpuWorker(slots?: number, activities?: GpuActivities): Promise<Worker>;
  readonly config: WorkerConfig;
  close(): Promise<void>;
}

/** Connections and worker factories on a fresh task queue of the shared server; `config` overrides the workers' data roots. */
export async function harness(prefix = 'test', config: Partial<WorkerConfig> = {}): Promise<Harness> {
  const { address, namespace, bundlePath } = serverInfo();
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace });
  const taskQueue = `${prefix}-${randomUUID()}`;
  const base = {
    connection,
    namespace,
    taskQueue,
    config: testWorkerConfig(config),
    workflowBundle: { codePath: bundlePath },
    shutdownGraceTime: '1s' as const,
  };
  return {
    client,
    connection,
    namespace,
    taskQueue,
    orchestrator: () => createOrchestratorWorker(base),
    gpuWorker: (slots = 1, activities?: GpuActivities) => createGpuWorker({ ...base, slots, activities }),
    config: base.config,
    close: async () => {
      await clientConnection.close();
      await connection.close();
    },
  };
}

/** Run `fn` while the given workers poll, then shut them down. */
export async function withWorkers<T>(workers: Worker[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = workers;
  if (!first) return fn();
  return withWorkers(rest, () => first.runUntil(fn));
}

import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createGpuWorker, createOrchestratorWorker } from '../../workers/create-workers';

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
  gpuWorker(slots?: number): Promise<Worker>;
  close(): Promise<void>;
}

/** Connections and worker factories on a fresh task queue of the shared server. */
export async function harness(prefix = 'test'): Promise<Harness> {
  const { address, namespace, bundlePath } = serverInfo();
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace });
  const taskQueue = `${prefix}-${randomUUID()}`;
  const base = { connection, namespace, taskQueue, workflowBundle: { codePath: bundlePath }, shutdownGraceTime: '1s' as const };
  return {
    client, connection, namespace, taskQueue,
    orchestrator: () => createOrchestratorWorker(base),
    gpuWorker: (slots = 1) => createGpuWorker({ ...base, slots }),
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

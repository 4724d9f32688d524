/**
 * Connections of the fault tests: to the suite's shared dev server (global-setup.ts) or to
 * a server of their own, plus in-process workers on a given task queue.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { GpuActivities } from '../../../activities';
import type { WorkerConfig } from '../../../workers/config';
import { createGpuWorker, createOrchestratorWorker } from '../../../workers/create-workers';
import { serverInfo } from '../../helpers/test-env';

export interface Server {
  readonly address: string;
  readonly namespace: string;
  readonly client: Client;
  readonly connection: NativeConnection;
  close(): Promise<void>;
}

/** Client and worker connections to `address`. */
export async function connect(address: string, namespace = 'default'): Promise<Server> {
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  return {
    address,
    namespace,
    connection,
    client: new Client({ connection: clientConnection, namespace }),
    close: async () => {
      await clientConnection.close();
      await connection.close();
    },
  };
}

/** The dev server global-setup.ts started for the suite. */
export function connectShared(): Promise<Server> {
  const { address, namespace } = serverInfo();
  return connect(address, namespace);
}

/** A task queue no other test uses. */
export function freshQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The orchestrator worker (workflows from the suite's bundle, light activities) in this process. */
export function orchestrator(s: Pick<Server, 'connection' | 'namespace'>, taskQueue: string, config: WorkerConfig): Promise<Worker> {
  return createOrchestratorWorker({
    connection: s.connection,
    namespace: s.namespace,
    taskQueue,
    config,
    workflowBundle: { codePath: serverInfo().bundlePath },
    shutdownGraceTime: '1s',
  });
}

/** A GPU worker in this process, with the real activities unless others are given. */
export function gpu(
  s: Pick<Server, 'connection' | 'namespace'>,
  taskQueue: string,
  config: WorkerConfig,
  activities?: GpuActivities,
  slots = 1,
): Promise<Worker> {
  return createGpuWorker({ connection: s.connection, namespace: s.namespace, taskQueue, config, slots, activities, shutdownGraceTime: '1s' });
}

/** Run `fn` while `workers` poll, then shut them down (also when `fn` fails). */
export async function withWorkers<T>(workers: readonly Worker[], fn: () => Promise<T>): Promise<T> {
  const [head, ...rest] = workers;
  if (!head) return fn();
  return head.runUntil(() => withWorkers(rest, fn));
}

/** A TCP port that was free a moment ago (for a server that must come back on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

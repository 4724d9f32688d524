import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import { createConnection } from 'node:net';
import { launchDevServer, loadDevServerConfig } from '../server/dev-server';
import { connectClient, connectionConfigFromEnv, connectWorker, resolveTarget, type Target } from '../workers/connection';
import { createGpuWorkers, createOrchestratorWorker } from '../workers/create-workers';
import { workerConfigFromEnv } from '../workers/config';
import { tracingFromEnv } from '../workers/tracing';
import { telemetryFromEnv } from '../workers/metrics';
import { describeReport, ensureSearchAttributes } from '../workers/search-attributes';

let runtimeInstalled = false;
/** Worker notices that are expected here: each worker serves only workflows or only activities. */
const EXPECTED = /^No (activities|workflows) registered, not polling/;

/** Quiet SDK logging for the CLI: warnings and errors only, without expected notices; Prometheus metrics when MSELECT_METRICS is set. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  const logger = new DefaultLogger('WARN', (entry) => {
    if (EXPECTED.test(entry.message)) return;
    process.stderr.write(`${entry.level} ${entry.message}${entry.meta && Object.keys(entry.meta).length ? ` ${logMeta(entry.meta)}` : ''}\n`);
  });
  const telemetryOptions = telemetryFromEnv();
  Runtime.install({ logger, ...(telemetryOptions ? { telemetryOptions } : {}) });
  if (process.env.MSELECT_METRICS) process.stderr.write(`Prometheus metrics at http://${process.env.MSELECT_METRICS}/metrics\n`);
  runtimeInstalled = true;
}

/**
 * A log entry's fields as JSON, errors as `{ type, message, cause }` (JSON.stringify alone
 * prints an Error as `{}`, hiding why a workflow or activity failed). No stack traces.
 */
export function logMeta(meta: Readonly<Record<string, unknown>>): string {
  const errorJson = (e: Error, depth: number): Record<string, unknown> => {
    const type = (e as { type?: unknown }).type;
    const cause = (e as { cause?: unknown }).cause;
    return {
      type: typeof type === 'string' ? type : e.name,
      message: e.message,
      ...(cause instanceof Error && depth < 5 ? { cause: errorJson(cause, depth + 1) } : {}),
    };
  };
  return JSON.stringify(meta, (_key, value: unknown) => (value instanceof Error ? errorJson(value, 0) : value));
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface Session {
  readonly target: Target;
  readonly client: Client;
  /** Web UI address when known. */
  readonly uiUrl?: string;
  /** True when this process launched the dev server. */
  readonly launched: boolean;
  close(): Promise<void>;
}

/**
 * Connect to Temporal: the address of Temporal's client configuration (`TEMPORAL_ADDRESS`, or a
 * temporal.toml profile: `TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`) when set; else the embedded dev server of
 * temporal-dev.yml, reusing one already listening or launching it (UI and SQLite on).
 */
export async function openSession(log: (l: string) => void): Promise<Session> {
  installQuietRuntime();
  const dev = loadDevServerConfig();
  const target = resolveTarget(connectionConfigFromEnv(), dev);
  const uiUrl = target.embedded && dev.ui ? `http://${dev.ip}:${dev.uiPort}` : undefined;
  const tracing = await tracingFromEnv();
  if (tracing) log(`OpenTelemetry traces to ${tracing.endpoint}`);
  if (!target.embedded || (await portOpen(dev.ip, dev.port))) {
    const client = await connectClient(target);
    log(`Temporal at ${target.address} (namespace ${target.namespace})`);
    return {
      target,
      client,
      uiUrl,
      launched: false,
      close: async () => {
        await tracing?.flush();
        await client.connection.close();
      },
    };
  }
  log(`Starting the embedded Temporal dev server (${dev.ip}:${dev.port}, SQLite ${dev.dbFile})...`);
  const env = await launchDevServer();
  const client = await connectClient(target);
  return {
    target,
    client,
    uiUrl,
    launched: true,
    close: async () => {
      await tracing?.flush();
      await client.connection.close();
      await env.teardown();
    },
  };
}

export interface RunningWorkers {
  readonly workers: Worker[];
  stop(): Promise<void>;
}

/**
 * Run the orchestrator and/or GPU worker in this process until `stop()`. `taskQueue` is the
 * orchestration queue (default `mselect`); the GPU worker serves its paired `<taskQueue>-gpu`.
 */
export async function startWorkers(target: Target, roles: { orchestrator: boolean; gpu: boolean; slots: number; taskQueue?: string }): Promise<RunningWorkers> {
  const connection: NativeConnection = await connectWorker(target);
  await registerSearchAttributes(connection, target.namespace);
  const setup = { connection, namespace: target.namespace, config: workerConfigFromEnv(), taskQueue: roles.taskQueue };
  const workers: Worker[] = [];
  if (roles.orchestrator) workers.push(await createOrchestratorWorker(setup));
  if (roles.gpu) workers.push(...(await createGpuWorkers({ ...setup, slots: roles.slots })));
  const running = workers.map((w) => w.run());
  return {
    workers,
    stop: async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.all(running);
      await connection.close();
    },
  };
}

/**
 * Register mselect's search attributes when the namespace lacks them (what `mselect cluster
 * init` does), so selections can be listed on a fresh cluster. A server that refuses (Temporal
 * Cloud has no operator service) only gets a warning: the workers still run.
 */
async function registerSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  try {
    const report = await ensureSearchAttributes(connection.operatorService, namespace);
    if (report.added.length) process.stderr.write(`${describeReport(report)}\n`);
  } catch (e) {
    process.stderr.write(`WARN ${(e as Error).message}; register them by hand (README, "Running on a cluster")\n`);
  }
}

/** Resolves on Ctrl-C or SIGTERM. */
export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Run workers in this process against the session's server until Ctrl-C, then stop cleanly. */
export async function serveUntilSignal(log: (l: string) => void, roles: Parameters<typeof startWorkers>[1], banner: (s: Session) => string): Promise<void> {
  const session = await openSession(log);
  const workers = await startWorkers(session.target, roles);
  log(banner(session));
  await waitForSignal();
  await workers.stop();
  await session.close();
}

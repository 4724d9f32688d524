import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { ConnectionConfigSchema, type ConnectionConfig, type DevServerConfig } from '../contracts/schemas';
import { formatIssues } from '../contracts/parse';

/** Where to connect, fully resolved. */
export interface Target {
  readonly address: string;
  readonly namespace: string;
  readonly apiKey?: string;
  readonly tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer; serverNameOverride?: string };
  /** True when this is the embedded dev server of temporal-dev.yml. */
  readonly embedded: boolean;
}

/** Connection settings from the environment; errors name the bad variable. */
export function connectionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionConfig {
  const tlsVars = [env.TEMPORAL_TLS_CERT, env.TEMPORAL_TLS_KEY, env.TEMPORAL_TLS_CA, env.TEMPORAL_TLS_SERVER_NAME];
  const raw = {
    address: env.TEMPORAL_ADDRESS || undefined,
    namespace: env.TEMPORAL_NAMESPACE || undefined,
    apiKey: env.TEMPORAL_API_KEY || undefined,
    tls: tlsVars.some(Boolean) || env.TEMPORAL_TLS === 'true'
      ? { certPath: env.TEMPORAL_TLS_CERT, keyPath: env.TEMPORAL_TLS_KEY, caPath: env.TEMPORAL_TLS_CA, serverName: env.TEMPORAL_TLS_SERVER_NAME }
      : undefined,
  };
  const r = ConnectionConfigSchema.safeParse(raw);
  if (!r.success) throw new Error(`Temporal connection settings (TEMPORAL_* environment variables): ${formatIssues(r.error.issues)}`);
  return r.data;
}

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Resolve settings: an explicit address wins; otherwise the embedded dev server. */
export function resolveTarget(cfg: ConnectionConfig, dev: DevServerConfig): Target {
  const embedded = !cfg.address;
  const cert = readPem(cfg.tls?.certPath, 'TEMPORAL_TLS_CERT');
  const key = readPem(cfg.tls?.keyPath, 'TEMPORAL_TLS_KEY');
  const useTls = Boolean(cfg.tls) || Boolean(cfg.apiKey);
  return {
    address: cfg.address ?? `${dev.ip}:${dev.port}`,
    namespace: cfg.namespace ?? dev.namespace,
    apiKey: cfg.apiKey,
    tls: useTls
      ? {
          clientCertPair: cert && key ? { crt: cert, key } : undefined,
          serverRootCACertificate: readPem(cfg.tls?.caPath, 'TEMPORAL_TLS_CA'),
          serverNameOverride: cfg.tls?.serverName,
        }
      : undefined,
    embedded,
  };
}

/** Connection for workers. The caller closes it. */
export function connectWorker(t: Target): Promise<NativeConnection> {
  return NativeConnection.connect({ address: t.address, tls: t.tls, apiKey: t.apiKey });
}

/** Client for starters, the CLI and schedules. The caller closes `client.connection`. */
export async function connectClient(t: Target): Promise<Client> {
  const connection = await Connection.connect({ address: t.address, tls: t.tls, apiKey: t.apiKey });
  return new Client({ connection, namespace: t.namespace });
}

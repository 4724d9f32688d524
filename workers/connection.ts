/**
 * How workers, the CLI and starters reach Temporal: Temporal's own client configuration
 * (`@temporalio/envconfig`), so a `temporal.toml` profile or a set of `TEMPORAL_*` variables
 * that works for the `temporal` CLI works unchanged for mselect. With no address anywhere,
 * the embedded dev server of temporal-dev.yml.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { existsSync, readFileSync } from 'node:fs';
import { platform } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ConnectionConfigSchema, type ConnectionConfig, type DevServerConfig } from '../contracts/schemas';
import { tracingFromEnv } from './tracing';

/** Where to connect, fully resolved. */
export interface Target {
  readonly address: string;
  readonly namespace: string;
  readonly apiKey?: string;
  /** `false`: TLS explicitly off; undefined: plain connection. */
  readonly tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer; serverNameOverride?: string } | false;
  /** gRPC metadata sent with every call (`grpc_meta` of the profile, `TEMPORAL_GRPC_META_*`). */
  readonly metadata?: Record<string, string>;
  /** True when this is the embedded dev server of temporal-dev.yml. */
  readonly embedded: boolean;
}

/** Connection settings and, for error messages, where each came from. */
export interface ConnectionSettings extends ConnectionConfig {
  /** The setting that holds `field` (`TEMPORAL_ADDRESS`, `profile.prod.address in /etc/temporal.toml`, ...). */
  readonly origin: (field: SettingField) => string;
}

type SettingField = 'address' | 'namespace' | 'apiKey' | 'tls.clientCert' | 'tls.clientKey' | 'tls.serverCACert' | 'tls.serverName' | 'tls.disabled';

/** Each setting: its environment variables (the documented ones) and its key in a temporal.toml profile. */
const SETTINGS: Record<SettingField, { env: readonly string[]; toml: string }> = {
  address: { env: ['TEMPORAL_ADDRESS'], toml: 'address' },
  namespace: { env: ['TEMPORAL_NAMESPACE'], toml: 'namespace' },
  apiKey: { env: ['TEMPORAL_API_KEY'], toml: 'api_key' },
  'tls.clientCert': { env: ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_DATA'], toml: 'tls.client_cert_path' },
  'tls.clientKey': { env: ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_KEY_DATA'], toml: 'tls.client_key_path' },
  'tls.serverCACert': { env: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'], toml: 'tls.server_ca_cert_path' },
  'tls.serverName': { env: ['TEMPORAL_TLS_SERVER_NAME'], toml: 'tls.server_name' },
  'tls.disabled': { env: ['TEMPORAL_TLS'], toml: 'tls.disabled' },
};

/**
 * mselect's former variables, still read for one release: each is used when its documented
 * replacement is unset, with a warning.
 */
const DEPRECATED: Record<string, string> = {
  TEMPORAL_TLS_CERT: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
};
const warned = new Set<string>();

/** The variables, the deprecated names copied to their replacements; `aliases` maps a replacement to the old name that set it. */
function withDeprecatedNames(env: NodeJS.ProcessEnv, warn: (line: string) => void): { vars: Record<string, string>; aliases: Map<string, string> } {
  const vars: Record<string, string> = {};
  const aliases = new Map<string, string>();
  // An empty TEMPORAL_* variable counts as unset (`TEMPORAL_ADDRESS= mselect ...`), as in a shell.
  for (const [k, v] of Object.entries(env)) if (v !== undefined && (v !== '' || k.startsWith('TEMPORAL_GRPC_META_') || !k.startsWith('TEMPORAL_'))) vars[k] = v;
  for (const [old, name] of Object.entries(DEPRECATED)) {
    const value = vars[old];
    if (!value) continue;
    if (!warned.has(old)) warn(`WARN ${old} is deprecated: set ${name} (Temporal's name) instead${vars[name] ? `; ${name} is set and wins` : ''}`);
    warned.add(old);
    if (vars[name] === undefined) {
      vars[name] = value;
      aliases.set(name, old);
    }
  }
  return { vars, aliases };
}

/** The temporal.toml that Temporal's client configuration reads: TEMPORAL_CONFIG_FILE, else the per-user default. */
export function configFilePath(env: Record<string, string | undefined>): string | undefined {
  if (env.TEMPORAL_CONFIG_FILE) return env.TEMPORAL_CONFIG_FILE;
  const home = env.HOME;
  switch (platform()) {
    case 'win32':
      return env.APPDATA ? join(env.APPDATA, 'temporalio', 'temporal.toml') : undefined;
    case 'darwin':
      return home ? join(home, 'Library', 'Application Support', 'temporalio', 'temporal.toml') : undefined;
    default: {
      const xdg = env.XDG_CONFIG_HOME;
      if (xdg) return isAbsolute(xdg) ? join(xdg, 'temporalio', 'temporal.toml') : undefined;
      return home ? join(home, '.config', 'temporalio', 'temporal.toml') : undefined;
    }
  }
}

const PREFIX = 'Temporal connection settings';

/**
 * Connection settings from the environment and the temporal.toml profile it names (the
 * `default` profile of the default file when none is named). Errors name the bad setting:
 * the variable, or the profile key and file.
 */
export function connectionConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): ConnectionSettings {
  const { vars, aliases } = withDeprecatedNames(env, warn);
  const file = configFilePath(vars);
  const profileName = vars.TEMPORAL_PROFILE || 'default';
  if (vars.TEMPORAL_CONFIG_FILE && !existsSync(vars.TEMPORAL_CONFIG_FILE)) {
    throw new Error(`${PREFIX}: TEMPORAL_CONFIG_FILE names ${vars.TEMPORAL_CONFIG_FILE}, which does not exist`);
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (e) {
    const message = (e as Error).message;
    if (/^Profile '.*' not found/.test(message)) {
      throw new Error(`${PREFIX}: TEMPORAL_PROFILE is ${profileName}, but ${file ?? 'the config file'} has no [profile.${profileName}]`);
    }
    throw new Error(`${PREFIX}: cannot read ${file ?? 'the config file'} (TEMPORAL_CONFIG_FILE): ${message}`);
  }
  const raw = {
    address: profile.address || undefined,
    namespace: profile.namespace || undefined,
    apiKey: profile.apiKey || undefined,
    tls: profile.tls,
    grpcMeta: profile.grpcMeta,
  };
  // The variable that set a field, else the profile key that did; an unset field is named by its variable.
  const origin = (field: SettingField): string => {
    const s = SETTINGS[field];
    const fromEnv = s.env.find((n) => vars[n] !== undefined);
    if (fromEnv) return aliases.get(fromEnv) ?? fromEnv;
    const [head, sub] = field.split('.') as [keyof typeof raw, string | undefined];
    const value: unknown = sub ? (raw.tls as Record<string, unknown> | undefined)?.[sub] : raw[head];
    return value === undefined ? (s.env[0] as string) : `${s.toml} of [profile.${profileName}] in ${file ?? 'the config file'}`;
  };
  const r = ConnectionConfigSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    const field = (Object.keys(SETTINGS) as SettingField[]).find((f) => path === f || path.startsWith(`${f}.`));
    if (path === 'tls.clientCert' && issue?.message.includes('together')) {
      throw new Error(`${PREFIX}: ${issue.message} (${origin('tls.clientCert')}, ${origin('tls.clientKey')})`);
    }
    const value = field && !field.startsWith('tls') ? ` ${JSON.stringify((raw as Record<string, unknown>)[field])}` : '';
    throw new Error(`${PREFIX}: ${field ? origin(field) : path}${value} ${issue?.message ?? 'is invalid'}`);
  }
  return { ...r.data, origin };
}

function readPem(source: { path: string } | { data: string | Uint8Array } | undefined, setting: string): Buffer | undefined {
  if (!source) return undefined;
  if ('data' in source) return Buffer.from(source.data);
  try {
    return readFileSync(source.path);
  } catch (e) {
    throw new Error(`${PREFIX}: ${setting}: cannot read ${source.path}: ${(e as Error).message}`);
  }
}

/** Resolve settings: an address from the profile or the environment wins; otherwise the embedded dev server. */
export function resolveTarget(cfg: ConnectionSettings, dev: DevServerConfig): Target {
  const embedded = !cfg.address;
  const useTls = cfg.tls?.disabled === true ? false : Boolean(cfg.tls) || Boolean(cfg.apiKey);
  const cert = readPem(cfg.tls?.clientCert, cfg.origin('tls.clientCert'));
  const key = readPem(cfg.tls?.clientKey, cfg.origin('tls.clientKey'));
  return {
    address: cfg.address ?? `${dev.ip}:${dev.port}`,
    namespace: cfg.namespace ?? dev.namespace,
    apiKey: cfg.apiKey,
    tls: useTls
      ? {
          clientCertPair: cert && key ? { crt: cert, key } : undefined,
          serverRootCACertificate: readPem(cfg.tls?.serverCACert, cfg.origin('tls.serverCACert')),
          serverNameOverride: cfg.tls?.serverName,
        }
      : cfg.tls?.disabled === true
        ? false
        : undefined,
    ...(cfg.grpcMeta && Object.keys(cfg.grpcMeta).length ? { metadata: cfg.grpcMeta } : {}),
    embedded,
  };
}

/** The tracing plugin when OTEL_EXPORTER_OTLP_ENDPOINT is set (workers/tracing.ts), else none. */
async function plugins(env: NodeJS.ProcessEnv) {
  const tracing = await tracingFromEnv(env);
  return tracing ? [tracing.plugin] : [];
}

/** Connection for workers; workers built on it trace when tracing is on. The caller closes it. */
export async function connectWorker(t: Target, env: NodeJS.ProcessEnv = process.env): Promise<NativeConnection> {
  return NativeConnection.connect({ address: t.address, tls: t.tls, apiKey: t.apiKey, metadata: t.metadata, plugins: await plugins(env) });
}

/** Client for starters, the CLI and schedules; it traces when tracing is on. The caller closes `client.connection`. */
export async function connectClient(t: Target, env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const connection = await Connection.connect({ address: t.address, tls: t.tls, apiKey: t.apiKey, metadata: t.metadata });
  return new Client({ connection, namespace: t.namespace, plugins: await plugins(env) });
}

import { TestWorkflowEnvironment } from '@temporalio/testing';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DevServerConfigSchema, type DevServerConfig } from '../contracts/schemas';
import { formatIssues } from '../contracts/parse';
import { fromRoot } from './paths';
import { ensureTemporalCli } from './temporal-cli';

export const DEV_CONFIG_FILE = fromRoot('temporal-dev.yml');

/** Read and validate `temporal-dev.yml`; errors name the file and every bad key. */
export function loadDevServerConfig(file: string = DEV_CONFIG_FILE): DevServerConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    throw new Error(`${file}: cannot read YAML: ${(e as Error).message}`);
  }
  const r = DevServerConfigSchema.safeParse(raw);
  if (!r.success) throw new Error(`${file}: ${formatIssues(r.error.issues)}`);
  return r.data;
}

const SA_TYPES = {
  Keyword: SearchAttributeType.KEYWORD,
  Text: SearchAttributeType.TEXT,
  Int: SearchAttributeType.INT,
  Double: SearchAttributeType.DOUBLE,
  Bool: SearchAttributeType.BOOL,
  Datetime: SearchAttributeType.DATETIME,
  KeywordList: SearchAttributeType.KEYWORD_LIST,
} as const;

export interface LaunchOverrides {
  /** Port 0 picks a free port (tests). */
  readonly port?: number;
  readonly ui?: boolean;
  readonly uiPort?: number;
  /** `null` runs in memory (tests); otherwise a SQLite path. */
  readonly dbFile?: string | null;
}

/** The SDK's dev-server options for a config, the one place that maps our YAML to CLI flags. */
export function sdkServerOptions(cfg: DevServerConfig, executablePath: string, o: LaunchOverrides = {}) {
  const dbFile = o.dbFile === undefined ? fromRoot(cfg.dbFile) : o.dbFile;
  if (dbFile) mkdirSync(dirname(dbFile), { recursive: true });
  const port = o.port ?? cfg.port;
  const ui = o.ui ?? cfg.ui;
  return {
    executable: { type: 'existing-path' as const, path: executablePath },
    ip: cfg.ip,
    port: port === 0 ? undefined : port,
    namespace: cfg.namespace,
    ui,
    uiPort: ui ? (o.uiPort ?? cfg.uiPort) : undefined,
    dbFilename: dbFile ?? undefined,
    log: { format: 'pretty', level: cfg.logLevel },
    searchAttributes: Object.entries(cfg.searchAttributes).map(([name, t]) => defineSearchAttributeKey(name, SA_TYPES[t])),
    extraArgs: Object.entries(cfg.dynamicConfig).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${JSON.stringify(v)}`]),
  };
}

/**
 * Start the embedded dev server (finding or building the Temporal CLI first) and return
 * a connected environment; `teardown()` stops the server. Used by `npm start`, `npm run dev`
 * and the test suite's global setup.
 */
export async function launchDevServer(o: LaunchOverrides = {}, cfg: DevServerConfig = loadDevServerConfig()): Promise<TestWorkflowEnvironment> {
  const cli = await ensureTemporalCli();
  return TestWorkflowEnvironment.createLocal({ server: sdkServerOptions(cfg, cli.path, o) });
}

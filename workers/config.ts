import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CommandTrainerFileSchema, DevServerConfigSchema, type CommandTrainerFile } from '../contracts/schemas';
import { formatIssues } from '../contracts/parse';
import { defaultHubPaths } from '../hub/paths';
import { DEFAULT_REPLAY_DIR, dataDir, fromRoot } from '../server/paths';
import type { StorageSettings } from '../contracts/schemas';
import { ByteSizeSchema } from '../contracts/schemas/storage';
import { readStorageSettings } from '../storage';

export { DEFAULT_REPLAY_DIR };

/** Where a worker finds its data; every path is a root that activities stay inside. */
export interface WorkerConfig {
  readonly storeDir: string;
  readonly hubDir: string;
  readonly datasetsDir: string;
  readonly checkpointDir: string;
  readonly reportDir: string;
  /** Recorded runs for the replay trainer (anchors layout), when present. */
  readonly replayDir: string | null;
  readonly commandTrainer: CommandTrainerFile | null;
  /** Trainer of fine-tunes whose input names none (`MSELECT_TRAINER`, `mselect worker --trainer`): `tfjs` or `torch`. */
  readonly defaultTrainer?: 'tfjs' | 'torch';
  /**
   * Object storage every machine shares (`MSELECT_STORAGE=s3://bucket/prefix`): the hub, the
   * datasets, checkpoints, reports and the matrix store live there, under `hub/`, `datasets/`,
   * `checkpoints/`, `reports/` and `store/`; `hubDir` and `datasetsDir` are then this worker's
   * private cache of them under `cacheDir`. Absent or null: the folders above hold everything.
   */
  readonly storage?: StorageSettings | null;
  /** The private download cache (with `storage`). */
  readonly cacheDir?: string;
  /** The Temporal web UI's address, for reports' links to their workflows (`MSELECT_UI_URL`; default the embedded dev server's when `TEMPORAL_ADDRESS` is unset). */
  readonly uiUrl?: string | null;
  /**
   * With S3 `storage`: the most bytes of checkpoints this worker keeps in `checkpointDir` (the
   * checkpoint cache; `MSELECT_CHECKPOINT_CACHE_SIZE`, e.g. `50GB`; 0 keeps only what is in use).
   * @default 20 GB
   */
  readonly checkpointCacheBytes?: number;
}

function readCommandTrainer(file: string): CommandTrainerFile {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`MSELECT_COMMAND_TRAINER: cannot read ${file}: ${(e as Error).message}`);
  }
  const r = CommandTrainerFileSchema.safeParse(raw);
  if (!r.success) throw new Error(`MSELECT_COMMAND_TRAINER ${file}: ${formatIssues(r.error.issues)}`);
  return r.data;
}

/** MSELECT_UI_URL; else, when TEMPORAL_ADDRESS is unset (the embedded dev server), its web UI from temporal-dev.yml; else none. */
function uiUrlOf(env: NodeJS.ProcessEnv): string | null {
  if (env.MSELECT_UI_URL) return env.MSELECT_UI_URL;
  if (env.TEMPORAL_ADDRESS) return null;
  try {
    const dev = DevServerConfigSchema.safeParse(parseYaml(readFileSync(fromRoot('temporal-dev.yml'), 'utf8')) ?? {});
    return dev.success && dev.data.ui ? `http://${dev.data.ip}:${dev.data.uiPort}` : null;
  } catch {
    return null;
  }
}

function cacheBytesOf(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const r = ByteSizeSchema.safeParse(value);
  if (!r.success) throw new Error(`MSELECT_CHECKPOINT_CACHE_SIZE is ${JSON.stringify(value)}: ${formatIssues(r.error.issues)}`);
  return r.data;
}

function defaultTrainerOf(value: string | undefined): 'tfjs' | 'torch' {
  if (value === undefined || value === '' || value === 'tfjs' || value === 'torch') return value === 'torch' ? 'torch' : 'tfjs';
  throw new Error(`MSELECT_TRAINER is ${JSON.stringify(value)}, but must be tfjs or torch`);
}

/**
 * Worker settings from the environment: MSELECT_STORAGE (s3://bucket/prefix, file:///path or a
 * path; read by storage/settings.ts), MSELECT_STORE, MSELECT_HUB, MSELECT_DATASETS,
 * MSELECT_CHECKPOINTS, MSELECT_REPORTS, MSELECT_REPLAY_DATA, MSELECT_COMMAND_TRAINER (a
 * YAML/JSON file), MSELECT_TRAINER (the default trainer: tfjs or torch), each with a default under the data folder. A folder MSELECT_STORAGE is the
 * root of all five folders (each variable still overrides its own); an S3 one holds them all,
 * and the hub and datasets are cached under `<MSELECT_DATA>/cache`, the checkpoints this worker
 * writes and fetches in `<MSELECT_DATA>/checkpoints` (MSELECT_CHECKPOINT_CACHE_SIZE bounds them).
 */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const replay = env.MSELECT_REPLAY_DATA ? resolve(env.MSELECT_REPLAY_DATA) : DEFAULT_REPLAY_DIR;
  const common = {
    uiUrl: uiUrlOf(env),
    replayDir: existsSync(resolve(replay, 'curves.csv')) ? replay : null,
    commandTrainer: env.MSELECT_COMMAND_TRAINER ? readCommandTrainer(resolve(env.MSELECT_COMMAND_TRAINER)) : null,
    defaultTrainer: defaultTrainerOf(env.MSELECT_TRAINER),
  };
  const storage = env.MSELECT_STORAGE ? readStorageSettings(env) : null;
  if (storage?.kind === 's3') {
    const cacheDir = resolve(dataDir(env), 'cache');
    const local = (name: string) => resolve(dataDir(env), name);
    const checkpointCacheBytes = cacheBytesOf(env.MSELECT_CHECKPOINT_CACHE_SIZE);
    return {
      storeDir: local('store'),
      hubDir: resolve(cacheDir, 'hub'),
      datasetsDir: resolve(cacheDir, 'datasets'),
      checkpointDir: local('checkpoints'),
      reportDir: local('reports'),
      ...common,
      storage,
      cacheDir,
      ...(checkpointCacheBytes !== undefined ? { checkpointCacheBytes } : {}),
    };
  }
  if (storage?.kind === 'file') {
    const under = (v: string | undefined, name: string) => resolve(v ?? resolve(storage.root, name));
    return {
      storeDir: under(env.MSELECT_STORE || undefined, 'store'),
      hubDir: under(env.MSELECT_HUB, 'hub'),
      datasetsDir: under(env.MSELECT_DATASETS, 'datasets'),
      checkpointDir: under(env.MSELECT_CHECKPOINTS, 'checkpoints'),
      reportDir: under(env.MSELECT_REPORTS, 'reports'),
      ...common,
    };
  }
  return {
    storeDir: env.MSELECT_STORE ? resolve(env.MSELECT_STORE) : resolve(dataDir(env), 'store'),
    ...defaultHubPaths(env),
    reportDir: resolve(env.MSELECT_REPORTS ?? resolve(dataDir(env), 'reports')),
    ...common,
  };
}

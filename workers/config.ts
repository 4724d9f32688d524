import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CommandTrainerFileSchema, type CommandTrainerFile } from '../contracts/schemas';
import { formatIssues } from '../contracts/parse';
import { defaultHubPaths } from '../hub/paths';
import { resolveStoreDir } from '../matrix-store';
import { DEFAULT_REPLAY_DIR, dataDir } from '../server/paths';

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

function defaultTrainerOf(value: string | undefined): 'tfjs' | 'torch' {
  if (value === undefined || value === '' || value === 'tfjs' || value === 'torch') return value === 'torch' ? 'torch' : 'tfjs';
  throw new Error(`MSELECT_TRAINER is ${JSON.stringify(value)}, but must be tfjs or torch`);
}

/**
 * Worker settings from the environment: MSELECT_STORE, MSELECT_HUB, MSELECT_DATASETS,
 * MSELECT_CHECKPOINTS, MSELECT_REPORTS, MSELECT_REPLAY_DATA, MSELECT_COMMAND_TRAINER
 * (a YAML/JSON file), MSELECT_TRAINER (the default trainer), each with a default under the data folder.
 */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const hub = defaultHubPaths(env);
  const replay = env.MSELECT_REPLAY_DATA ? resolve(env.MSELECT_REPLAY_DATA) : DEFAULT_REPLAY_DIR;
  return {
    storeDir: resolveStoreDir(env.MSELECT_STORE || undefined),
    ...hub,
    reportDir: resolve(env.MSELECT_REPORTS ?? resolve(dataDir(env), 'reports')),
    replayDir: existsSync(resolve(replay, 'curves.csv')) ? replay : null,
    commandTrainer: env.MSELECT_COMMAND_TRAINER ? readCommandTrainer(resolve(env.MSELECT_COMMAND_TRAINER)) : null,
    defaultTrainer: defaultTrainerOf(env.MSELECT_TRAINER),
  };
}

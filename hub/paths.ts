/**
 * Default locations of the model hub, the datasets and the fine-tune checkpoints. All sit
 * under `<project>/data/` (git-ignored) unless an environment variable points elsewhere.
 */
import * as path from 'node:path';
import { PROJECT_ROOT, dataDir } from '../server/paths';

export interface HubPaths {
  /** Directory of models, one sub-directory per model id. */
  readonly hubDir: string;
  /** Directory of datasets, one sub-directory per dataset id. */
  readonly datasetsDir: string;
  /** Root of fine-tune checkpoints. */
  readonly checkpointDir: string;
}

export { PROJECT_ROOT };

/**
 * Paths from the environment, falling back to `{hub,datasets,checkpoints}` in the data folder
 * (MSELECT_DATA, else `<project>/data`).
 * @param env MSELECT_HUB, MSELECT_DATASETS and MSELECT_CHECKPOINTS override the defaults.
 */
export function defaultHubPaths(env: NodeJS.ProcessEnv = process.env): HubPaths {
  const data = dataDir(env);
  return {
    hubDir: path.resolve(env.MSELECT_HUB ?? path.join(data, 'hub')),
    datasetsDir: path.resolve(env.MSELECT_DATASETS ?? path.join(data, 'datasets')),
    checkpointDir: path.resolve(env.MSELECT_CHECKPOINTS ?? path.join(data, 'checkpoints')),
  };
}

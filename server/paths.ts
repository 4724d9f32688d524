import { isAbsolute, resolve } from 'node:path';

/** The project root (the folder holding package.json). */
export const PROJECT_ROOT = resolve(__dirname, '..');

/** Recorded NLP fine-tuning runs shipped beside the project, read by replay and the replay trainer. */
export const DEFAULT_REPLAY_DIR = resolve(PROJECT_ROOT, '..', 'shared', 'anchors', 'two-phase-nlp');

/** Data folder for the store, hub, checkpoints and the dev server's SQLite file (`MSELECT_DATA`). */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MSELECT_DATA ? resolve(env.MSELECT_DATA) : resolve(PROJECT_ROOT, 'data');
}

/** Resolve a path from a config file relative to the project root. */
export function fromRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(PROJECT_ROOT, path);
}

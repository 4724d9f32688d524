import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The project root (the folder holding package.json), the same whether this file runs from
 * its source (`server/paths.ts`) or from the build (`dist/server/paths.js`).
 */
export const PROJECT_ROOT = ((): string => {
  const up = resolve(__dirname, '..');
  return existsSync(join(up, 'package.json')) ? up : resolve(up, '..');
})();

/**
 * The workflows' TypeScript source, which workers bundle for the workflow sandbox (also when
 * the worker itself runs from `dist/`).
 */
export const WORKFLOWS_SOURCE = resolve(PROJECT_ROOT, 'workflows', 'index.ts');

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

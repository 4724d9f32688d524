import { ensureTool, findGo, findTool, GO_LOCATIONS, toolCacheDir, type BuildProgress, type GoTool, type ResolvedTool } from './go-tool';

export { findGo, GO_LOCATIONS };

/** The Temporal CLI tag installable with `go install` (later tags cannot be built that way). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

export type ResolvedCli = ResolvedTool;

export const INSTALL_HELP = [
  'The Temporal CLI was not found and Go is not installed to build it.',
  'Install it one of these ways, then run the command again:',
  '  macOS:   brew install temporal',
  '  Linux:   curl -sSf https://temporal.download/cli.sh | sh   (then add ~/.temporalio/bin to PATH)',
  '  Windows: download temporal from https://temporal.download/cli/archive/latest?platform=windows&arch=amd64',
  `  any OS with Go: go install ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}`,
  'or point TEMPORAL_CLI at an existing temporal binary.',
].join('\n');

export const TEMPORAL_CLI: GoTool = {
  title: 'the Temporal CLI',
  exe: 'temporal',
  envVar: 'TEMPORAL_CLI',
  cacheName: 'temporal-cli',
  goPackage: GO_PACKAGE,
  version: TEMPORAL_CLI_VERSION,
  installHelp: INSTALL_HELP,
};

/** Per-user cache directory, outside any clone, so every checkout and CI run reuse one build. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return toolCacheDir(TEMPORAL_CLI, env);
}

/** The Temporal CLI if it is already present: `TEMPORAL_CLI` → `temporal` on PATH → the cache. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): ResolvedCli | undefined {
  return findTool(TEMPORAL_CLI, env);
}

/**
 * Find the Temporal CLI or build it with `go install` into the per-user cache,
 * showing Go's progress as one line (minutes the first time). Never downloads a prebuilt
 * binary. Throws with platform install instructions when neither is possible.
 */
export function ensureTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  goLocations: readonly string[] = GO_LOCATIONS,
  progress?: (p: BuildProgress) => void,
): Promise<ResolvedCli> {
  return ensureTool(TEMPORAL_CLI, env, log, goLocations, progress);
}

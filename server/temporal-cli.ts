import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Temporal CLI tag installable with `go install` (later tags cannot be built that way). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const EXE = platform() === 'win32' ? 'temporal.exe' : 'temporal';

export type CliSource = 'env' | 'path' | 'cache' | 'go-install';
export interface ResolvedCli {
  readonly path: string;
  readonly source: CliSource;
}

/** Per-user cache directory, outside any clone, so every checkout and CI run reuse one build. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.MSELECT_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mselect');
  return join(base, 'temporal-cli', TEMPORAL_CLI_VERSION);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The Temporal CLI if it is already present: `TEMPORAL_CLI` → `temporal` on PATH → the cache. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): ResolvedCli | undefined {
  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) {
      throw new Error(`TEMPORAL_CLI is set to ${env.TEMPORAL_CLI}, which is not an executable file`);
    }
    return { path: env.TEMPORAL_CLI, source: 'env' };
  }
  const fromPath = onPath(EXE, env);
  if (fromPath) return { path: fromPath, source: 'path' };
  const cached = join(cacheDir(env), EXE);
  return isExecutable(cached) ? { path: cached, source: 'cache' } : undefined;
}

/** Where Go usually lives when it is not on PATH. */
export const GO_LOCATIONS: readonly string[] = ['/usr/local/go/bin/go', join(homedir(), 'go', 'bin', 'go')];

/** The Go toolchain: `go` on PATH, then `$GOROOT/bin/go`, then the usual install places. */
export function findGo(env: NodeJS.ProcessEnv, locations: readonly string[] = GO_LOCATIONS): string | undefined {
  const found = onPath(platform() === 'win32' ? 'go.exe' : 'go', env);
  if (found) return found;
  const candidates = env.GOROOT ? [join(env.GOROOT, 'bin', 'go'), ...locations] : locations;
  return candidates.find(isExecutable);
}

export const INSTALL_HELP = [
  'The Temporal CLI was not found and Go is not installed to build it.',
  'Install it one of these ways, then run the command again:',
  '  macOS:   brew install temporal',
  '  Linux:   curl -sSf https://temporal.download/cli.sh | sh   (then add ~/.temporalio/bin to PATH)',
  '  Windows: download temporal from https://temporal.download/cli/archive/latest?platform=windows&arch=amd64',
  `  any OS with Go: go install ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}`,
  'or point TEMPORAL_CLI at an existing temporal binary.',
].join('\n');

/**
 * Find the Temporal CLI or build it with `go install` into the per-user cache,
 * streaming Go's progress to stderr (minutes the first time). Never downloads a prebuilt
 * binary. Throws with platform install instructions when neither is possible.
 */
export async function ensureTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  goLocations: readonly string[] = GO_LOCATIONS,
): Promise<ResolvedCli> {
  const found = findTemporalCli(env);
  if (found) return found;
  const go = findGo(env, goLocations);
  if (!go) throw new Error(INSTALL_HELP);
  const dir = cacheDir(env);
  mkdirSync(dir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (takes a few minutes the first time)...`);
  const started = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(go, ['install', '-x', `${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}`], {
      env: { ...env, GOBIN: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let packages = 0;
    let lastShown = 0;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line.startsWith('go: downloading')) log(`  ${line}`);
        if (/^(WORK=|mkdir -p \$WORK\/b\d+)/.test(line)) packages += 1;
      }
      if (packages - lastShown >= 50) {
        lastShown = packages;
        log(`  compiled ${packages} packages, ${Math.round((Date.now() - started) / 1000)} s`);
      }
    });
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  const path = join(dir, EXE);
  if (code !== 0 || !isExecutable(path)) {
    throw new Error(`go install ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION} failed (exit ${code}).\n${INSTALL_HELP}`);
  }
  log(`Temporal CLI ready in ${Math.round((Date.now() - started) / 1000)} s: ${path}`);
  return { path, source: 'go-install' };
}

/** `temporal --version` output, or undefined when the binary does not run. */
export function temporalCliVersion(path: string): string | undefined {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Finding or building a Go tool the project runs (the Temporal CLI, versitygw): the tool's
 * environment variable → PATH → the per-user cache `~/.cache/mselect/<name>/<version>/` →
 * `go install <package>@<version>` with GOBIN set to that cache. Never downloads a prebuilt binary.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { delimiter, join } from 'node:path';

export interface GoTool {
  /** Shown in messages, e.g. 'Temporal CLI'. */
  readonly title: string;
  /** Binary name without extension, e.g. 'temporal'. */
  readonly exe: string;
  /** The variable that points at an existing binary, e.g. 'TEMPORAL_CLI'. */
  readonly envVar: string;
  /** Folder name under the cache, e.g. 'temporal-cli'. */
  readonly cacheName: string;
  readonly goPackage: string;
  readonly version: string;
  /** What to tell a user when neither the tool nor Go is there. */
  readonly installHelp: string;
}

export type ToolSource = 'env' | 'path' | 'cache' | 'go-install';
export interface ResolvedTool {
  readonly path: string;
  readonly source: ToolSource;
}

const exeName = (tool: GoTool): string => (platform() === 'win32' ? `${tool.exe}.exe` : tool.exe);

/** Per-user cache directory of a tool's version, outside any clone, so every checkout and CI run reuse one build. */
export function toolCacheDir(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.MSELECT_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mselect');
  return join(base, tool.cacheName, tool.version);
}

export function isExecutable(path: string): boolean {
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

/** The tool if it is already present: its variable → PATH → the cache. Throws when the variable names no executable. */
export function findTool(tool: GoTool, env: NodeJS.ProcessEnv = process.env): ResolvedTool | undefined {
  const fromEnv = env[tool.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${tool.envVar} is set to ${fromEnv}, which is not an executable file`);
    return { path: fromEnv, source: 'env' };
  }
  const fromPath = onPath(exeName(tool), env);
  if (fromPath) return { path: fromPath, source: 'path' };
  const cached = join(toolCacheDir(tool, env), exeName(tool));
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

/** How far a `go install` has got. */
export interface BuildProgress {
  readonly seconds: number;
  /** Go modules fetched (`go: downloading …` lines). */
  readonly downloaded: number;
  /** Packages compiled (one `$WORK/bN` folder each). */
  readonly compiled: number;
}

export const describeBuild = (p: BuildProgress): string => `${p.downloaded} modules downloaded, ${p.compiled} packages compiled, ${p.seconds} s`;

/**
 * The default progress display: one line rewritten in place on a terminal; elsewhere (CI
 * logs, pipes) one line a minute through `log`, so a build of several minutes shows it is alive.
 */
export function progressLine(
  tool: GoTool,
  log: (line: string) => void,
  stream: NodeJS.WriteStream = process.stderr,
): { update: (p: BuildProgress) => void; done: () => void } {
  let lastLogged = 0;
  let drawn = false;
  return {
    update: (p) => {
      const text = `  building ${tool.title} ${tool.version}: ${describeBuild(p)}`;
      if (stream.isTTY) {
        stream.write(`\r\x1b[K${text}`);
        drawn = true;
      } else if (p.seconds - lastLogged >= 60) {
        lastLogged = p.seconds;
        log(text);
      }
    },
    done: () => {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/**
 * Find the tool or build it with `go install` into the per-user cache (minutes the first
 * time). Go's output (hundreds of `go: downloading` and build lines) is condensed into counts
 * passed to `progress`, by default one line rewritten in place (see `progressLine`); `log`
 * gets the first and the last line. Throws the tool's install help when neither is possible,
 * and Go's last lines when the build fails.
 */
export async function ensureTool(
  tool: GoTool,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  goLocations: readonly string[] = GO_LOCATIONS,
  progress?: (p: BuildProgress) => void,
): Promise<ResolvedTool> {
  const found = findTool(tool, env);
  if (found) return found;
  const go = findGo(env, goLocations);
  if (!go) throw new Error(tool.installHelp);
  const dir = toolCacheDir(tool, env);
  mkdirSync(dir, { recursive: true });
  log(`Building ${tool.title} ${tool.version} with Go into ${dir} (takes a few minutes the first time)...`);
  const started = Date.now();
  const line = progress ? null : progressLine(tool, log);
  const show = progress ?? ((p: BuildProgress) => line?.update(p));
  const counts = { downloaded: 0, compiled: 0 };
  const seconds = (): number => Math.round((Date.now() - started) / 1000);
  const { code, tail } = await new Promise<{ code: number; tail: string }>((resolve, reject) => {
    const child = spawn(go, ['install', '-x', `${tool.goPackage}@${tool.version}`], {
      env: { ...env, GOBIN: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    let partial = '';
    const timer = setInterval(() => show({ seconds: seconds(), ...counts }), 1000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-4000);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith('go: downloading')) counts.downloaded += 1;
        else if (/^(WORK=|mkdir -p \$WORK\/b\d+)/.test(l)) counts.compiled += 1;
      }
    });
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (c) => {
      clearInterval(timer);
      resolve({ code: c ?? 1, tail });
    });
  });
  show({ seconds: seconds(), ...counts });
  line?.done();
  const path = join(dir, exeName(tool));
  if (code !== 0 || !isExecutable(path)) {
    const last = tail
      .split('\n')
      .filter((l) => !l.startsWith('mkdir') && !l.startsWith('cd ') && l.trim() !== '')
      .slice(-10)
      .join('\n');
    throw new Error(`go install ${tool.goPackage}@${tool.version} failed (exit ${code}):\n${last}\n${tool.installHelp}`);
  }
  log(`${tool.title} ${tool.version} built in ${seconds()} s (${counts.downloaded} modules downloaded, ${counts.compiled} packages compiled): ${path}`);
  return { path, source: 'go-install' };
}

#!/usr/bin/env node
/**
 * Build once, run JavaScript: `tsc -p tsconfig.build.json` compiles the product code
 * (everything but the tests) into `dist/`, incrementally. `isStale()` is a cheap check (file
 * times of the sources against `dist/.tsbuildinfo`), so entry points can call `ensureBuilt()`
 * on every start. Plain JavaScript: it runs before anything is compiled.
 *
 *   node scripts/build.js          build when stale, one line on stderr when it compiles
 */
const { spawnSync } = require('node:child_process');
const { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const CONFIG = join(root, 'tsconfig.build.json');
const BUILD_INFO = join(root, 'dist', '.tsbuildinfo');
const LOCK = join(root, 'dist', '.build.lock');

/** The folders and files `tsconfig.build.json` compiles, plus the configs themselves. */
function inputs() {
  const { include, exclude = [] } = JSON.parse(readFileSync(CONFIG, 'utf8'));
  const skip = new Set(exclude.map((p) => join(root, p)));
  const files = [CONFIG, join(root, 'tsconfig.json'), join(root, 'package.json')];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (skip.has(p)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  for (const entry of include) {
    const dir = join(root, entry.replace(/\/\*\*\/\*\.ts$/, ''));
    if (existsSync(dir)) walk(dir);
  }
  return files;
}

/** True when `dist/` is missing or a source is newer than the last build. */
function isStale() {
  if (!existsSync(BUILD_INFO)) return true;
  const built = statSync(BUILD_INFO).mtimeMs;
  return inputs().some((f) => existsSync(f) && statSync(f).mtimeMs > built);
}

/**
 * Compile into dist/. Returns { ok, seconds, output } (tsc's messages, for the caller to
 * show on failure).
 */
function build() {
  const started = Date.now();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const r = spawnSync(process.execPath, [tsc, '-p', CONFIG], { cwd: root, encoding: 'utf8' });
  const ok = r.status === 0;
  // tsc leaves the build info untouched when nothing it emits changed; mark the build as current.
  if (ok && existsSync(BUILD_INFO)) utimesSync(BUILD_INFO, new Date(), new Date());
  return { ok, seconds: (Date.now() - started) / 1000, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** Wait (synchronously) for `ms`. */
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** True while the process named in the lock file runs. */
function lockHeld() {
  try {
    process.kill(Number(readFileSync(LOCK, 'utf8')), 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * Run `fn` holding dist/.build.lock, so processes started together (workers, tests) compile
 * once: the others wait, then find the build current. A lock left by a dead process is taken over.
 */
function withLock(fn) {
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (!lockHeld()) rmSync(LOCK, { force: true });
      else sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/** Build (under the lock) when stale: null when already current, else `build()`'s result. */
function buildIfStale() {
  return isStale() ? withLock(() => (isStale() ? build() : null)) : null;
}

/** Build when stale; exits the process with tsc's messages when the build fails. */
function ensureBuilt(log = (line) => process.stderr.write(`${line}\n`)) {
  const r = buildIfStale();
  if (r === null) return false;
  if (!r.ok) {
    log(`mselect: compiling TypeScript into dist/ failed:\n${r.output}`);
    process.exit(1);
  }
  log(`mselect: compiled TypeScript into dist/ (${r.seconds.toFixed(1)} s)`);
  return true;
}

module.exports = { isStale, build, buildIfStale, ensureBuilt };

if (require.main === module) ensureBuilt();

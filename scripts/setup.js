#!/usr/bin/env node
/**
 * The set-up every entry point needs on a fresh machine, idempotent and quick when done.
 * One line per step, what it did and how long it took:
 * 1. npm dependencies: installed when node_modules does not hold the locked versions;
 * 2. the build: TypeScript compiled into dist/ when a source is newer (scripts/build.js);
 * 3. the Temporal CLI: found, or built with `go install` into the per-user cache
 *    (skipped with MSELECT_SKIP_TEMPORAL_SETUP=1).
 * Plain JavaScript: it runs before any dependency is installed.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function fail(message) {
  process.stderr.write(`\nsetup: ${message}\n`);
  process.exit(1);
}

/** Run one step: `setup: <what> ... <result> (<seconds> s)` on one line. */
async function step(what, fn) {
  process.stderr.write(`setup: ${what} ...`);
  const started = Date.now();
  const result = await fn();
  process.stderr.write(` ${result} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/**
 * Packages of package-lock.json that node_modules lacks or holds at another version (npm's
 * own record of what it installed, node_modules/.package-lock.json). Optional packages (other
 * platforms' binaries) may be absent. Compares contents, not file times, so a fresh clone
 * beside an up-to-date node_modules needs nothing.
 */
function missingPackages() {
  const installedFile = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installedFile)) return ['node_modules'];
  const locked = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages ?? {};
  const installed = JSON.parse(readFileSync(installedFile, 'utf8')).packages ?? {};
  return Object.entries(locked).filter(([path, p]) => {
    if (path === '' || p.link) return false;
    const have = installed[path];
    return have ? have.version !== p.version : !p.optional;
  }).map(([path]) => path.replace(/^.*node_modules\//, ''));
}

/** `npm <args>` with its output captured; returns { ok, output }. */
function npm(args) {
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args, '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Why npm failed, in one line: the package the registry lacks (a 404), else the first telling error line. */
function reason(output) {
  const lines = output.split('\n').map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim()).filter(Boolean);
  const notFound = lines.map((l) => /404 Not Found - GET (\S+)/.exec(l)).find(Boolean);
  if (notFound) return `the registry lacks ${decodeURIComponent(notFound[1].split('/').pop())}`;
  return lines.find((l) => /not in sync|missing|ETARGET|EBADPLATFORM|notarget/i.test(l)) ?? lines[0] ?? 'no output';
}

function installDependencies() {
  const missing = missingPackages();
  if (missing.length === 0) return 'up to date';
  // `npm ci` installs exactly the lock. A registry that does not serve every platform's optional
  // binaries (e.g. @swc/core-darwin-*) makes it refuse the lock; `npm install` then installs the
  // same locked versions. Both outputs are captured; only a summary is shown.
  const ci = npm(['ci']);
  if (ci.ok) return `installed ${missing.length} packages (npm ci)`;
  const install = npm(['install']);
  if (!install.ok) fail(`npm install failed:\n${install.output.trim().split('\n').slice(-30).join('\n')}`);
  return `installed with npm install (npm ci refused the lock: ${reason(ci.output)})`;
}

async function main() {
  await step('npm dependencies', installDependencies);
  const { buildIfStale } = require('./build.js');
  await step('TypeScript build (dist/)', () => {
    const r = buildIfStale();
    if (r === null) return 'up to date';
    if (!r.ok) fail(`tsc -p tsconfig.build.json failed:\n${r.output}`);
    return 'compiled';
  });
  if (process.env.MSELECT_SKIP_TEMPORAL_SETUP === '1') return;
  const { ensureTemporalCli } = require('../dist/server/temporal-cli.js');
  let midLine = true;
  const log = (line) => {
    process.stderr.write(`${midLine ? '\n' : ''}  ${line}\n`);
    midLine = false;
  };
  await step('Temporal CLI', async () => {
    try {
      const cli = await ensureTemporalCli(process.env, log);
      return `${cli.source}: ${cli.path}`;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  });
  if (process.env.MSELECT_SKIP_VERSITYGW_SETUP === '1') return;
  const { ensureVersitygw } = require('../dist/server/versitygw.js');
  await step('versitygw (S3 server of the storage tests)', async () => {
    try {
      const bin = await ensureVersitygw(process.env, log);
      return `${bin.source}: ${bin.path}`;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  });
}

main().catch((e) => fail(e instanceof Error ? e.stack : String(e)));

#!/usr/bin/env node
/**
 * The set-up a command needs on a fresh machine, idempotent and quick when done. One line per
 * step, what it did and how long it took (a Go build rewrites its line with its progress):
 * 1. npm dependencies: installed when node_modules does not hold the locked versions;
 * 2. the build: TypeScript compiled into dist/ when a source is newer (scripts/build.js);
 * 3. the Temporal CLI (the embedded server of npm start, dev and the tests): found, or built
 *    with `go install` into the per-user cache (skipped with MSELECT_SKIP_TEMPORAL_SETUP=1);
 * 4. with `--versitygw` only (npm test, test:faults, npm run setup): versitygw, the S3 server
 *    of the storage tests, likewise (skipped with MSELECT_SKIP_VERSITYGW_SETUP=1). `npm start`
 *    never needs it; `npm run dev -- --s3` and `npm run bench:storage` build it when they start
 *    it (S3Server.start in server/versitygw.ts), with the same one-line progress.
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

/**
 * Run one step: `setup: <what> ... <result> (<seconds> s)` on one line. `fn` may report
 * progress: on a terminal it rewrites the line; elsewhere one line a minute.
 */
async function step(what, fn) {
  const tty = Boolean(process.stderr.isTTY);
  const head = `setup: ${what} ...`;
  process.stderr.write(head);
  const started = Date.now();
  let midLine = true;
  let lastShown = 0;
  const progress = (text) => {
    const seconds = (Date.now() - started) / 1000;
    if (tty) process.stderr.write(`\r\x1b[K${head} ${text}`);
    else if (seconds - lastShown >= 60) {
      lastShown = seconds;
      process.stderr.write(`${midLine ? '\n' : ''}  ${text}\n`);
      midLine = false;
    }
  };
  const result = await fn(progress);
  const tail = ` ${result} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`;
  process.stderr.write(tty ? `\r\x1b[K${head}${tail}` : midLine ? tail : `${head}${tail}`);
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
  return Object.entries(locked)
    .filter(([path, p]) => {
      if (path === '' || p.link) return false;
      const have = installed[path];
      return have ? have.version !== p.version : !p.optional;
    })
    .map(([path]) => path.replace(/^.*node_modules\//, ''));
}

/** Packages in node_modules, by npm's record of what it installed. */
function installedCount() {
  const file = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(file)) return 0;
  return Object.keys(JSON.parse(readFileSync(file, 'utf8')).packages ?? {}).filter((p) => p !== '').length;
}

/** `npm <args>` with its output captured; returns { ok, output }. */
function npm(args) {
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args, '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Why npm failed, in one line: the package the registry lacks (a 404), else the first telling error line. */
function reason(output) {
  const lines = output
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim())
    .filter(Boolean);
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
  // Without node_modules at all, `missing` is just ['node_modules']: count what npm installed.
  if (ci.ok) return `installed ${missing[0] === 'node_modules' ? installedCount() : missing.length} packages (npm ci)`;
  const install = npm(['install']);
  if (!install.ok) fail(`npm install failed:\n${install.output.trim().split('\n').slice(-30).join('\n')}`);
  return `installed with npm install (npm ci refused the lock: ${reason(ci.output)})`;
}

/**
 * The Go tools a run of setup builds: the Temporal CLI unless MSELECT_SKIP_TEMPORAL_SETUP=1;
 * versitygw only when asked (`--versitygw`) and not skipped by MSELECT_SKIP_VERSITYGW_SETUP=1.
 */
function toolsFor(argv, env) {
  const tools = [];
  if (env.MSELECT_SKIP_TEMPORAL_SETUP !== '1') tools.push('temporal');
  if (argv.includes('--versitygw') && env.MSELECT_SKIP_VERSITYGW_SETUP !== '1') tools.push('versitygw');
  return tools;
}

/** The step of one Go tool: found, or built with its progress condensed into one line. */
async function goToolStep(what, ensure) {
  await step(what, async (progress) => {
    try {
      const { describeBuild } = require('../dist/server/go-tool.js');
      const quiet = () => undefined;
      let last = null;
      const bin = await ensure(process.env, quiet, undefined, (p) => {
        last = p;
        progress(`building with Go: ${describeBuild(p)}`);
      });
      const counts = last ? ` (${last.downloaded} modules downloaded, ${last.compiled} packages compiled)` : '';
      return `${bin.source}${bin.source === 'go-install' ? counts : ''}: ${bin.path}`;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  });
}

async function main() {
  const unknown = process.argv.slice(2).filter((a) => a !== '--versitygw');
  if (unknown.length) fail(`unknown option ${unknown.join(' ')} (scripts/setup.js takes only --versitygw)`);
  await step('npm dependencies', installDependencies);
  const { buildIfStale } = require('./build.js');
  await step('TypeScript build (dist/)', () => {
    const r = buildIfStale();
    if (r === null) return 'up to date';
    if (!r.ok) fail(`tsc -p tsconfig.build.json failed:\n${r.output}`);
    return 'compiled';
  });
  const tools = toolsFor(process.argv.slice(2), process.env);
  if (tools.includes('temporal')) await goToolStep('Temporal CLI', require('../dist/server/temporal-cli.js').ensureTemporalCli);
  if (tools.includes('versitygw')) await goToolStep('versitygw (S3 server of the storage tests)', require('../dist/server/versitygw.js').ensureVersitygw);
}

module.exports = { toolsFor, installedCount };

if (require.main === module) main().catch((e) => fail(e instanceof Error ? e.stack : String(e)));

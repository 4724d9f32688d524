#!/usr/bin/env node
/**
 * The set-up every entry point needs on a fresh machine, idempotent and quick when done:
 * 1. npm dependencies (`npm ci` when node_modules is missing or older than package-lock.json);
 * 2. the Temporal CLI (found, or built with `go install` into the per-user cache);
 * 3. versitygw, the S3 server of the tests and `npm run bench:storage` (found, or built the same way).
 * Plain JavaScript: it runs before any dependency is installed.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.package-lock.json');

function run(cmd, args, { exitOnFailure = true } = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 && exitOnFailure) {
    console.error(`setup: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status}).`);
    process.exit(r.status || 1);
  }
  return r.status === 0;
}

const stale = !existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.error('setup: installing npm dependencies (npm ci)...');
  // A registry that does not serve every platform's optional binaries (e.g. @swc/core-darwin-*)
  // makes `npm ci` refuse the lock file; `npm install` then installs the same locked versions.
  if (!run('npm', ['ci', '--no-audit', '--no-fund'], { exitOnFailure: false })) {
    console.error('setup: npm ci refused the lock file; installing the locked versions with npm install...');
    run('npm', ['install', '--no-audit', '--no-fund']);
  }
}
if (process.env.MSELECT_SKIP_TEMPORAL_SETUP !== '1') {
  run(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'scripts', 'ensure-temporal.ts')]);
}
if (process.env.MSELECT_SKIP_VERSITYGW_SETUP !== '1') {
  run(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'scripts', 'ensure-versitygw.ts')]);
}

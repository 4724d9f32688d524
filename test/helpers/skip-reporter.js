/**
 * A jest reporter that fails the run when a test is skipped outside a gated group
 * (skip-policy.js): a fresh clone must run every test but the ones a gate names. It lists
 * what was skipped, and by which gate, at the end of the run. A run filtered by name (`-t`)
 * is left alone: skipping is what the filter asked for.
 */
const { relative } = require('node:path');
const { skipAllowed } = require('./skip-policy');

const SKIPPED = new Set(['pending', 'skipped', 'todo', 'disabled']);

class SkipReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.filtered = Boolean(globalConfig.testNamePattern);
    this.forbidden = [];
    this.gated = new Map();
  }

  onTestResult(_test, result) {
    for (const r of result.testResults) {
      if (!SKIPPED.has(r.status)) continue;
      const group = r.ancestorTitles[0] ?? '';
      if (skipAllowed(group)) this.gated.set(group, (this.gated.get(group) ?? 0) + 1);
      else this.forbidden.push(`${relative(this.rootDir, result.testFilePath)}: ${r.fullName}`);
    }
  }

  onRunComplete() {
    for (const [group, n] of this.gated) process.stderr.write(`skipped ${n} test(s) in "${group}"\n`);
    if (this.getLastError()) {
      process.stderr.write(`\n${this.forbidden.length} test(s) skipped outside a gated group (test/helpers/skip-policy.js); a run must not skip them:\n`);
      for (const t of this.forbidden) process.stderr.write(`  ${t}\n`);
    }
  }

  getLastError() {
    if (this.filtered || this.forbidden.length === 0) return undefined;
    return new Error(`${this.forbidden.length} test(s) skipped outside a gated group`);
  }
}

module.exports = SkipReporter;

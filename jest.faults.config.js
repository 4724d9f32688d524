/**
 * The fault-injection suite (`npm run test:faults`): worker processes killed mid-epoch,
 * graceful shutdown, dev-server restarts, store crashes, a bad-input catalogue and path
 * confinement. It reuses the integration suite's global setup (ONE shared dev server and a
 * workflow bundle); tests that restart a server launch their own. Files end in `.fault.ts`
 * so the main `jest` run never picks them up. Runs in band: the tests time epochs and
 * heartbeats, and the machine has few cores.
 */
const esm = require('./test/helpers/esm-transform');

module.exports = {
  displayName: 'faults',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: false }], ...esm.transform },
  transformIgnorePatterns: esm.transformIgnorePatterns,
  moduleFileExtensions: ['ts', 'js', 'json'],
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.fault.ts'],
  // The 1 GB checkpoint recovery (about 20 minutes on 2 cores) runs on its own: `npm run test:faults:large`.
  testPathIgnorePatterns: process.env.MSELECT_LARGE_FAULTS === '1' ? [] : ['/large-checkpoint\\.fault\\.ts$'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 300000,
  reporters: ['default', '<rootDir>/test/helpers/skip-reporter.js'],
  maxWorkers: 1,
  // it.concurrent cases (CLI processes) two at a time.
  maxConcurrency: 2,
};

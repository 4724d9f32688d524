/**
 * Two projects: `unit` needs nothing but Node; `integration` runs against ONE real
 * Temporal dev server started by test/helpers/global-setup.ts for the whole run.
 * test/helpers/skip-reporter.js fails a run that skips a test outside a gated group.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: false }];
const esm = require('./test/helpers/esm-transform');
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest, ...esm.transform },
  transformIgnorePatterns: esm.transformIgnorePatterns,
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/helpers/skip-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/test/integration/'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};

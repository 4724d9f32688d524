// Lint rules that hold the architecture: pure algorithms and sandboxed workflows
// cannot import I/O, Temporal activity/worker/client code, tfjs, Arrow or the store.
import tseslint from 'typescript-eslint';

const sandboxBans = {
  patterns: [
    { group: ['fs', 'fs/*', 'node:*', 'path', 'child_process', 'os', 'crypto', 'http', 'https', 'net'], message: 'No Node builtins here: this code must stay pure / sandbox-safe.' },
    { group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'], message: 'Only @temporalio/workflow / common may be imported here.' },
    { group: ['@tensorflow/*', 'apache-arrow', '**/matrix-store', '**/matrix-store/*', '../storage', '../storage/*', '../../storage', '../../storage/*', '../activities', '../activities/*', '**/training/*', '**/server/*', '**/workers/*'], message: 'Heavy or I/O modules are banned here (type-only imports are fine).', allowTypeImports: true },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['algorithms/**/*.ts', 'contracts/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...sandboxBans.patterns, { group: ['@temporalio/workflow'], message: 'Algorithms and contracts are Temporal-free (contracts may use @temporalio/common).' }] }] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', sandboxBans] },
  },
);

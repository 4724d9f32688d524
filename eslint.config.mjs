// Lint rules that hold the architecture: pure algorithms and sandboxed workflows
// cannot import I/O, Temporal activity/worker/client code, tfjs, Arrow or the store.
import tseslint from 'typescript-eslint';

const sandboxBans = {
  patterns: [
    {
      group: ['fs', 'fs/*', 'node:*', 'path', 'child_process', 'os', 'crypto', 'http', 'https', 'net'],
      message: 'No Node builtins here: this code must stay pure / sandbox-safe.',
    },
    {
      group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'],
      message: 'Only @temporalio/workflow / common may be imported here.',
    },
    {
      group: [
        '@tensorflow/*',
        'apache-arrow',
        '**/matrix-store',
        '**/matrix-store/*',
        '../storage',
        '../storage/*',
        '../../storage',
        '../../storage/*',
        '../activities',
        '../activities/*',
        '**/training/*',
        '**/server/*',
        '**/workers/*',
      ],
      message: 'Heavy or I/O modules are banned here (type-only imports are fine).',
      allowTypeImports: true,
    },
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
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...sandboxBans.patterns,
            { group: ['@temporalio/workflow'], message: 'Algorithms and contracts are Temporal-free (contracts may use @temporalio/common).' },
          ],
        },
      ],
    },
  },
  {
    // The workflow bundle stays small: narrow schema modules, not the barrel; of the
    // algorithms only the cost constants, plain types and the default final pick.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...sandboxBans.patterns,
            {
              regex: '(^|/)contracts/schemas(/index)?$',
              message: 'Import the narrow schema module (contracts/schemas/selection, ...): the barrel pulls every schema into the workflow bundle.',
            },
            {
              regex: '(^|/)algorithms(/(?!cost$|types$|final-pick$).*)?$',
              message:
                "Workflows only orchestrate: policy decisions run in activities (activities/selection.ts); only algorithms/cost, algorithms/types and the engine's default final pick (algorithms/final-pick) may be imported.",
              allowTypeImports: true,
            },
            { group: ['ml-kmeans', 'ml-matrix', 'plotly.js-dist-min', 'cli-table3'], message: 'Heavy libraries stay out of the workflow bundle.' },
          ],
        },
      ],
    },
  },
);

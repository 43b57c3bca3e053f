// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox and is replayed from history. Anything
// that does I/O, reads the clock or may change its output across library upgrades stays in
// activities; these imports would either fail in the bundler or silently break replay.
const workflowForbidden = [
  ...builtinModules.flatMap((m) => [m, `node:${m}`]),
  '@kubernetes/client-node',
  'jsonata',
  'ajv',
  'ajv-formats',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.revela/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: workflowForbidden.map((name) => ({
            name,
            message: 'workflow code must stay deterministic: do this in an activity (activities/) instead',
          })),
          patterns: [
            {
              group: ['**/activities/*', '!**/activities/index.js'],
              message: 'workflows may only `import type` activities',
              allowTypeImports: true,
            },
            {
              group: ['**/kube/**', '**/client/**', '**/worker/**', '**/cli/**', '**/dev/**'],
              message: 'workflow code may only import deterministic model code',
              allowTypeImports: true,
            },
            {
              group: [
                '**/model/render*',
                '**/model/schematic*',
                '**/cue/**',
                '**/model/jsonata*',
                '**/model/parameters*',
                '**/model/health*',
                '**/model/loader*',
              ],
              message: 'this model module uses JSONata/ajv or I/O: call it from an activity',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);

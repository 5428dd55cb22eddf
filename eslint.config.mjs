// ESLint (flat config) with typescript-eslint. Besides a few rules the code keeps, it holds the layer
// rule of HOUSE-STYLE.md at edit time: `vscode` (even `import type`) only in src/vscode/ and
// src/extension.ts, and imports that point down only. test/unit/project/importGraph.test.ts holds the
// same table for the whole tree (including `typeof import()`, which no lint rule sees).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodeOnlyInTheEditor = {
  name: 'vscode',
  message:
    "Only src/vscode/ and src/extension.ts may import 'vscode' (HOUSE-STYLE.md: layers). Move the code there, or pass what it needs in.",
};

/** Folders of src/ each layer must not import (relative specifiers such as '../cli/args' or '../../server/x'); domain/ below. */
const FORBIDDEN = {
  api: ['usage', 'flows', 'cli', 'vscode', 'server'],
  usage: ['api', 'flows', 'cli', 'vscode', 'server'],
  flows: ['cli', 'vscode', 'server'],
  cli: ['vscode', 'server'],
  vscode: ['cli', 'server'],
  server: ['cli', 'vscode'],
};

function layerRule(layer, forbidden) {
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: layer === 'vscode' ? [] : [vscodeOnlyInTheEditor],
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
              message: `src/${layer}/ may not import ${forbidden.map((f) => `src/${f}/`).join(', ')}: imports point down only (see importGraph.test.ts).`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.vscode-test/**',
      '.bench/**',
      '.demo/**',
      'coverage/**',
      'media/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      // TypeScript reports undefined names in .ts; the .mjs drivers also hand code to a browser page
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // tests match raw terminal output: ANSI escapes and runs of spaces
    files: ['test/**'],
    rules: { 'no-control-regex': 'off', 'no-regex-spaces': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/vscode/**', 'src/extension.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnlyInTheEditor] }] },
  },
  ...Object.entries(FORBIDDEN).map(([layer, forbidden]) => layerRule(layer, forbidden)),
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscodeOnlyInTheEditor],
          patterns: [
            {
              regex: '^(\\.\\./)+(api|usage|flows|cli|vscode|server)(/|$)',
              message: 'src/domain/ imports nothing of ours: it is the pure core.',
            },
            {
              regex: '^(node:)?(fs|fs/promises|net|http|https|child_process|worker_threads|os)$',
              message: 'src/domain/ stays pure: no I/O. Pass the data in.',
            },
          ],
        },
      ],
    },
  },
);

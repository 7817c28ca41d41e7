// Layer rules of STYLE.md, enforced by no-restricted-imports (not by review).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((group) => ({ group: [group], message })) },
    ],
  },
});

const all = [
  '**/ports/**',
  '**/tasks/**',
  '**/adapters/**',
  '**/http/**',
  '**/sandbox/**',
  '**/app',
  '**/server',
  '**/config',
];
const sdks = [
  'fastify',
  'googleapis',
  'googleapis/*',
  'jira.js',
  'jira.js/*',
  '@google-cloud/*',
  'pino',
  'axios',
  'form-data',
  'node:*',
  'fs',
  'http',
  'https',
  'net',
  'stream',
  'yaml',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'No enums: use string unions and as const.' },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  layer(
    ['src/domain/**/*.ts'],
    [...all, ...sdks],
    'domain is pure: it may import domain only (and luxon).',
  ),
  layer(
    ['src/ports/**/*.ts'],
    all.filter((p) => p !== '**/ports/**'),
    'ports may import domain only.',
  ),
  layer(
    ['src/tasks/**/*.ts'],
    ['**/adapters/**', '**/http/**', '**/sandbox/**', '**/app', '**/server', '**/config', ...sdks],
    'tasks depend on domain and ports only.',
  ),
  layer(
    ['src/adapters/**/*.ts'],
    ['**/tasks/**', '**/http/**', '**/sandbox/**', '**/app', '**/server', '**/config'],
    'adapters may import domain, ports and SDKs.',
  ),
  layer(
    ['src/http/**/*.ts', 'src/app.ts'],
    ['**/adapters/**', '**/sandbox/**', '**/server', '**/config'],
    'http may import tasks, ports and domain.',
  ),
  // ESLint's flat config must be a default export: the one file exempt from the named-exports rule.
  { files: ['eslint.config.mjs'], rules: { 'no-restricted-syntax': 'off' } },
);

// Lint: typescript-eslint (type-aware for floating promises), Prettier-compatible, and the
// layer rules of STYLE.md as an ALLOW-LIST (eslint-plugin-boundaries): each layer names
// what it may import, in our code and among packages; anything not named is an error.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import boundaries from 'eslint-plugin-boundaries';

const el = (type) => ({ to: { element: { type } } });
const pkg = (source) => ({ to: { module: { origin: 'external', source } } });
const core = (source) => ({ to: { module: { origin: 'core', source } } });
const anyPackage = [
  { to: { module: { origin: 'external' } } },
  { to: { module: { origin: 'core' } } },
];
const from = (type, allow) => ({ from: { element: { type } }, allow });

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
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      // Single files (app.ts, config.ts, server.ts, run.ts) are elements through mode: 'file',
      // which v7 still honours but reports as legacy on every run.
      'boundaries/legacy-warnings': false,
      'boundaries/elements': [
        { type: 'domain', pattern: 'src/domain/**', partialMatch: false },
        { type: 'ports', pattern: 'src/ports/**', partialMatch: false },
        { type: 'tasks', pattern: 'src/tasks/**', partialMatch: false },
        { type: 'adapters', pattern: 'src/adapters/**', partialMatch: false },
        { type: 'http', pattern: 'src/http/**', partialMatch: false },
        { type: 'app', pattern: 'src/app.ts', mode: 'file' },
        { type: 'config', pattern: 'src/config.ts', mode: 'file' },
        { type: 'config', pattern: 'src/config/**', partialMatch: false },
        { type: 'server', pattern: 'src/server.ts', mode: 'file' },
        { type: 'server', pattern: 'src/wiring.ts', mode: 'file' },
        { type: 'doctor', pattern: 'src/doctor.ts', mode: 'file' },
        { type: 'sandbox-runner', pattern: 'src/sandbox/run.ts', mode: 'file' },
        { type: 'simulators', pattern: 'src/sandbox/*/**', partialMatch: false },
        { type: 'simulators', pattern: 'src/sandbox/!(run).ts', mode: 'file' },
      ],
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          checkAllOrigins: true,
          checkUnknownLocals: true,
          policies: [
            // Pure rules: time comes in as an argument; luxon for time arithmetic only.
            from('domain', [el('domain'), pkg('luxon')]),
            // Interfaces only (streams appear in the signatures).
            from('ports', [el('ports'), el('domain'), core('node:stream')]),
            from('tasks', [el('tasks'), el('domain'), el('ports')]),
            from('adapters', [el('adapters'), el('domain'), el('ports'), ...anyPackage]),
            from('http', [el('http'), el('tasks'), el('ports'), el('domain'), pkg('fastify')]),
            from('app', [el('http'), el('tasks'), el('ports'), el('domain'), pkg('fastify')]),
            from('config', [el('domain'), el('config'), pkg('luxon')]),
            // The only places that wire real adapters (and read the environment).
            from('server', [
              el('server'),
              el('doctor'),
              el('app'),
              el('config'),
              el('http'),
              el('tasks'),
              el('ports'),
              el('domain'),
              el('adapters'),
              ...anyPackage,
            ]),
            // The go-live checks: the server's builders, read-only.
            from('doctor', [
              el('server'),
              el('config'),
              el('ports'),
              el('domain'),
              el('adapters'),
              ...anyPackage,
            ]),
            from('sandbox-runner', [
              el('server'),
              el('app'),
              el('config'),
              el('tasks'),
              el('ports'),
              el('domain'),
              el('adapters'),
              el('simulators'),
              ...anyPackage,
            ]),
            // Simulators model the vendors' services: they share nothing with the connector.
            from('simulators', [el('simulators'), ...anyPackage]),
          ],
        },
      ],
    },
  },
  // Files whose tool requires a default export: ESLint's flat config, jest's global hooks.
  {
    files: [
      'eslint.config.mjs',
      'tests/support/global-setup.ts',
      'tests/support/global-teardown.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  { files: ['eslint.config.mjs'], extends: [tseslint.configs.disableTypeChecked] },
);

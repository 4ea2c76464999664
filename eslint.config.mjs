// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layers } from './lint/layers.mjs';

/**
 * The layering of src/ (checked by lint/layers.mjs; a file obeys every zone it is in). Data flows
 * plan -> run -> verify/policy/session; the front ends (cli, vscode) and the views (protocol, webview)
 * adapt the core and are never imported by it.
 */
const CORE_WHY = 'the core is the product and never depends on a front end or a view';
export const LAYERS = [
  { zone: 'src/core', why: CORE_WHY, deny: ['src/protocol', 'src/cli', 'src/vscode', 'src/webview', 'src/extension'], modules: ['vscode'] },
  { zone: 'src/core/plan', why: 'the plan model sits below the run; a run concept the plan needs moves into the plan', deny: ['src/core/run'] },
  {
    zone: 'src/core/run',
    why: 'the engine takes verification, failure handling and re-planning as hooks (core/run/hooks.ts); those modules import the run, not the reverse',
    deny: ['src/core/verify', 'src/core/policy', 'src/core/session', 'src/core/replan', 'src/core/planner'],
  },
  {
    zone: 'src/core/context',
    why: 'what the planner and the agents see of the repository (the lister, the overview) sits below the run and the planner, which both use it',
    deny: ['src/core/run', 'src/core/verify', 'src/core/policy', 'src/core/session', 'src/core/replan', 'src/core/planner'],
  },
  { zone: 'src/protocol', why: 'the protocol is shared by the host and the webview; it may use the core, never a front end', deny: ['src/cli', 'src/vscode', 'src/webview', 'src/extension'], modules: ['vscode'] },
  {
    zone: 'src/webview',
    why: 'the webview runs in a browser sandbox: it speaks the protocol, and may name core types but not run core code',
    only: ['src/webview', 'src/protocol', { path: 'src/core', typeOnly: true }],
    modules: ['vscode'],
    builtins: true,
  },
  { zone: 'src/cli', why: 'the CLI is the headless front end: it runs without VS Code', deny: ['src/vscode', 'src/webview', 'src/extension'], modules: ['vscode'] },
  { zone: 'src/vscode', why: 'the VS Code adapters and the CLI are two front ends over the core; the webview is reached only by messages', deny: ['src/cli', 'src/webview'] },
];

// The host drivers (test/host, test/e2e) wait on signals (a locator, a log line, a file), never on a fixed delay:
// a pause standing in for readiness is what made CI flaky (issue 19). Polling a condition goes through
// test/host/lib/poll.ts `until`, the one allowed pause. test/unit/host/noFixedSleeps.test.ts proves each pattern is caught.
const noFixedSleeps = {
  'no-restricted-syntax': ['error',
    { selector: "CallExpression[callee.property.name='waitForTimeout']", message: 'No fixed sleeps in host drivers: wait on what the page shows (a locator, waitForFunction) or on a readiness signal.' },
    { selector: "NewExpression[callee.name='Promise'] CallExpression[callee.name='setTimeout'][arguments.0.type='Identifier']", message: 'No fixed sleeps in host drivers: wait on a signal, or poll a condition with until() from test/host/lib/poll.ts.' },
    { selector: "NewExpression[callee.name='Promise'] CallExpression[callee.name='setTimeout'] > ArrowFunctionExpression[params.length=0] > CallExpression.body[arguments.length=0][callee.name=/^(r|res|resolve|done)$/]", message: 'No fixed sleeps in host drivers: wait on a signal, or poll a condition with until() from test/host/lib/poll.ts.' },
    { selector: "ImportDeclaration[source.value=/^(node:)?timers\\/promises$/]", message: 'No fixed sleeps in host drivers (timers/promises): wait on a signal, or poll a condition with until() from test/host/lib/poll.ts.' },
    { selector: "CallExpression[callee.name=/^(sleep|delay)$/]", message: 'No fixed sleeps in host drivers: wait on a signal, or poll a condition with until() from test/host/lib/poll.ts.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.vscode-test/**', '*.vsix', 'demo-out/**', 'bench/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
    },
  },
  { files: ['src/**/*.ts'], plugins: { local: { rules: { layers } } }, rules: { 'local/layers': ['error', { zones: LAYERS }] } },
  { files: ['src/vscode/**/*.ts', 'src/extension.ts'], rules: { 'no-console': 'error' } },
  { files: ['test/host/**/*.ts', 'test/e2e/**/*.ts'], rules: noFixedSleeps },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);

// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscodeAtRunTime = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'src/core and src/protocol stay free of vscode (type-only imports are allowed).', allowTypeImports: true }],
    patterns: [{ group: ['**/vscode/**', '../vscode/*', '../../vscode/*'], message: 'The core may not import the VS Code adapters.' }],
  }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.vscode-test/**', '*.vsix', 'demo-out/**'] },
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
  { files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'], rules: noVscodeAtRunTime },
  { files: ['src/vscode/**/*.ts', 'src/extension.ts'], rules: { 'no-console': 'error' } },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);

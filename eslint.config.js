import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Synchronous readback loses the WebGPU device on SwiftShader and stalls real GPUs: the
    // core and the worker read back only with `await tensor.data()`.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['dataSync', 'arraySync', 'bufferSync'].map((property) => ({
          property,
          message: 'No synchronous readback: use `await tensor.data()` (see docs/CONVENTIONS.md).',
        })),
      ],
    },
  },
  {
    // The page's main thread never trains: nothing under src/ui may pull in tfjs.
    files: ['src/ui/**/*.ts', 'src/ui/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: 'tfjs runs in the worker only.' },
            {
              group: [
                '**/nas/tensor/tf',
                '**/nas/darts/supernet',
                '**/nas/darts/searchCell',
                '**/nas/darts/searchLoop',
                '**/nas/darts/searchState',
              ],
              allowTypeImports: true,
              message: 'This core module imports tfjs; the page may only use tfjs-free modules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

// Lint rules. The one direction of dependency between the folders of src/ is the table in eslint-layers.js, enforced
// by its rule `layers/imports` (test/tooling/layers.test.ts proves it refuses what it must).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './eslint-layers.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'only src/main.ts exits the process',
        },
      ],
    },
  },
  { files: ['src/main.ts', 'test/**', 'bench/**', 'scripts/**', 'demo/**'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['src/**'], plugins: { layers: layersPlugin }, rules: { 'layers/imports': 'error' } },
);

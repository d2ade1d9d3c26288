// Lint rules, including the one direction of dependency from STYLE.md: model <- render <- operators <- pipeline,
// model <- streams / sinks; only src/pipeline.ts and src/main.ts see everything.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const outer = (...folders) => folders.map((folder) => ({ group: [`../${folder}/*`, `../${folder}`], message: `this folder must not depend on src/${folder}` }));
const topLevel = { group: ['../pipeline.js', '../main.js', '../settings.js', '../commands/*'], message: 'only src/commands, src/pipeline.ts and src/main.ts wire the folders together' };
const pkg = (name, why) => ({ group: [name, `${name}/*`], message: why });

const onlyRenderMustache = pkg('mustache', 'only src/render imports mustache (its escaping is replaced by the allow-list check)');

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']", message: 'only src/main.ts exits the process' }],
    },
  },
  { files: ['src/main.ts', 'test/**', 'bench/**', 'scripts/**', 'demo/**'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['src/model/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...outer('streams', 'operators', 'sinks', 'render', 'http', 'cli', 'status'),
          topLevel,
          pkg('rxjs', 'src/model is pure: no rxjs'),
          onlyRenderMustache,
          pkg('winston', 'src/model is pure: no logging'),
          pkg('@kubernetes', 'src/model is pure: no Kubernetes client'),
          pkg('prom-client', 'src/model is pure: no metrics'),
          { group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process', 'os', 'crypto'], message: 'src/model is pure: no Node I/O' },
        ],
      }],
    },
  },
  {
    // The status is a pure function of the model's state (plus what the sink reported), shared by /status and replay.
    files: ['src/status/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...outer('streams', 'operators', 'sinks', 'render', 'http', 'cli'),
          topLevel,
          pkg('rxjs', 'src/status is plain functions and state'),
          onlyRenderMustache,
          { group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process', 'os', 'crypto'], message: 'src/status does no I/O' },
        ],
      }],
    },
  },
  {
    files: ['src/render/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...outer('streams', 'operators', 'sinks', 'http', 'cli'), topLevel, pkg('rxjs', 'rendering is a plain function')] }] },
  },
  {
    files: ['src/operators/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...outer('streams', 'sinks', 'http', 'cli'), topLevel, onlyRenderMustache, pkg('@kubernetes', 'operators do no I/O')] }] },
  },
  {
    files: ['src/streams/**', 'src/sinks/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...outer('operators', 'render', 'http', 'cli'), topLevel, onlyRenderMustache] }] },
  },
  {
    files: ['src/**'],
    ignores: ['src/render/**', 'src/model/**', 'src/operators/**', 'src/streams/**', 'src/sinks/**', 'src/status/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [onlyRenderMustache] }] },
  },
);

// The one direction of dependency, as a table the linter enforces (README "How it works", docs/architecture.md):
//
//   model, status            pure: types and functions, no packages, no Node
//   render                   model + mustache; no I/O
//   operators                model, render + rxjs; no I/O
//   pipeline.ts              model, render, operators + rxjs: composition only
//   logger.ts, settings      leaves the I/O folders share (settings: the table, the command-line reader, its error)
//   exit-status.ts           leaf: error names to exit statuses; help-text.ts: --help from the settings table
//   package-files.ts         leaf: where the template, the Lua files and package.json are
//   streams, sinks           model, logger + rxjs, Node, the Kubernetes client: the only I/O
//   metrics, http            health, metrics and the admin endpoints
//   commands, main.ts        everything: they wire a command
//
// Each layer lists what it may import; anything else is an error, so a new folder must be given a row here.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));
const ANY = '*';
const NODE = 'node:*';
const KUBE = '@kubernetes/client-node';

/**
 * What each layer of src/ may import: `layers` (other layers, by value or type), `typeLayers` (only `import type`),
 * `packages` (npm packages and `node:` modules; `node:*` for every Node module, `*` for any package).
 */
export const LAYERS = {
  model: { why: 'src/model is the pure domain', layers: [], packages: [] },
  status: { why: 'src/status builds status views as pure functions of the model', layers: ['model'], packages: [] },
  render: {
    why: 'src/render is a pure function of the view (I/O belongs to streams, sinks and commands)',
    layers: ['model'],
    packages: ['mustache', 'node:crypto'],
  },
  operators: {
    why: 'src/operators are pure stream transforms (I/O belongs to streams and sinks)',
    layers: ['model', 'render'],
    packages: ['rxjs'],
  },
  pipeline: {
    why: 'src/pipeline.ts composes the operators',
    layers: ['model', 'render', 'operators'],
    packages: ['rxjs'],
  },
  logger: { why: 'src/logger.ts is a leaf', layers: [], packages: ['winston'] },
  settings: {
    why: "the settings read only the model's validators and the log levels",
    layers: ['model', 'logger'],
    packages: ['node:net', 'node:util'],
  },
  'exit-status': {
    why: 'src/exit-status.ts is a leaf: it maps error names to exit statuses',
    layers: [],
    packages: [],
  },
  'package-files': {
    why: 'src/package-files.ts is a leaf: it finds the files the package ships',
    layers: [],
    packages: ['node:url'],
  },
  help: {
    why: 'src/help-text.ts writes --help from the settings table',
    layers: ['settings', 'package-files'],
    packages: ['node:fs'],
  },
  streams: { why: 'src/streams are sources', layers: ['model', 'logger'], packages: ['rxjs', NODE, KUBE] },
  sinks: {
    why: 'src/sinks are the outbound I/O',
    layers: ['model', 'logger', 'package-files'],
    typeLayers: ['streams'],
    packages: ['rxjs', NODE, KUBE, 'diff'],
  },
  metrics: {
    why: 'src/metrics observes the pipeline',
    layers: ['model', 'status'],
    typeLayers: ['pipeline', 'sinks', 'streams', 'logger'],
    packages: ['prom-client'],
  },
  http: {
    why: 'src/http serves the health and metrics state',
    layers: ['model', 'status', 'metrics', 'logger'],
    packages: ['rxjs', NODE],
  },
  commands: { why: 'src/commands wire a command', layers: [ANY], packages: [ANY] },
  main: { why: 'src/main.ts runs a command', layers: [ANY], packages: [ANY] },
};

/** Packages only the named layers may import, whatever `*` says. */
export const EXCLUSIVE = { mustache: ['render'] };

const TOP_LEVEL = {
  'pipeline.ts': 'pipeline',
  'logger.ts': 'logger',
  'log-levels.ts': 'logger',
  'light-logger.ts': 'logger',
  'settings.ts': 'settings',
  'settings-for-log.ts': 'settings',
  'settings-error.ts': 'settings',
  'command-line.ts': 'settings',
  'settings-ports.ts': 'settings',
  'exit-status.ts': 'exit-status',
  'help-text.ts': 'help',
  'package-files.ts': 'package-files',
  'main.ts': 'main',
};
const BUILTINS = new Set(builtinModules);

/** Returns the layer of a path under src/ (`model`, `pipeline`, …), `null` outside src/, `undefined` if it has no row. */
export function layerOf(path) {
  const inRoot = relative(ROOT, path).split(sep);
  if (inRoot[0] !== 'src' || inRoot.length < 2) return null;
  if (inRoot.length === 2) return TOP_LEVEL[inRoot[1].replace(/\.js$/, '.ts')] ?? inRoot[1].replace(/\.[jt]s$/, '');
  return inRoot[1];
}

/** Returns what an import names: a layer for a relative path, else the package (`node:fs`, `@scope/name`, `rxjs`). */
function targetOf(specifier, fromFile) {
  if (specifier.startsWith('.')) return { layer: layerOf(resolve(dirname(fromFile), specifier)) };
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (BUILTINS.has(bare.split('/')[0]) || specifier.startsWith('node:')) return { pkg: `node:${bare.split('/')[0]}` };
  const parts = specifier.split('/');
  return { pkg: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] };
}

function allowsPackage(row, layer, pkg) {
  if (EXCLUSIVE[pkg]) return EXCLUSIVE[pkg].includes(layer);
  return row.packages.some(
    (allowed) => allowed === ANY || allowed === pkg || (allowed === NODE && pkg.startsWith('node:')),
  );
}

/** Returns why `layer` may not import `target`, or null if it may. */
export function refusal(layer, target, typeOnly) {
  const row = LAYERS[layer];
  if (row === undefined) return `src/${layer} has no row in the layer table (eslint-layers.js): say what it may import`;
  if (target.pkg !== undefined) {
    return allowsPackage(row, layer, target.pkg)
      ? null
      : `${row.why}: it may not import ${target.pkg}${EXCLUSIVE[target.pkg] ? ` (only src/${EXCLUSIVE[target.pkg].join(', src/')} may)` : ''}`;
  }
  if (target.layer === null || target.layer === layer) return null;
  const allowed =
    row.layers.includes(ANY) ||
    row.layers.includes(target.layer) ||
    (typeOnly && (row.typeLayers ?? []).includes(target.layer));
  if (allowed) return null;
  const typeNote = (row.typeLayers ?? []).includes(target.layer) ? ' except with `import type`' : '';
  return `${row.why}: it may not import src/${target.layer}${typeNote} (allowed: ${[...row.layers, ...(row.typeLayers ?? []).map((t) => `type ${t}`)].join(', ') || 'nothing outside itself'})`;
}

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** The ESLint rule `layers/imports`: every import, export-from and dynamic import of a file in src/ against LAYERS. */
const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'one direction of dependency between the folders of src/' },
    schema: [],
    messages: { refused: '{{reason}}' },
  },
  create(context) {
    const layer = layerOf(context.filename);
    if (layer === null) return {};
    const check = (node, source, typeOnly) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const reason = refusal(layer, targetOf(source.value, context.filename), typeOnly);
      if (reason !== null) context.report({ node: source, messageId: 'refused', data: { reason } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
      TSImportType: (node) => check(node, node.argument?.literal ?? node.argument, true),
    };
  },
};

/** The plugin that carries the rule. */
export const layersPlugin = { rules: { imports: importsRule } };

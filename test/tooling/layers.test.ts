// The layering rule, proved on probe files: each probe is linted in memory as if it lived at `file`, with the
// repo's own eslint.config.js, and must be refused (or allowed) by `layers/imports`; a parse error or an ignored
// file counts as a refusal, so a probe cannot pass by not being linted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
// @ts-expect-error: a plain-JS module without types
import { LAYERS } from '../../eslint-layers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}eslint.config.js` });

type Probe = [name: string, file: string, code: string];

async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return result!.messages.filter((m) => m.ruleId === 'layers/imports' || m.ruleId === null).map((m) => m.message);
}

const mustFail: Probe[] = [
  ['model imports rxjs', 'src/model/probe.ts', "export { map } from 'rxjs';"],
  ['model imports node:fs', 'src/model/probe.ts', "export { readFileSync } from 'node:fs';"],
  ['model imports fs without the node: prefix', 'src/model/probe.ts', "export { readFileSync } from 'fs';"],
  ['model imports node:crypto', 'src/model/probe.ts', "export { createHash } from 'node:crypto';"],
  [
    'model imports the Kubernetes client',
    'src/model/probe.ts',
    "export { KubeConfig } from '@kubernetes/client-node';",
  ],
  ['model imports mustache', 'src/model/probe.ts', "export { default } from 'mustache';"],
  ['model imports winston', 'src/model/probe.ts', "export { default } from 'winston';"],
  ['model imports prom-client', 'src/model/probe.ts', "export { Counter } from 'prom-client';"],
  ['model imports the logger', 'src/model/probe.ts', "export { createLogger } from '../logger.js';"],
  ['model imports the metrics', 'src/model/probe.ts', "export { Metrics } from '../metrics/metrics.js';"],
  ['model imports the metrics by type', 'src/model/probe.ts', "export type { Metrics } from '../metrics/metrics.js';"],
  ['model imports render', 'src/model/probe.ts', "export { checkView } from '../render/check-view.js';"],
  ['model imports the settings', 'src/model/probe.ts', "export { SETTINGS } from '../settings.js';"],
  ['model imports the pipeline', 'src/model/probe.ts', "export { configsFrom } from '../pipeline.js';"],
  ['model imports a command', 'src/model/probe.ts', "export { run$ } from '../commands/run.js';"],
  ['model imports status', 'src/model/probe.ts', "export * from '../status/probe.js';"],
  [
    'model imports by dynamic import',
    'src/model/probe.ts',
    "export const load = () => import('../sinks/file-sink.js');",
  ],
  ['model in a sub-folder imports upward', 'src/model/deep/probe.ts', "export * from '../../streams/kube-event.js';"],
  ['status imports rxjs', 'src/status/probe.ts', "export { map } from 'rxjs';"],
  ['status imports the metrics', 'src/status/probe.ts', "export * from '../metrics/status.js';"],
  ['status imports render', 'src/status/probe.ts', "export * from '../render/check-view.js';"],
  ['status imports node:fs', 'src/status/probe.ts', "export { readFileSync } from 'node:fs';"],
  ['render imports node:fs', 'src/render/probe.ts', "export { readFileSync } from 'node:fs';"],
  ['render imports node:net', 'src/render/probe.ts', "export { isIP } from 'node:net';"],
  ['render imports rxjs', 'src/render/probe.ts', "export { map } from 'rxjs';"],
  ['render imports operators', 'src/render/probe.ts', "export * from '../operators/batch-events.js';"],
  ['render imports the logger', 'src/render/probe.ts', "export * from '../logger.js';"],
  ['operators import node:fs', 'src/operators/probe.ts', "export { readFileSync } from 'node:fs';"],
  ['operators import node:http', 'src/operators/probe.ts', "export { request } from 'node:http';"],
  ['operators import child_process', 'src/operators/probe.ts', "export { spawn } from 'node:child_process';"],
  [
    'operators import the Kubernetes client',
    'src/operators/probe.ts',
    "export { KubeConfig } from '@kubernetes/client-node';",
  ],
  ['operators import mustache', 'src/operators/probe.ts', "export { default } from 'mustache';"],
  ['operators import the logger', 'src/operators/probe.ts', "export * from '../logger.js';"],
  ['operators import a sink', 'src/operators/probe.ts', "export * from '../sinks/file-sink.js';"],
  ['operators import a stream', 'src/operators/probe.ts', "export * from '../streams/live-clock.js';"],
  ['operators import the pipeline', 'src/operators/probe.ts', "export * from '../pipeline.js';"],
  ['pipeline imports a sink', 'src/pipeline.ts', "export * from './sinks/file-sink.js';"],
  ['pipeline imports a stream', 'src/pipeline.ts', "export * from './streams/replay-file.js';"],
  ['pipeline imports node:fs', 'src/pipeline.ts', "export { readFileSync } from 'node:fs';"],
  ['streams import a sink', 'src/streams/probe.ts', "export * from '../sinks/file-sink.js';"],
  ['streams import operators', 'src/streams/probe.ts', "export * from '../operators/batch-events.js';"],
  ['streams import render', 'src/streams/probe.ts', "export * from '../render/template.js';"],
  ['streams import the metrics', 'src/streams/probe.ts', "export * from '../metrics/metrics.js';"],
  ['streams import the pipeline', 'src/streams/probe.ts', "export * from '../pipeline.js';"],
  ['streams import mustache', 'src/streams/probe.ts', "export { default } from 'mustache';"],
  ['sinks import a stream by value', 'src/sinks/probe.ts', "export { objectMeta } from '../streams/kube-event.js';"],
  ['sinks import operators', 'src/sinks/probe.ts', "export * from '../operators/batch-events.js';"],
  ['sinks import the http endpoints', 'src/sinks/probe.ts', "export * from '../http/endpoint-server.js';"],
  ['sinks import a command', 'src/sinks/probe.ts', "export * from '../commands/run.js';"],
  ['sinks import the settings', 'src/sinks/probe.ts', "export * from '../settings.js';"],
  ['metrics import a sink', 'src/metrics/probe.ts', "export * from '../sinks/nginx-sink.js';"],
  ['metrics import the pipeline by value', 'src/metrics/probe.ts', "export { configsFrom } from '../pipeline.js';"],
  ['metrics import the http endpoints', 'src/metrics/probe.ts', "export * from '../http/endpoint-server.js';"],
  ['metrics import node:fs', 'src/metrics/probe.ts', "export { readFileSync } from 'node:fs';"],
  ['http imports a command', 'src/http/probe.ts', "export * from '../commands/run.js';"],
  ['http imports a sink', 'src/http/probe.ts', "export * from '../sinks/nginx-sink.js';"],
  ['logger imports the settings', 'src/logger.ts', "export * from './settings.js';"],
  ['settings import a command', 'src/settings.ts', "export * from './commands/run.js';"],
  ['a command imports mustache', 'src/commands/probe.ts', "export { default } from 'mustache';"],
  ['main imports mustache', 'src/main.ts', "export { default } from 'mustache';"],
  ['a folder with no row', 'src/cli/probe.ts', "export const x = 1;\nexport * from '../model/issue.js';"],
  ['a top-level file with no row', 'src/probe.ts', "export * from './model/issue.js';"],
];

const mustPass: Probe[] = [
  ['model imports the model', 'src/model/probe.ts', "export * from './issue.js';"],
  ['status imports the model', 'src/status/probe.ts', "export * from '../model/issue.js';"],
  [
    'render imports the model, mustache and node:crypto',
    'src/render/probe.ts',
    "export * from '../model/config-view.js';\nexport { default } from 'mustache';\nexport { createHash } from 'node:crypto';",
  ],
  [
    'operators import rxjs, the model and render',
    'src/operators/probe.ts',
    "export { map } from 'rxjs';\nexport * from '../model/issue.js';\nexport * from '../render/render-config.js';",
  ],
  ['pipeline imports operators', 'src/pipeline.ts', "export * from './operators/batch-events.js';"],
  [
    'streams import Node, the client, the logger and the model',
    'src/streams/probe.ts',
    "export { request } from 'node:http';\nexport { readFileSync } from 'fs';\nexport { KubeConfig } from '@kubernetes/client-node';\nexport * from '../logger.js';\nexport * from '../model/pod.js';",
  ],
  [
    'sinks import a stream type',
    'src/sinks/probe.ts',
    "import type { KubeEvent } from '../streams/kube-event.js';\nexport type Probe = KubeEvent;",
  ],
  ['sinks import child_process', 'src/sinks/probe.ts', "export { spawn } from 'node:child_process';"],
  [
    'metrics import the pipeline type and status',
    'src/metrics/probe.ts',
    "export type { PipelineHooks } from '../pipeline.js';\nexport * from '../status/probe.js';\nexport { Counter } from 'prom-client';",
  ],
  [
    'http imports the metrics',
    'src/http/probe.ts',
    "export * from '../metrics/status.js';\nexport { createServer } from 'node:http';",
  ],
  [
    'commands import everything but mustache',
    'src/commands/probe.ts',
    "export * from '../sinks/nginx-sink.js';\nexport * from '../streams/replay-file.js';\nexport * from '../http/endpoint-server.js';\nexport { readFileSync } from 'node:fs';",
  ],
  ['main imports commands', 'src/main.ts', "export * from './commands/run.js';\nexport * from './settings.js';"],
  [
    'tests may import anything',
    'test/model/probe.test.ts',
    "export * from '../../src/sinks/nginx-sink.js';\nexport { default } from 'mustache';",
  ],
];

test('the layering rule refuses every import against the dependency direction', async () => {
  for (const [name, file, code] of mustFail) {
    const found = await refusals(file, code);
    assert.equal(found.length, 1, `${name}: expected one refusal, got ${JSON.stringify(found)}`);
  }
});

test('the layering rule allows the imports the layers are built from', async () => {
  for (const [name, file, code] of mustPass) assert.deepEqual(await refusals(file, code), [], name);
});

test('a refusal says which layer may not import what', async () => {
  const [message] = await refusals('src/model/probe.ts', "export * from '../metrics/metrics.js';");
  assert.match(
    message!,
    /src\/model is the pure domain: it may not import src\/metrics \(allowed: nothing outside itself\)/,
  );
  const [typeOnly] = await refusals('src/sinks/probe.ts', "export { objectMeta } from '../streams/kube-event.js';");
  assert.match(typeOnly!, /may not import src\/streams except with `import type`/);
});

test('the layer table has no cycle: nothing imports upward', () => {
  const table = LAYERS as Record<string, { layers: string[]; typeLayers?: string[] }>;
  const edges = (layer: string): string[] =>
    [...table[layer]!.layers, ...(table[layer]!.typeLayers ?? [])].filter((l) => l !== '*');
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (layer: string, path: string[]): void => {
    assert.ok(!visiting.has(layer), `cycle: ${[...path, layer].join(' -> ')}`);
    if (done.has(layer)) return;
    assert.ok(table[layer], `${path.at(-1)} names ${layer}, which has no row`);
    visiting.add(layer);
    for (const next of edges(layer)) visit(next, [...path, layer]);
    visiting.delete(layer);
    done.add(layer);
  };
  for (const layer of Object.keys(table)) visit(layer, []);
});

test('the real source tree passes the layering rule', async () => {
  const results = await eslint.lintFiles(['src/']);
  const found = results.flatMap((r) =>
    r.messages.filter((m) => m.ruleId === 'layers/imports').map((m) => `${r.filePath}:${m.line} ${m.message}`),
  );
  assert.deepEqual(found, []);
});

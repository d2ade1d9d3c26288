import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigView } from '../../src/model/config-view.js';
import { checkValue, checkView, TemplateValueError } from '../../src/render/check-view.js';
import { renderView } from '../../src/render/render-config.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { compileTemplate, TemplateError } from '../../src/render/template.js';
import { nginxTest } from '../support/nginx-check.js';

const server = { address: '10.0.0.1:80', pod: 'web-1', namespace: 'default' };
const view = (over: Partial<ConfigView> = {}): ConfigView => ({
  port: 80,
  workerProcesses: 'auto',
  serverNamesHashBucketSize: 64,
  serverNamesHashMaxSize: 512,
  upstreams: [{ name: 'microservice1', servers: [server, { ...server, address: '[fd00::1]:80', pod: 'web-2' }] }],
  servers: [{
    host: 'a.com',
    locations: [
      { exact: true, path: '/x', upstream: 'microservice1', direct: null, unavailable: false, waiting: [] },
      { exact: false, path: '/x/', upstream: null, direct: server, unavailable: false, waiting: [] },
      { exact: false, path: '/', upstream: null, direct: null, unavailable: true, waiting: [{ pod: 'web-3', namespace: 'default' }] },
    ],
  }],
  ...over,
});

test('templates that could bypass the value check are refused', () => {
  for (const text of ['{{{host}}}', '{{&host}}', '{{> partial}}', '{{#servers}}{{{host}}}{{/servers}}']) {
    assert.throws(() => compileTemplate(text, 'user.mustache'), TemplateError, text);
  }
  assert.throws(() => compileTemplate('{{#a}}', 'broken.mustache'), /cannot be parsed/);
  assert.throws(() => loadTemplate('/nonexistent/template.mustache'), /cannot read template/);
  assert.doesNotThrow(() => compileTemplate('server_name {{host}};', 'ok.mustache'));
});

test('the shipped template renders a view nginx accepts', () => {
  assert.match(renderView(view({ workerProcesses: 2 }), loadTemplate()), /^worker_processes 2;$/m);
  const text = renderView(view(), loadTemplate());
  const verdict = nginxTest(text);
  assert.ok(verdict.ok, verdict.output);
  assert.match(text, /server \[fd00::1\]:80; # Pod web-2 \(default\)/);
  assert.match(text, /# Pod web-3 \(default\) is not ready\n\s+return 503;/);
});

test('every value is checked against the allow-list of its kind', () => {
  const bad: [string, ConfigView][] = [
    ['host', view({ servers: [{ host: 'a.com;', locations: [] }] })],
    ['location path', view({ servers: [{ host: 'a.com', locations: [{ exact: true, path: '/x {', upstream: null, direct: server, unavailable: false, waiting: [] }] }] })],
    ['upstream name', view({ upstreams: [{ name: 'evil;', servers: [server] }] })],
    ['backend address', view({ upstreams: [{ name: 'microservice1', servers: [{ ...server, address: '10.0.0.1:80;' }] }] })],
    ['backend address', view({ upstreams: [{ name: 'microservice1', servers: [{ ...server, address: 'evil.com:80' }] }] })],
    ['pod name', view({ upstreams: [{ name: 'microservice1', servers: [{ ...server, pod: 'web\nreturn 200;' }] }] })],
    ['namespace', view({ upstreams: [{ name: 'microservice1', servers: [{ ...server, namespace: 'a)' }] }] })],
    ['listen port', view({ port: 70000 })],
    ['worker_processes', view({ workerProcesses: 0 })],
  ];
  for (const [kind, v] of bad) {
    assert.throws(() => renderView(v, loadTemplate()), (e: unknown) => e instanceof TemplateValueError && e.message.includes(kind), kind);
  }
});

test('the final net refuses any value that could end a directive, open a block or start a comment', () => {
  for (const value of ['a;b', 'a{', '}', '#', '"', "'", '$x', 'a b', 'a\nb', 'a\tb', '\\', '', 'a\u2028b', 'a\u00a0b']) {
    assert.throws(() => checkValue(value), TemplateValueError, JSON.stringify(value));
  }
  for (const value of ['a.com', '/café', '[fd00::1]:80', '*.a.com', 80]) assert.equal(checkValue(value), String(value));
});

test('checkView accepts what buildView produces', () => {
  assert.doesNotThrow(() => checkView(view()));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import Mustache from 'mustache';
import { checkValue } from '../../src/render/check-view.js';
import { ConfigRenderer } from '../../src/render/config-renderer.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { compileTemplate } from '../../src/render/template.js';

const fresh = (text: string, view: object): string => Mustache.render(text, view, {}, { escape: checkValue });

test('incremental rendering gives exactly what Mustache.render gives, across changing views sharing objects', () => {
  const shipped = loadTemplate();
  const server = (host: string, path: string) => ({
    host,
    locations: [
      {
        exact: false,
        path,
        upstream: null,
        direct: { address: '10.0.0.1:80', pod: 'p', namespace: 'n' },
        unavailable: false,
        waiting: [],
      },
    ],
  });
  const pool = Array.from({ length: 8 }, (_, i) => server(`h${i}.example.com`, i % 2 === 0 ? '/' : `/p${i}`));
  const upstream = { name: 'microservice1', servers: [{ address: '10.0.0.2:80', pod: 'q', namespace: 'n' }] };
  const viewArb = fc.record({
    port: fc.constantFrom(80, 8080),
    serverNamesHashBucketSize: fc.constantFrom(128, 256),
    serverNamesHashMaxSize: fc.constant(512),
    upstreams: fc.subarray([upstream]),
    servers: fc.subarray(pool),
  });
  fc.assert(
    fc.property(fc.array(viewArb, { minLength: 1, maxLength: 6 }), (views) => {
      const renderer = new ConfigRenderer(shipped);
      for (const view of views) assert.equal(renderer.render(view), fresh(shipped.text, view));
    }),
    { seed: 7, numRuns: 200 },
  );
});

test('a section that reads a top-level list from inside its items is rendered afresh every time', () => {
  const template = compileTemplate(
    '{{#servers}}{{host}}:{{#upstreams}}{{name}},{{/upstreams}};{{/servers}}',
    'user.mustache',
  );
  const renderer = new ConfigRenderer(template);
  const servers = [{ host: 'a.com' }];
  assert.equal(renderer.render({ servers, upstreams: [{ name: 'x' }] }), 'a.com:x,;');
  assert.equal(renderer.render({ servers, upstreams: [{ name: 'y' }] }), 'a.com:y,;');
});

test("a change of the view's scalars drops every kept text", () => {
  const template = compileTemplate('{{#servers}}listen {{port}} {{host}};{{/servers}}', 'user.mustache');
  const renderer = new ConfigRenderer(template);
  const servers = [{ host: 'a.com' }];
  assert.equal(renderer.render({ port: 80, servers }), 'listen 80 a.com;');
  assert.equal(renderer.render({ port: 81, servers }), 'listen 81 a.com;');
});

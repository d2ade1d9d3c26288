import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildView, type ConfigView } from '../../src/model/config-view.js';
import { buildRoutingTable } from '../../src/model/routing-table.js';
import { applyEvents, EMPTY_STATE } from '../../src/model/routing-state.js';
import { checkValue, checkView, TemplateValueError } from '../../src/render/check-view.js';
import { renderView } from '../../src/render/render-config.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { compileTemplate, TemplateError } from '../../src/render/template.js';
import { nginxTest } from '../support/nginx-check.js';
import { projected, reduceOptions, TEST_PORT } from '../support/render-pods.js';

const server = { address: '10.0.0.1:80', pod: 'web-1', namespace: 'default' };
const listen = [
  { address: '0.0.0.0:80', ipv6: false },
  { address: '[::]:80', ipv6: true },
];
const view = (over: Partial<ConfigView> = {}): ConfigView => ({
  port: 80,
  listeners: listen,
  clientMaxBodySize: '100m',
  proxyConnectTimeoutSeconds: 5,
  proxyReadTimeoutSeconds: 60,
  proxySendTimeoutSeconds: 60,
  workerProcesses: 'auto',
  serverNamesHashBucketSize: 64,
  serverNamesHashMaxSize: 512,
  dynamic: null,
  upstreams: [{ name: 'microservice1', servers: [server, { ...server, address: '[fd00::1]:80', pod: 'web-2' }] }],
  servers: [
    {
      host: 'a.com',
      listen,
      locations: [
        {
          exact: true,
          pattern: null,
          path: '/x',
          upstream: 'microservice1',
          direct: null,
          route: null,
          unavailable: false,
          waiting: [],
        },
        {
          exact: false,
          path: '/x/',
          pattern: null,
          upstream: null,
          direct: server,
          route: null,
          unavailable: false,
          waiting: [],
        },
        {
          exact: false,
          pattern: null,
          path: '/',
          upstream: null,
          direct: null,
          route: null,
          unavailable: true,
          waiting: [{ pod: 'web-3', namespace: 'default' }],
        },
      ],
    },
  ],
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
  assert.match(text, /listen 0\.0\.0\.0:80;\n\s+listen \[::\]:80;\n\s+server_name a\.com;/);
  assert.match(
    text,
    /listen 0\.0\.0\.0:80 default_server;\n\s+listen \[::\]:80 default_server ipv6only=on;\n\s+return 444;/,
  );
  assert.match(
    text,
    /client_max_body_size 100m;\n\s+proxy_connect_timeout 5s;\n\s+proxy_read_timeout 60s;\n\s+proxy_send_timeout 60s;/,
  );
});

test('every value is checked against the allow-list of its kind', () => {
  const bad: [string, ConfigView][] = [
    ['host', view({ servers: [{ host: 'a.com;', listen, locations: [] }] })],
    [
      'location path',
      view({
        servers: [
          {
            host: 'a.com',
            listen,
            locations: [
              {
                exact: true,
                pattern: null,
                path: '/x {',
                upstream: null,
                direct: server,
                route: null,
                unavailable: false,
                waiting: [],
              },
            ],
          },
        ],
      }),
    ],
    ['upstream name', view({ upstreams: [{ name: 'evil;', servers: [server] }] })],
    [
      'backend address',
      view({ upstreams: [{ name: 'microservice1', servers: [{ ...server, address: '10.0.0.1:80;' }] }] }),
    ],
    [
      'backend address',
      view({ upstreams: [{ name: 'microservice1', servers: [{ ...server, address: 'evil.com:80' }] }] }),
    ],
    ['pod name', view({ upstreams: [{ name: 'microservice1', servers: [{ ...server, pod: 'web\nreturn 200;' }] }] })],
    ['namespace', view({ upstreams: [{ name: 'microservice1', servers: [{ ...server, namespace: 'a)' }] }] })],
    ['listen port', view({ port: 70000 })],
    ['worker_processes', view({ workerProcesses: 0 })],
    ['listen address', view({ listeners: [{ address: '0.0.0.0:80 reuseport', ipv6: false }] })],
    [
      'listen address',
      view({ servers: [{ host: 'a.com', listen: [{ address: 'a.com:80', ipv6: false }], locations: [] }] }),
    ],
    ['client_max_body_size', view({ clientMaxBodySize: '1m; return 200' })],
    ['proxy timeout', view({ proxyReadTimeoutSeconds: 0 })],
  ];
  for (const [kind, v] of bad) {
    assert.throws(
      () => renderView(v, loadTemplate()),
      (e: unknown) => e instanceof TemplateValueError && e.message.includes(kind),
      kind,
    );
  }
});

test('the final net refuses any value that could end a directive, open a block or start a comment', () => {
  for (const value of [
    'a;b',
    'a{',
    '}',
    '#',
    '"',
    "'",
    '$x',
    'a b',
    'a\nb',
    'a\tb',
    '\\',
    '',
    'a\u2028b',
    'a\u00a0b',
  ]) {
    assert.throws(() => checkValue(value), TemplateValueError, JSON.stringify(value));
  }
  for (const value of ['a.com', '/café', '[fd00::1]:80', '*.a.com', 80]) assert.equal(checkValue(value), String(value));
});

test('checkView accepts what buildView produces', () => {
  const web = { hosts: 'shop.example.com *.apps.example.com 10.0.0.9', paths: '80:/ 8080:/api 3000:/caf%C3%A9' };
  const pods = [
    projected({ namespace: 'shop', name: 'web-1', ip: '10.0.0.1', ...web }),
    projected({ namespace: 'shop', name: 'web-2', ip: 'fd00::2', ...web }),
    projected({ namespace: 'blog', name: 'solo', ip: '10.0.1.1', hosts: 'blog.example.org', paths: '80:/' }),
    projected({ namespace: 'wait', name: 'starting', ready: false, hosts: 'wait.example.org', paths: '80:/a/b' }),
  ];
  const state = applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods }], 0, reduceOptions());
  const built = buildView(buildRoutingTable(state, 'host'), { port: TEST_PORT, workerProcesses: 2 });
  // Every kind of value the template prints is in it: upstream servers (IPv4 and IPv6), a direct target, a 503
  // location with a waiting pod, wildcard and IPv4 hosts, a decoded non-ASCII path.
  const locations = built.servers.flatMap((s) => s.locations);
  assert.ok(built.upstreams.some((u) => u.servers.some((x) => x.address === '[fd00::2]:80')));
  assert.ok(locations.some((l) => l.direct !== null) && locations.some((l) => l.unavailable && l.waiting.length === 1));
  assert.deepEqual(
    built.servers.map((s) => s.host).filter((h) => h.startsWith('*') || h === '10.0.0.9'),
    ['*.apps.example.com', '10.0.0.9'],
  );
  assert.ok(locations.some((l) => l.path === '/café'));
  assert.doesNotThrow(() => checkView(built));
  assert.doesNotThrow(() => checkView(view()), 'and the hand-written view the other cases vary');
});

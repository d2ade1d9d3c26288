import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketSize, buildView } from '../../src/model/config-view.js';
import { fnv1a32 } from '../../src/model/fnv.js';
import type { RoutingTable } from '../../src/model/routing-table.js';

test('FNV-1a 32-bit names upstreams as the original project did', () => {
  assert.equal(fnv1a32('test.k8s.local/nodejs'), 1866206336);
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
});

test('server_names_hash_bucket_size holds four of the longest host', () => {
  const cases: [number, number][] = [
    [0, 128],
    [14, 128],
    [15, 256],
    [46, 256],
    [47, 512],
    [110, 512],
    [111, 1024],
    [253, 2048],
  ];
  for (const [length, size] of cases) assert.equal(bucketSize(length), size, `length ${length}`);
});

test('one backend proxies directly, two make an upstream, none answer 503; /p also gets /p/', () => {
  const backend = (name: string, address: string) => ({ name, namespace: 'ns', address });
  const table: RoutingTable = {
    issues: [],
    hosts: [
      {
        host: 'a.com',
        routes: [
          { host: 'a.com', path: '/', location: '/', backends: [backend('x', '10.0.0.1:80')], waiting: [] },
          {
            host: 'a.com',
            path: '/two',
            location: '/two',
            backends: [backend('x', '10.0.0.1:80'), backend('y', '10.0.0.2:80')],
            waiting: [],
          },
          { host: 'a.com', path: '/none', location: '/none', backends: [], waiting: [{ name: 'z', namespace: 'ns' }] },
        ],
      },
    ],
  };
  const view = buildView(table, { port: 8080 });
  const locations = view.servers[0]!.locations.map(
    (l) => `${l.exact ? '= ' : ''}${l.path} ${l.upstream ?? l.direct?.address ?? (l.unavailable ? '503' : '?')}`,
  );
  assert.deepEqual(locations, [
    '/ 10.0.0.1:80',
    `= /two microservice${fnv1a32('a.com/two')}`,
    `/two/ microservice${fnv1a32('a.com/two')}`,
    '= /none 503',
    '/none/ 503',
  ]);
  assert.deepEqual(
    view.upstreams.map((u) => u.servers.map((s) => s.address)),
    [['10.0.0.1:80', '10.0.0.2:80']],
  );
  // Dynamic mode: one block a path, longest first; `path` stays the prefix form, so a template that ignores
  // `pattern` writes `location /two/` (less than the route), never a bare `location /two` (which takes `/twofoo`).
  const dynamic = buildView(table, {
    port: 8080,
    dynamic: { modulesDir: '/m', membersSocket: '/run/m.sock', keepalive: 8, membersBytes: 10 },
  });
  assert.deepEqual(
    dynamic.servers[0]!.locations.map((l) => [l.exact, l.path, l.pattern]),
    [
      [false, '/none/', '/none'],
      [false, '/two/', '/two'],
      [false, '/', null],
    ],
  );
});

test('colliding upstream names are made unique, deterministically', () => {
  // Find two distinct routes whose FNV-1a hashes collide is costly; force it with identical host+path strings
  // split differently across host and path.
  const two = (name: string) => [
    { name, namespace: 'n', address: '10.0.0.1:80' },
    { name: `${name}2`, namespace: 'n', address: '10.0.0.2:80' },
  ];
  const table: RoutingTable = {
    issues: [],
    hosts: [
      { host: 'a.b', routes: [{ host: 'a.b', path: '/c', location: '/c', backends: two('p'), waiting: [] }] },
      { host: 'a.b/c', routes: [{ host: 'a.b/c', path: '', location: '', backends: two('q'), waiting: [] }] },
    ],
  };
  const names = buildView(table, { port: 80 }).upstreams.map((u) => u.name);
  assert.equal(names[1], `${names[0]}-2`);
});

test('FNV-1a hashes the UTF-8 bytes, surrogate pairs and lone surrogates included', () => {
  const reference = (text: string): number => {
    let hash = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    return hash;
  };
  for (const text of ['a.com/café', 'x/日本', 'emoji/😀', 'lone\ud800x', 'end\udc00', ''])
    assert.equal(fnv1a32(text), reference(text), JSON.stringify(text));
});

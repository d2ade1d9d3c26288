import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, readPod } from '../../src/model/pod-record.js';
import { aPod } from '../support/pods.js';

const read = (hosts: string | null, paths: string | null) => readPod(aPod('p', { hosts, paths }));

test('annotations: hosts x paths are read, bad entries become issues and the rest still count', () => {
  const cases: { name: string; hosts: string | null; paths: string | null; expectHosts: string[]; expectPaths: string[]; codes: string[] }[] = [
    { name: 'one host one path', hosts: 'test.k8s.local', paths: '3000:/nodejs', expectHosts: ['test.k8s.local'], expectPaths: ['3000:/nodejs'], codes: [] },
    { name: 'whitespace of every kind separates', hosts: ' a.com\tb.com\nc.com\r\n', paths: '80:/ \n 3000:/nodejs', expectHosts: ['a.com', 'b.com', 'c.com'], expectPaths: ['80:/', '3000:/nodejs'], codes: [] },
    { name: 'hosts are lower-cased', hosts: 'API.Example.COM', paths: '80:/', expectHosts: ['api.example.com'], expectPaths: ['80:/'], codes: [] },
    { name: 'missing hosts', hosts: null, paths: '80:/', expectHosts: [], expectPaths: ['80:/'], codes: ['missing-annotation'] },
    { name: 'empty paths', hosts: 'a.com', paths: '  ', expectHosts: ['a.com'], expectPaths: [], codes: ['missing-annotation'] },
    { name: 'injection in a host next to a good host', hosts: 'a.com;return 200 b.com', paths: '80:/', expectHosts: ['b.com'], expectPaths: ['80:/'], codes: ['invalid-host', 'invalid-host'] },
    { name: 'directive after a newline', hosts: 'a.com\nserver_name evil.com;', paths: '80:/', expectHosts: ['a.com'], expectPaths: ['80:/'], codes: ['invalid-host', 'invalid-host'] },
    { name: 'brace in a path', hosts: 'a.com', paths: '80:/x{ 80:/ok', expectHosts: ['a.com'], expectPaths: ['80:/ok'], codes: ['invalid-path'] },
    { name: 'comment in a path', hosts: 'a.com', paths: '80:/x#y', expectHosts: ['a.com'], expectPaths: [], codes: ['invalid-path'] },
    { name: 'quote in a host', hosts: '"a.com"', paths: '80:/', expectHosts: [], expectPaths: ['80:/'], codes: ['invalid-host'] },
    { name: 'variable in a path', hosts: 'a.com', paths: '80:/$request_uri', expectHosts: ['a.com'], expectPaths: [], codes: ['invalid-path'] },
    { name: 'variable braces', hosts: '${host}', paths: '80:/${x}', expectHosts: [], expectPaths: [], codes: ['invalid-host', 'invalid-path'] },
    { name: 'tab inside an entry splits it', hosts: 'a.com', paths: '80:/a\t/b', expectHosts: ['a.com'], expectPaths: ['80:/a'], codes: ['invalid-entry'] },
    { name: 'nul', hosts: 'a.com\u0000', paths: '80:/\u0000', expectHosts: [], expectPaths: [], codes: ['invalid-host', 'invalid-path'] },
    { name: 'dot-dot and double slash', hosts: 'a.com', paths: '80:/a/../b 80://b 80:/ok', expectHosts: ['a.com'], expectPaths: ['80:/ok'], codes: ['invalid-path', 'invalid-path'] },
    { name: 'port 0, 65536, +80, 080', hosts: 'a.com', paths: '0:/a 65536:/b +80:/c 080:/d 80:/e', expectHosts: ['a.com'], expectPaths: ['80:/e'], codes: ['invalid-port', 'invalid-port', 'invalid-port', 'invalid-port'] },
    { name: 'no colon', hosts: 'a.com', paths: '/nodejs', expectHosts: ['a.com'], expectPaths: [], codes: ['invalid-entry'] },
    { name: 'duplicated entries', hosts: 'a.com a.com A.COM', paths: '80:/x 80:/x 80:/x/', expectHosts: ['a.com'], expectPaths: ['80:/x'], codes: ['duplicate-entry', 'duplicate-entry', 'duplicate-entry', 'duplicate-entry'] },
    { name: 'same path, other port', hosts: 'a.com', paths: '80:/x 81:/x', expectHosts: ['a.com'], expectPaths: ['80:/x'], codes: ['conflicting-port'] },
    { name: 'over-long host', hosts: `${'a'.repeat(64)}.com ok.com`, paths: '80:/', expectHosts: ['ok.com'], expectPaths: ['80:/'], codes: ['invalid-host'] },
    { name: 'over-long path', hosts: 'a.com', paths: `80:/${'p'.repeat(600)}`, expectHosts: ['a.com'], expectPaths: [], codes: ['invalid-path'] },
  ];
  for (const c of cases) {
    const record = read(c.hosts, c.paths);
    assert.deepEqual(record.hosts, c.expectHosts, c.name);
    assert.deepEqual(record.paths.map((p) => `${p.port}:${p.path}`), c.expectPaths, c.name);
    assert.deepEqual(record.issues.map((i) => i.code), c.codes, c.name);
    for (const issue of record.issues) assert.equal(issue.pod, 'default/p', c.name);
  }
});

test('an issue names the entry, quoted so control characters cannot forge log lines', () => {
  const record = read('good.com bad\u001b[31m;', '80:/');
  assert.deepEqual(record.issues.map((i) => i.message), [
    'host "bad\\u001b[31m;" is not a DNS name (letters, digits, "-", dots; optional leading "*.") nor an IPv4 address',
  ]);
});

test('limits: too many entries keep the first ones, an over-long annotation is ignored, both reported', () => {
  const many = Array.from({ length: 150 }, (_, i) => `h${i}.example.com`).join(' ');
  const record = readPod(aPod('p', { hosts: many, paths: '80:/' }), { ...DEFAULT_LIMITS, maxEntries: 100, maxAnnotationLength: 1_000_000 });
  assert.equal(record.hosts.length, 100);
  assert.deepEqual(record.issues.map((i) => i.code), ['too-many-entries']);
  const huge = readPod(aPod('p', { hosts: 'a.com '.repeat(10_000), paths: '80:/' }), { ...DEFAULT_LIMITS, maxEntries: 100, maxAnnotationLength: 16_384 });
  assert.deepEqual(huge.hosts, []);
  assert.deepEqual(huge.issues.map((i) => i.code), ['annotation-too-large']);
});

test('eligibility: claims from every non-terminating pod, backends only when Running, Ready, with an IP', () => {
  const cases: { name: string; overrides: Parameters<typeof aPod>[1]; claims: boolean; address: string | null }[] = [
    { name: 'running and ready', overrides: {}, claims: true, address: '10.0.0.1' },
    { name: 'not ready', overrides: { ready: false }, claims: true, address: null },
    { name: 'pending', overrides: { phase: 'Pending', ip: null, ready: false }, claims: true, address: null },
    { name: 'running without an IP', overrides: { ip: null }, claims: true, address: null },
    { name: 'failed', overrides: { phase: 'Failed', ready: false }, claims: true, address: null },
    { name: 'terminating while still ready', overrides: { deleting: true }, claims: false, address: null },
    { name: 'IPv6 is bracketed', overrides: { ip: 'FD00::7' }, claims: true, address: '[fd00::7]' },
    { name: 'a bogus IP is not dialled', overrides: { ip: '10.0.0.1;' }, claims: true, address: null },
  ];
  for (const c of cases) {
    const record = readPod(aPod('p', c.overrides));
    assert.equal(record.hosts.length > 0, c.claims, c.name);
    assert.equal(record.address, c.address, c.name);
  }
});

test('a pod whose name is not a Kubernetes name claims nothing', () => {
  const record = readPod(aPod('Bad_Name;'));
  assert.deepEqual(record.hosts, []);
  assert.deepEqual(record.issues.map((i) => i.code), ['invalid-pod']);
});

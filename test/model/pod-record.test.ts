import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, readPod } from '../../src/model/pod-record.js';
import { ANNOTATION_CASES } from '../support/model-cases.js';
import { aPod } from '../support/pods.js';

const read = (hosts: string | null, paths: string | null) => readPod(aPod('p', { hosts, paths }));

test('annotations: hosts x paths are read, bad entries become issues and the rest still count', () => {
  const cases = ANNOTATION_CASES;
  for (const c of cases) {
    const record = read(c.hosts, c.paths);
    assert.deepEqual(record.hosts, c.expectHosts, c.name);
    assert.deepEqual(
      record.paths.map((p) => `${p.port}:${p.path}`),
      c.expectPaths,
      c.name,
    );
    assert.deepEqual(
      record.issues.map((i) => i.code),
      c.codes,
      c.name,
    );
    for (const issue of record.issues) assert.equal(issue.pod, 'default/p', c.name);
  }
});

test('an issue names the entry, quoted so control characters cannot forge log lines', () => {
  const record = read('good.com bad\u001b[31m;', '80:/');
  assert.deepEqual(
    record.issues.map((i) => i.message),
    [
      'host "bad\\u001b[31m;" is not a DNS name (letters, digits, "-", dots; optional leading "*.") nor an IPv4 address',
    ],
  );
});

test('limits: too many entries keep the first ones, an over-long annotation is ignored, both reported', () => {
  const many = Array.from({ length: 150 }, (_, i) => `h${i}.example.com`).join(' ');
  const record = readPod(aPod('p', { hosts: many, paths: '80:/' }), {
    ...DEFAULT_LIMITS,
    maxEntries: 100,
    maxAnnotationLength: 1_000_000,
  });
  assert.equal(record.hosts.length, 100);
  assert.deepEqual(
    record.issues.map((i) => i.code),
    ['too-many-entries'],
  );
  const huge = readPod(aPod('p', { hosts: 'a.com '.repeat(10_000), paths: '80:/' }), {
    ...DEFAULT_LIMITS,
    maxEntries: 100,
    maxAnnotationLength: 16_384,
  });
  assert.deepEqual(huge.hosts, []);
  assert.deepEqual(
    huge.issues.map((i) => i.code),
    ['annotation-too-large'],
  );
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
  assert.deepEqual(
    record.issues.map((i) => i.code),
    ['invalid-pod'],
  );
});

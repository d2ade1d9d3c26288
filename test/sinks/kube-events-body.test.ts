import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Issue, IssueCode } from '../../src/model/issue.js';
import { eventBody, eventKey, eventName, eventReason, subjectOf } from '../../src/sinks/kube-events-body.js';

test('reasons are the issue codes in CamelCase', () => {
  const cases: [IssueCode, string][] = [
    ['invalid-host', 'InvalidHost'],
    ['invalid-path', 'InvalidPath'],
    ['invalid-port', 'InvalidPort'],
    ['invalid-entry', 'InvalidEntry'],
    ['duplicate-entry', 'DuplicateEntry'],
    ['conflicting-port', 'ConflictingPort'],
    ['missing-annotation', 'MissingAnnotation'],
    ['too-many-entries', 'TooManyEntries'],
    ['annotation-too-large', 'AnnotationTooLarge'],
    ['host-conflict', 'HostConflict'],
    ['route-conflict', 'RouteConflict'],
    ['invalid-pod', 'InvalidPod'],
  ];
  for (const [code, reason] of cases) assert.equal(eventReason(code), reason, code);
});

test('names: a DNS subdomain of at most 253 characters, the same for the same problem, distinct for others', () => {
  const issue: Issue = { pod: 'ns/web-1', code: 'invalid-host', message: 'm' };
  const cases: { name: string; pod: string; uid?: string; expect: RegExp }[] = [
    { name: 'short name', pod: 'ns/web-1', expect: /^web-1\.[0-9a-f]{16}$/ },
    { name: 'dotted name', pod: 'ns/web.v2', expect: /^web\.v2\.[0-9a-f]{16}$/ },
    { name: 'longest pod name', pod: `ns/${'a'.repeat(253)}`, expect: new RegExp(`^a{236}\\.[0-9a-f]{16}$`) },
    { name: 'cut before a dash', pod: `ns/${'a'.repeat(235)}-b`, expect: new RegExp(`^a{235}\\.[0-9a-f]{16}$`) },
  ];
  for (const c of cases) {
    const subject = subjectOf({ ...issue, pod: c.pod }, c.uid);
    const name = eventName(subject, eventKey({ ...issue, pod: c.pod }, subject));
    assert.match(name, c.expect, c.name);
    assert.ok(name.length <= 253, c.name);
  }
  const subject = subjectOf(issue, 'uid-1');
  const key = eventKey(issue, subject);
  assert.equal(
    eventName(subject, key),
    eventName(subjectOf(issue, 'uid-1'), eventKey({ ...issue }, subject)),
    'deterministic',
  );
  const others = [
    eventKey({ ...issue, message: 'other' }, subject),
    eventKey({ ...issue, code: 'invalid-path' }, subject),
    eventKey(issue, subjectOf(issue, 'uid-2')),
    eventKey(issue, subjectOf(issue, undefined)),
  ];
  for (const other of others) assert.notEqual(eventName(subject, other), eventName(subject, key));
});

test('the subject carries the uid only when known', () => {
  assert.deepEqual(subjectOf({ pod: 'team-a/web-1', code: 'invalid-host', message: '' }, undefined), {
    namespace: 'team-a',
    name: 'web-1',
  });
  assert.deepEqual(subjectOf({ pod: 'team-a/web-1', code: 'invalid-host', message: '' }, 'u'), {
    namespace: 'team-a',
    name: 'web-1',
    uid: 'u',
  });
});

test('long messages are cut to 1 KiB of UTF-8, never inside a character', () => {
  const cases: { name: string; message: string; expectBytes: number | 'same' }[] = [
    { name: 'short', message: 'host "x_y" is not valid', expectBytes: 'same' },
    { name: 'exactly 1024 bytes', message: 'a'.repeat(1024), expectBytes: 'same' },
    { name: 'ascii', message: 'a'.repeat(5000), expectBytes: 1024 },
    { name: 'two-byte characters', message: 'é'.repeat(3000), expectBytes: 1023 },
    { name: 'four-byte characters', message: '😀'.repeat(1000), expectBytes: 1023 },
  ];
  for (const c of cases) {
    const issue: Issue = { pod: 'ns/p', code: 'invalid-host', message: c.message };
    const subject = subjectOf(issue, undefined);
    const message = eventBody(issue, subject, eventKey(issue, subject), 'me', 0).message!;
    if (c.expectBytes === 'same') {
      assert.equal(message, c.message, c.name);
      continue;
    }
    assert.equal(Buffer.byteLength(message, 'utf8'), c.expectBytes, c.name);
    assert.ok(message.endsWith('...'), c.name);
    assert.ok(!message.includes('\uFFFD'), `${c.name}: no broken character`);
    assert.ok(c.message.startsWith(message.slice(0, -3)), `${c.name}: a prefix`);
  }
});

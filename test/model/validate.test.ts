import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkPath,
  isIPv6,
  isLabelValue,
  isQualifiedName,
  isValidHost,
  isValidLocation,
  isValidNamespace,
  isValidPort,
} from '../../src/model/validate.js';
import { ACCEPTED_PATHS, HOST_CASES, PORT_CASES, REFUSED_PATHS } from '../support/model-cases.js';

const long = (n: number, c = 'a'): string => c.repeat(n);

test('hosts: allow-list, full match', () => {
  const cases = HOST_CASES;
  for (const [name, host, expected] of cases)
    assert.equal(isValidHost(host), expected, `${name}: ${JSON.stringify(host)}`);
});

test('ports: digits only, 1-65535, no sign or leading zero', () => {
  const cases = PORT_CASES;
  for (const [port, expected] of cases) assert.equal(isValidPort(port), expected, JSON.stringify(port));
});

test('paths: canonical form, decoded location, or the reason', () => {
  const accepted = ACCEPTED_PATHS;
  for (const [name, raw, path, location] of accepted) {
    assert.deepEqual(checkPath(raw), { path, location }, name);
  }
  const refused = REFUSED_PATHS;
  for (const [name, raw, reason] of refused) {
    const result = checkPath(raw);
    assert.equal(typeof result, 'string', `${name} must be refused`);
    assert.match(result as string, reason, name);
  }
});

test('locations: the decoded forms checkPath produces, nothing else', () => {
  assert.equal(isValidLocation('/café'), true);
  assert.equal(isValidLocation('/nodejs'), true);
  for (const bad of ['/a b', '/a;', '/a\u2028', '/a\u00a0', 'a', '/a/', '//a', '/a/../b', '/a{']) {
    assert.equal(isValidLocation(bad), false, JSON.stringify(bad));
  }
});

test('IPv6 literals', () => {
  const cases: [string, boolean][] = [
    ['fd00::1', true],
    ['::1', true],
    ['::', true],
    ['2001:db8:0:0:0:0:0:1', true],
    ['::ffff:10.0.0.1', true],
    ['fe80::1%eth0', false],
    ['2001:db8::1::2', false],
    ['2001:db8:0:0:0:0:0:0:1', false],
    ['12345::1', false],
    ['FD00::1', false],
    ['gggg::1', false],
    ['', false],
    ['1.2.3.4', false],
  ];
  for (const [ip, expected] of cases) assert.equal(isIPv6(ip), expected, ip);
});

test("label and annotation keys, label values, namespaces: the API server's syntax", () => {
  const keys: [name: string, key: string, ok: boolean][] = [
    ['plain name', 'trafficHosts', true],
    ['prefixed', 'example.com/hosts', true],
    ['kubernetes.io prefix', 'app.kubernetes.io/name', true],
    ['dots, dashes and underscores inside', 'a_b.c-d', true],
    ['63-character name', long(63), true],
    ['64-character name', long(64), false],
    ['253-character prefix', `${long(63)}.${long(63)}.${long(63)}.${long(61)}/x`, true],
    ['254-character prefix', `${long(63)}.${long(63)}.${long(63)}.${long(62)}/x`, false],
    ['empty', '', false],
    ['empty prefix', '/hosts', false],
    ['empty name', 'example.com/', false],
    ['two slashes', 'a/b/c', false],
    ['upper-case prefix', 'Example.com/hosts', false],
    ['name starting with a dash', '-hosts', false],
    ['name ending with a dot', 'hosts.', false],
    ['space', 'traffic hosts', false],
    ['injection', 'hosts;rm', false],
    ['non-ASCII look-alike', 'h\u043ests', false],
  ];
  for (const [name, key, ok] of keys) assert.equal(isQualifiedName(key), ok, name);
  const values: [name: string, value: string, ok: boolean][] = [
    ['empty', '', true],
    ['word', 'true', true],
    ['prefix not allowed', 'a/b', false],
    ['64 characters', long(64), false],
  ];
  for (const [name, value, ok] of values) assert.equal(isLabelValue(value), ok, name);
  const namespaces: [name: string, value: string, ok: boolean][] = [
    ['label', 'team-a', true],
    ['63 characters', long(63), true],
    ['64 characters', long(64), false],
    ['dot', 'team.a', false],
    ['upper case', 'Team', false],
    ['leading dash', '-a', false],
  ];
  for (const [name, value, ok] of namespaces) assert.equal(isValidNamespace(value), ok, name);
});

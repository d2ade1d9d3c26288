import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPath, isIPv6, isLabelValue, isQualifiedName, isValidHost, isValidLocation, isValidNamespace, isValidPort } from '../../src/model/validate.js';

const long = (n: number, c = 'a'): string => c.repeat(n);

test('hosts: allow-list, full match', () => {
  const cases: [string, string, boolean][] = [
    ['plain name', 'test.k8s.local', true],
    ['single label', 'localhost', true],
    ['wildcard', '*.example.com', true],
    ['ipv4 literal', '10.0.0.1', true],
    ['hyphen inside', 'my-app.example.com', true],
    ['punycode', 'xn--bcher-kva.example', true],
    ['63-char label', `${long(63)}.com`, true],
    ['64-char label', `${long(64)}.com`, false],
    ['253 chars', `${long(61)}.${long(61)}.${long(61)}.${long(61)}.com`.slice(0, 253), true],
    ['254 chars', `${long(63)}.${long(63)}.${long(63)}.${long(63)}.com`, false],
    ['upper case (callers lower-case first)', 'Test.k8s.local', false],
    ['empty', '', false],
    ['leading hyphen', '-a.com', false],
    ['trailing hyphen', 'a-.com', false],
    ['trailing dot', 'a.com.', false],
    ['double dot', 'a..com', false],
    ['wildcard in the middle', 'a.*.com', false],
    ['bare wildcard', '*', false],
    ['suffix wildcard', 'example.*', false],
    ['ipv4 look-alike', '1.2.3.999', false],
    ['all-digit tld', 'example.123', false],
    ['semicolon', 'a.com;', false],
    ['brace', 'a.com{', false],
    ['closing brace', '}', false],
    ['comment', 'a.com#x', false],
    ['quote', '"a.com"', false],
    ['single quote', "a.com'", false],
    ['dollar', '$host', false],
    ['variable braces', '${host}', false],
    ['newline', 'a.com\nreturn 200;', false],
    ['tab', 'a.com\tb', false],
    ['nul', 'a.com\u0000', false],
    ['space', 'a.com b', false],
    ['underscore', 'a_b.com', false],
    ['unicode', 'bücher.example', false],
    ['fullwidth dot', 'a\uff0ecom', false],
    ['backslash', 'a\\.com', false],
    ['slash', 'a.com/x', false],
    ['port suffix', 'a.com:80', false],
    ['regex server_name', '~^(.*)$', false],
  ];
  for (const [name, host, expected] of cases) assert.equal(isValidHost(host), expected, `${name}: ${JSON.stringify(host)}`);
});

test('ports: digits only, 1-65535, no sign or leading zero', () => {
  const cases: [string, boolean][] = [
    ['80', true], ['1', true], ['65535', true], ['0', false], ['65536', false], ['+80', false], ['080', false],
    ['-1', false], ['8o', false], ['', false], [' 80', false], ['80 ', false], ['1e3', false], ['0x50', false],
    ['99999999999999999999', false], ['٨٠', false],
  ];
  for (const [port, expected] of cases) assert.equal(isValidPort(port), expected, JSON.stringify(port));
});

test('paths: canonical form, decoded location, or the reason', () => {
  const accepted: [string, string, string, string][] = [
    ['root', '/', '/', '/'],
    ['plain', '/nodejs', '/nodejs', '/nodejs'],
    ['nested', '/api/v1', '/api/v1', '/api/v1'],
    ['trailing slash dropped', '/nodejs/', '/nodejs', '/nodejs'],
    ['unreserved characters', '/a-b_c.d~e', '/a-b_c.d~e', '/a-b_c.d~e'],
    ['dots inside a segment', '/a..b', '/a..b', '/a..b'],
    ['non-ASCII escapes decoded', '/caf%c3%a9', '/caf%C3%A9', '/café'],
  ];
  for (const [name, raw, path, location] of accepted) {
    assert.deepEqual(checkPath(raw), { path, location }, name);
  }
  const refused: [string, string, RegExp][] = [
    ['empty', '', /start with/],
    ['relative', 'nodejs', /start with/],
    ['double slash', '//evil', /"\/\/"/],
    ['double slash inside', '/a//b', /"\/\/"/],
    ['dot-dot segment', '/a/../b', /segments/],
    ['dot segment', '/a/./b', /segments/],
    ['trailing dot-dot', '/a/..', /segments/],
    ['encoded dot-dot', '/%2e%2e/x', /escapes/],
    ['encoded slash', '/a%2Fb', /escapes/],
    ['encoded percent', '/a%25', /escapes/],
    ['encoded nul', '/a%00', /escapes/],
    ['encoded newline', '/a%0Areturn', /escapes/],
    ['overlong utf-8', '/%c0%ae%c0%ae', /escapes/],
    ['lone continuation byte', '/%80', /escapes/],
    ['encoded no-break space', '/a%C2%A0b', /escapes/],
    ['encoded line separator', '/a%E2%80%A8', /escapes/],
    ['bad escape', '/a%zz', /letters, digits/],
    ['semicolon', '/a;b', /letters, digits/],
    ['semicolon dot-dot', '/..;/admin', /letters, digits/],
    ['brace', '/a{', /letters, digits/],
    ['comment', '/a#b', /letters, digits/],
    ['quote', '/a"b', /letters, digits/],
    ['dollar', '/$uri', /letters, digits/],
    ['space', '/a b', /letters, digits/],
    ['newline', '/a\nb', /letters, digits/],
    ['tab', '/a\tb', /letters, digits/],
    ['nul', '/a\u0000', /letters, digits/],
    ['query', '/a?b=c', /letters, digits/],
    ['regex', '~ ^/a', /start with/],
    ['unicode raw', '/café', /letters, digits/],
    ['too long', `/${long(512)}`, /longer than 512/],
  ];
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
    ['fd00::1', true], ['::1', true], ['::', true], ['2001:db8:0:0:0:0:0:1', true], ['::ffff:10.0.0.1', true],
    ['fe80::1%eth0', false], ['2001:db8::1::2', false], ['2001:db8:0:0:0:0:0:0:1', false], ['12345::1', false],
    ['FD00::1', false], ['gggg::1', false], ['', false], ['1.2.3.4', false],
  ];
  for (const [ip, expected] of cases) assert.equal(isIPv6(ip), expected, ip);
});

test('label and annotation keys, label values, namespaces: the API server\'s syntax', () => {
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

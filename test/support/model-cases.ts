// The model's validation tables: valid and hostile values with the verdicts the model gives them. Shared by the model
// tests (test/model/validate.test.ts, pod-record.test.ts) and the admission policy test, which runs every value
// through deploy/admission-policy.yaml too, so the two cannot drift apart.

const long = (n: number, c = 'a'): string => c.repeat(n);

/** Hosts as `isValidHost` judges them (already lower-cased by the caller), case name first. */
export const HOST_CASES: readonly [name: string, host: string, valid: boolean][] = [
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

/** Ports as `isValidPort` judges them. */
export const PORT_CASES: readonly [port: string, valid: boolean][] = [
  ['80', true], ['1', true], ['65535', true], ['0', false], ['65536', false], ['+80', false], ['080', false],
  ['-1', false], ['8o', false], ['', false], [' 80', false], ['80 ', false], ['1e3', false], ['0x50', false],
  ['99999999999999999999', false], ['٨٠', false],
];

/** Paths `checkPath` accepts, with their canonical and decoded forms. */
export const ACCEPTED_PATHS: readonly [name: string, raw: string, path: string, location: string][] = [
  ['root', '/', '/', '/'],
  ['plain', '/nodejs', '/nodejs', '/nodejs'],
  ['nested', '/api/v1', '/api/v1', '/api/v1'],
  ['trailing slash dropped', '/nodejs/', '/nodejs', '/nodejs'],
  ['unreserved characters', '/a-b_c.d~e', '/a-b_c.d~e', '/a-b_c.d~e'],
  ['dots inside a segment', '/a..b', '/a..b', '/a..b'],
  ['non-ASCII escapes decoded', '/caf%c3%a9', '/caf%C3%A9', '/café'],
];

/** Paths `checkPath` refuses, with the reason it gives. */
export const REFUSED_PATHS: readonly [name: string, raw: string, reason: RegExp][] = [
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

/** Whole annotation values as `readPod` reads them: accepted hosts and paths, and the issue codes. */
export const ANNOTATION_CASES: readonly { name: string; hosts: string | null; paths: string | null; expectHosts: string[]; expectPaths: string[]; codes: string[] }[] = [
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


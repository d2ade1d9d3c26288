/**
 * Hostile annotation values: the configuration-injection payloads published against ingress-nginx (snippet
 * annotations CVE-2021-25742, CVE-2023-5043/5044, IngressNightmare auth-url / auth-tls-match-cn / mirror CVE-2025-24514,
 * -1097, -1098, -1974, path-field injection), rewritten for our two annotations, plus traversal and encoding tricks.
 * Written for this project; no payload is copied.
 */
import type { IssueCode } from '../../src/model/issue.js';

/** One value that must be refused as a single entry, with the code it must be refused with. */
export interface SinglePayload {
  readonly name: string;
  readonly annotation: 'hosts' | 'paths';
  /** Contains no ASCII whitespace, so it is one entry. */
  readonly entry: string;
  readonly code: IssueCode;
}

const host = (name: string, entry: string): SinglePayload => ({
  name,
  annotation: 'hosts',
  entry,
  code: 'invalid-host',
});
const path = (name: string, entry: string): SinglePayload => ({
  name,
  annotation: 'paths',
  entry,
  code: 'invalid-path',
});
const port = (name: string, entry: string): SinglePayload => ({
  name,
  annotation: 'paths',
  entry,
  code: 'invalid-port',
});
const bare = (name: string, entry: string): SinglePayload => ({
  name,
  annotation: 'paths',
  entry,
  code: 'invalid-entry',
});

/** Single-entry payloads: each must yield exactly one Issue naming it, and must not reach the config. */
export const SINGLE_PAYLOADS: readonly SinglePayload[] = [
  host('directive terminator', 'evil.example;'),
  host('terminator then directive', 'evil.example;ssl_engine'),
  host('closing brace', 'evil.example}'),
  host('closing braces then server block', 'a.example;}}server{listen'),
  host('opening brace', 'evil.example{'),
  host('comment inside', 'evil.example#'),
  host('comment first', '#evil.example'),
  host('double quotes', '"evil.example"'),
  host('single quotes', "'evil.example'"),
  host('nginx variable', '$host'),
  host('braced variable', '${http_host}'),
  host('backslash escape', 'evil.example\\;'),
  host('regex server name', '~^(?<sub>.+)\\.example\\.com$'),
  host('leading-dot wildcard', '.example.com'),
  host('bare star', '*'),
  host('catch-all underscore', '_'),
  host('listen flag', 'default_server'),
  host('trailing dot', 'shop.example.com.'),
  host('double wildcard', '*.*.example.com'),
  host('inner wildcard', 'shop.*.example.com'),
  host('trailing wildcard', 'shop.example.*'),
  host('leading hyphen', '-shop.example.com'),
  host('trailing hyphen', 'shop-.example.com'),
  host('empty label', 'shop..example.com'),
  host('label over 63', `${'a'.repeat(64)}.example.com`),
  host('name over 253', `${'abcdefghi.'.repeat(25)}example.com`),
  host('host with port', 'shop.example.com:80'),
  host('host with user', 'admin@shop.example.com'),
  host('host with path', 'shop.example.com/admin'),
  host('percent-encoded host', '%73hop.example.com'),
  host('IPv4 octet over 255', '10.0.0.256'),
  host('IPv4 look-alike', '1.2.3.999'),
  host('IPv4 leading zero', '010.0.0.1'),
  host('IPv6 literal', '[::1]'),
  host('IPv6 bare', '::1'),
  host('underscore label', 'ssl_engine.example.com'),
  host('Cyrillic a', 'sh\u043ep.example.com'),
  host('dotless i', 'adm\u0131n.example.com'),
  host('dotted capital I', '\u0130nfo.example.com'),
  host('Kelvin sign (lower-cases to k in Unicode)', '\u212Aube.example.com'),
  host('fullwidth full stop', 'shop\uFF0Eexample.com'),
  host('ideographic full stop', 'shop\u3002example.com'),
  host('fullwidth solidus', 'shop.example.com\uFF0Fadmin'),
  host('zero-width joiner', 'sh\u200Dop.example.com'),
  host('zero-width space', 'shop\u200B.example.com'),
  host('right-to-left override', '\u202Emoc.elpmaxe.pohs'),
  host('right-to-left mark', 'shop.example.com\u200F'),
  host('line separator', 'shop.example.com\u2028load_module'),
  host('paragraph separator', 'shop.example.com\u2029'),
  host('no-break space', 'shop.example.com\u00A0x'),
  host('byte order mark', '\uFEFFshop.example.com'),
  host('NUL', 'shop.example.com\u0000'),
  host('vertical tab (not an annotation separator)', 'shop.example.com\u000Bx'),
  host('form feed', 'shop.example.com\u000Cx'),
  host('DEL', 'shop.example.com\u007F'),
  host('emoji', '\u{1F600}.example.com'),
  host('lone surrogate', 'shop\uD800.example.com'),
  host('Unicode host (not punycode)', 'b\u00FCcher.example'),
  path('directive terminator', '80:/x;'),
  path('terminator then directive', '80:/x;ssl_engine'),
  path('closing brace', '80:/x}'),
  path('opening brace', '80:/x{'),
  path('comment', '80:/#'),
  path('double quote', '80:/x"'),
  path('single quote', "80:/x'"),
  path('nginx variable', '80:/$uri'),
  path('braced variable', '80:/${request_uri}'),
  path('backslash', '80:/x\\'),
  path('Lua block', '80:/x;content_by_lua_block{os.execute("id")}'),
  path('load_module', '80:/x;load_module/tmp/evil.so;'),
  path('include', '80:/x;include/etc/passwd;'),
  path('alias (CVE-2023-5044 style)', '80:/leak{alias/var/run/secrets/;}'),
  path('dot-dot', '80:/..'),
  path('dot-dot inside', '80:/a/../admin'),
  path('dot segment', '80:/./admin'),
  path('dot segment at end', '80:/admin/.'),
  path('dot-dot-semicolon (Tomcat/Spring)', '80:/public/..;/admin'),
  path('encoded dot-dot', '80:/%2e%2e'),
  path('encoded dot-dot upper', '80:/%2E%2E/admin'),
  path('encoded traversal', '80:/%2e%2e%2fetc%2fpasswd'),
  path('encoded dot', '80:/%2e/admin'),
  path('encoded slash', '80:/a%2Fb'),
  path('encoded backslash', '80:/a%5cb'),
  path('encoded percent (double encoding)', '80:/%252e%252e'),
  path('encoded NUL', '80:/x%00'),
  path('encoded CRLF', '80:/x%0d%0aX-Injected:1'),
  path('encoded semicolon', '80:/x%3bssl_engine'),
  path('encoded brace', '80:/x%7d'),
  path('encoded space', '80:/x%20y'),
  path('overlong dot (2 bytes)', '80:/%c0%ae%c0%ae'),
  path('overlong slash (2 bytes)', '80:/%c0%af'),
  path('overlong dot (3 bytes)', '80:/%e0%80%ae'),
  path('invalid UTF-8 byte', '80:/%ff'),
  path('truncated UTF-8', '80:/%c3'),
  path('encoded surrogate', '80:/%ed%a0%80'),
  path('encoded right-to-left override', '80:/%e2%80%ae'),
  path('encoded line separator', '80:/%e2%80%a8'),
  path('encoded zero-width joiner', '80:/%e2%80%8d'),
  path('encoded byte order mark', '80:/%ef%bb%bf'),
  path('encoded no-break space', '80:/%c2%a0'),
  path('encoded NEL', '80:/%c2%85'),
  path('incomplete escape', '80:/x%'),
  path('short escape', '80:/x%4'),
  path('non-hex escape', '80:/x%zz'),
  path('raw non-ASCII', '80:/caf\u00E9'),
  path('raw fullwidth solidus', '80:/a\uFF0Fb'),
  path('raw line separator', '80:/a\u2028b'),
  path('raw NUL', '80:/a\u0000b'),
  path('double slash', '80://evil'),
  path('double slash inside', '80:/a//b'),
  path('query string', '80:/x?debug=1'),
  path('fragment', '80:/x#frag'),
  path('relative path', '80:admin'),
  path('regex location', '80:~^/admin'),
  path('exact-match modifier', '80:=/admin'),
  path('named location', '80:@fallback'),
  path('empty path', '80:'),
  path('over 512 characters', `80:/${'a'.repeat(600)}`),
  path('asterisk', '80:/admin*'),
  path('parentheses', '80:/x()'),
  path('plus and comma', '80:/a+b,c'),
  path('pipe', '80:/a|b'),
  path('at sign', '80:/a@b'),
  path('equals and ampersand', '80:/a=b&c'),
  path('colon in path', '80:/a:b'),
  port('port zero', '0:/x'),
  port('port over 65535', '65536:/x'),
  port('port with leading zero', '080:/x'),
  port('negative port', '-1:/x'),
  port('signed port', '+80:/x'),
  port('port with letters', '80a:/x'),
  port('empty port', ':/x'),
  port('hex port', '0x50:/x'),
  port('exponent port', '1e3:/x'),
  port('fullwidth digits', '\uFF18\uFF10:/x'),
  port('Arabic-Indic digits', '\u0668\u0660:/x'),
  port('port with terminator', '80;:/x'),
  port('port with variable', '$server_port:/x'),
  port('huge port', '99999999999999999999:/x'),
  bare('no colon', '/admin'),
  bare('directive word', 'load_module'),
  bare('Lua directive', 'content_by_lua_block'),
  bare('include', 'include'),
  bare('lone terminator', ';'),
  bare('lone brace', '}'),
];

/** A multi-line payload in the style of a published exploit; whitespace splits it into several entries. */
export interface MultiPayload {
  readonly name: string;
  readonly annotation: 'hosts' | 'paths';
  readonly value: string;
}

/** Published-style payloads, newline- and `;`/`}`-terminated, adapted to the hosts and paths annotations. */
export const MULTI_PAYLOADS: readonly MultiPayload[] = [
  {
    name: 'auth-url style: close blocks, load an engine',
    annotation: 'hosts',
    value: 'shop.example.com;\n}\n}\n}\nssl_engine /tmp/evil.so;\n#',
  },
  {
    name: 'auth-tls-match-cn style',
    annotation: 'hosts',
    value: 'CN=shop #(\n){}\n }}}\n ssl_engine ../../../../proc/self/fd/42;\n #',
  },
  {
    name: 'mirror-target style',
    annotation: 'hosts',
    value: 'x;\n}\nload_module /tmp/evil.so;\nserver { listen 9999; }\n#',
  },
  {
    name: 'server-snippet style: extra server',
    annotation: 'hosts',
    value:
      'shop.example.com;\n  }\n  server {\n    listen 8080;\n    root /;\n    autoindex on;\n  }\n  server {\n    server_name x',
  },
  {
    name: 'configuration-snippet with Lua (CVE-2021-25742 style)',
    annotation: 'paths',
    value:
      '80:/x;\n  content_by_lua_block {\n    ngx.say(io.popen("cat /var/run/secrets/kubernetes.io/serviceaccount/token"):read("*a"))\n  }\n#',
  },
  {
    name: 'permanent-redirect style (CVE-2023-5044)',
    annotation: 'paths',
    value:
      '80:/x;\n}\nlocation ~* ^/leak {\n  alias /var/run/secrets/kubernetes.io/serviceaccount/;\n}\nlocation /y {\n#',
  },
  {
    name: 'configuration-snippet headers (CVE-2023-5043)',
    annotation: 'paths',
    value: '80:/;\n proxy_set_header Host evil.example;\n include /etc/nginx/*.conf;\n error_log /dev/stdout debug;',
  },
  {
    name: 'path-field injection',
    annotation: 'paths',
    value: '80:/x {\n  return 200 "$http_authorization";\n}\nlocation /y',
  },
  { name: 'CRLF-separated directives', annotation: 'paths', value: '80:/x;\r\nload_module\r\n/tmp/x.so;\r\n' },
  {
    name: 'variables and expansions',
    annotation: 'paths',
    value: '80:/$host 80:/${uri} 80:/x$request_uri 80:/{{port}}',
  },
];

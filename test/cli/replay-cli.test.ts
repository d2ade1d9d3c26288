import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';
import { nginxTest } from '../support/nginx-check.js';

const DEMO = 'examples/nodejs-k8s-env.ndjson';

test('the README demo: --last prints one config with the three pods, the /nodejs locations and the 444 server', () => {
  // Static mode: the pods are upstream servers in the config itself.
  const { status, stdout, stderr } = runCli(['replay', DEMO, '--last', '--backends', 'static']);
  assert.equal(status, 0, stderr);
  assert.doesNotMatch(stdout, /^# (config|members)/m, '--last prints nothing but the config');
  assert.match(
    stdout,
    /upstream microservice1866206336 \{\n(\s+server 10\.244\.\d+\.\d+:3000; # Pod nodejs-k8s-env-\w+ \(default\)\n){3}\s+\}/,
  );
  assert.match(stdout, /server_name test\.k8s\.local;/);
  assert.match(stdout, /location = \/nodejs \{/);
  assert.match(stdout, /location \/nodejs\/ \{/);
  assert.match(
    stdout,
    /listen 0\.0\.0\.0:80 default_server;\n(\s+listen \[::\]:80 default_server ipv6only=on;\n)?\s+return 444;/,
  );
  const verdict = nginxTest(stdout);
  assert.ok(verdict.ok, verdict.output);
});

test('the README demo in dynamic mode (the default): --last prints the config, then its members as comment lines', () => {
  const { status, stdout, stderr } = runCli(['replay', DEMO, '--last']);
  assert.equal(status, 0, stderr);
  assert.doesNotMatch(stdout, /^# config/m, '--last prints no config header');
  assert.doesNotMatch(stdout, /upstream microservice/, 'no pod in the config');
  assert.match(
    stdout,
    /location ~ \^\/nodejs\(\?:\/\|\\z\) \{\n\s+set \$k8s_route microservice1866206336;\n\s+proxy_pass http:\/\/k8s_pods_ingress;/,
  );
  const members = stdout.slice(stdout.lastIndexOf('}\n') + 2);
  assert.match(
    members,
    /^# members 1 sha256:[0-9a-f]{16} routes=1 backends=3\n# microservice1866206336 test\.k8s\.local \/nodejs( 10\.244\.\d+\.\d+:3000\(nodejs-k8s-env-\w+ default\)){3}\n$/,
  );
  const verdict = nginxTest(stdout);
  assert.ok(verdict.ok, `still a valid nginx.conf: ${verdict.output}`);
});

test('without --last each config starts with a "# config N" header; --stats goes to stderr', () => {
  const { status, stdout, stderr } = runCli([
    'replay',
    DEMO,
    '--stats',
    '--log-level',
    'error',
    '--backends',
    'static',
  ]);
  assert.equal(status, 0, stderr);
  assert.deepEqual(stdout.match(/^# (config|members) \d+/gm), ['# config 1', '# config 2', '# config 3']);
  assert.match(stderr, /events=7 batches=\d+ configs=3 bad_lines=0 seconds=[\d.]+ events_per_second=\d+/);
});

test('dynamic mode prints a config only when its text changes, and a members block after each change of members', () => {
  const { status, stdout, stderr } = runCli(['replay', DEMO, '--log-level', 'error']);
  assert.equal(status, 0, stderr);
  // The pods start, turn ready and scale to three: one structure, four memberships (the second: a pod waiting).
  assert.deepEqual(stdout.match(/^# (config|members) \d+/gm), [
    '# config 1',
    '# members 1',
    '# members 2',
    '# members 3',
    '# members 4',
  ]);
  const blocks = stdout
    .split(/^(?=# members )/m)
    .slice(1)
    .map((block) => block.trim().split('\n'));
  assert.deepEqual(
    blocks.map((lines) => lines.length),
    [2, 2, 2, 2],
    'a header and one route per block',
  );
  assert.match(blocks[1]![1]!, / waiting\(nodejs-k8s-env-\w+ default\)$/);
  assert.match(blocks[3]![0]!, /routes=1 backends=3$/);
});

test('settings come from flags and the environment, a flag winning', () => {
  const viaEnv = runCli(['replay', DEMO, '--last'], { K8S_PODS_INGRESS_PORT: '8080' });
  assert.match(viaEnv.stdout, /listen 0\.0\.0\.0:8080;/);
  const viaFlag = runCli(['replay', DEMO, '--last', '--port=9090'], { K8S_PODS_INGRESS_PORT: '8080' });
  assert.match(viaFlag.stdout, /listen 0\.0\.0\.0:9090;/);
  const otherAnnotation = runCli(['replay', DEMO, '--last'], {
    K8S_PODS_INGRESS_HOSTS_ANNOTATION: 'example.com/hosts',
  });
  assert.doesNotMatch(otherAnnotation.stdout, /server_name test/);
  const otherSelector = runCli(['replay', DEMO, '--last', '--selector', 'app=other']);
  assert.doesNotMatch(otherSelector.stdout, /upstream microservice|set \$k8s_route|^# microservice/m);
});

test('a malformed line is reported with its number and the exit status is 1, the rest still replayed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const file = join(dir, 'bad.ndjson');
  writeFileSync(file, `{"type":"ADDED"\n${'{"type":"BOOKMARK","object":{}}'}\n`);
  const { status, stdout, stderr } = runCli(['replay', file, '--last']);
  assert.equal(status, 1);
  assert.match(stderr, /"line":1/);
  assert.match(stdout, /return 444;/);
});

test('usage errors: one clear message and exit 2', () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['replay', 'no/such/file.ndjson'], {}, /replay file no\/such\/file\.ndjson does not exist/],
    [['replay'], {}, /replay needs exactly one FILE/],
    [['replay', DEMO, '--frobnicate'], {}, /unknown flag --frobnicate for "replay"/],
    [
      ['replay', DEMO, '--port', 'eighty'],
      {},
      /--port: "eighty" is not accepted: the port must be a whole number from 1 to 65535/,
    ],
    [
      ['replay', DEMO],
      { K8S_PODS_INGRESS_LOG_LEVEL: 'loud' },
      /K8S_PODS_INGRESS_LOG_LEVEL: "loud" is not accepted: accepted values are error, warn, info/,
    ],
    [['replay', DEMO], { K8S_PODS_INGRESS_WINDOW_MS: '-5' }, /K8S_PODS_INGRESS_WINDOW_MS/],
    [
      ['replay', DEMO],
      { K8S_PODS_INGRESS_ROUTABLE_LABEL_SELECTOR: 'a in (b' },
      /ROUTABLE_LABEL_SELECTOR: .* unbalanced/,
    ],
    [['replay', DEMO, '--template', '/no/such.mustache'], {}, /cannot read template \/no\/such\.mustache/],
  ];
  for (const [args, env, message] of cases) {
    const { status, stderr, stdout } = runCli(args, env);
    assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message, args.join(' '));
    assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
    assert.equal(stdout, '');
  }
});

test('--help lists every setting of the command with its flag, variable and default', () => {
  const { status, stdout } = runCli(['replay', '--help']);
  assert.equal(status, 0);
  for (const fragment of [
    '--selector SELECTOR',
    'ROUTABLE_LABEL_SELECTOR',
    'default microservice=true',
    '--last',
    '--out DIR',
    '--stats',
    'PORT',
    'WINDOW_MS',
    'TEMPLATE',
    'LOG_LEVEL',
    'HOSTS_ANNOTATION',
    'PATHS_ANNOTATION',
  ]) {
    assert.ok(stdout.includes(fragment), fragment);
  }
});

test('a user template is used, and one that bypasses the value check is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const mine = join(dir, 'mine.mustache');
  writeFileSync(
    mine,
    'events {}\nhttp {\n{{#servers}}  server { listen {{port}}; server_name {{host}}; return 200; }\n{{/servers}}}\n',
  );
  const ok = runCli(['replay', DEMO, '--last', '--template', mine, '--backends', 'static']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, 'events {}\nhttp {\n  server { listen 80; server_name test.k8s.local; return 200; }\n}\n');
  const dynamic = runCli(['replay', DEMO, '--last', '--template', mine]);
  assert.match(
    dynamic.stdout,
    /^events \{\}\nhttp \{\n {2}server \{ listen 80; server_name test\.k8s\.local; return 200; \}\n\}\n# members 1 .*\n# microservice1866206336 /,
  );
  const sneaky = join(dir, 'sneaky.mustache');
  writeFileSync(sneaky, 'server_name {{{host}}};');
  const refused = runCli(['replay', DEMO, '--last', '--template', sneaky]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /unchecked output/);
});

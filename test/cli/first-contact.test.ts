// What a new user trips over first, through the real CLI: mistyped commands, switches and values, old variable
// names, --help and --version, a config file the program did not write, busy ports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_NGINX_CONF, parseInvocation } from '../../src/settings.js';
import { ROOT, runCli } from '../support/cli.js';
import { NGINX } from '../support/nginx-check.js';

const DEMO = 'examples/nodejs-k8s-env.ndjson';
// Nothing listens on port 9 (discard): a run that got as far as connecting would retry for ever, not exit.
const NO_API = { KUBE_HOST: 'http://127.0.0.1:9' };

test('usage errors exit 2 with one line saying what to fix, and never start the controller', () => {
  const dir = mkdtempSync(join(tmpdir(), 'first-contact-'));
  const cases: { name: string; args: string[]; message: RegExp }[] = [
    {
      name: 'mistyped command',
      args: ['replya', DEMO],
      message: /unknown command "replya": the commands are run, replay, record/,
    },
    {
      name: 'npm start -- replay FILE',
      args: ['run', 'replay', DEMO],
      message: /unexpected argument "replay": run takes no arguments \(the commands are run, replay, record/,
    },
    {
      name: 'stray argument of record',
      args: ['record', '--out', join(dir, 'r.ndjson'), 'extra'],
      message: /unexpected argument "extra": record takes no arguments/,
    },
    {
      name: 'a switch given a separate false',
      args: ['run', '--events', 'false'],
      message: /--events takes no separate value: write --events=false, or --no-events/,
    },
    {
      name: '--last false',
      args: ['replay', DEMO, '--last', 'false'],
      message: /--last takes no separate value: write --last=false/,
    },
    {
      name: 'a switch given another value',
      args: ['replay', DEMO, '--last=yes'],
      message: /--last=yes: a switch takes --last, --no-last or --last=true\|false/,
    },
    {
      name: 'a value that looks like a flag',
      args: ['replay', '--out', '--last', DEMO],
      message: /flag --out needs a value \(DIR\), not the flag-like "--last"/,
    },
    { name: 'a missing value', args: ['replay', DEMO, '--window'], message: /flag --window needs a value \(MS\)/ },
    {
      name: 'two files',
      args: ['replay', DEMO, DEMO],
      message: /replay needs exactly one FILE \(or - for standard input\)/,
    },
    { name: 'a short flag', args: ['replay', DEMO, '-x'], message: /unknown flag -x for "replay"/ },
    {
      name: 'a flag of another command',
      args: ['replay', DEMO, '--sink', 'stdout'],
      message: /unknown flag --sink for "replay" \(it belongs to another command\)/,
    },
  ];
  for (const c of cases) {
    const { status, stdout, stderr } = runCli(c.args, NO_API);
    assert.equal(status, 2, `${c.name}: ${stderr}`);
    assert.match(stderr, c.message, c.name);
    assert.equal(stderr.trim().split('\n').length, 1, `${c.name}: one line: ${stderr}`);
    assert.equal(stdout, '', c.name);
  }
  assert.ok(!existsSync(join(ROOT, '--last')), 'no directory named --last');
});

test('switches: --x, --no-x and --x=true|false', () => {
  const cases: [string[], boolean][] = [
    [[], false],
    [['--last'], true],
    [['--last=true'], true],
    [['--last=false'], false],
    [['--no-last'], false],
    [['--last', '--no-last'], false],
  ];
  for (const [flags, last] of cases)
    assert.equal(parseInvocation(['replay', 'f', ...flags], {}).settings.last, last, flags.join(' '));
  assert.equal(parseInvocation(['run', '--no-events'], {}).settings.postEvents, false);
});

test('settings are read under K8S_PODS_INGRESS_; an old name that is set is ignored, with a warning naming the new one', () => {
  const old = runCli(['replay', DEMO, '--last'], { PORT: '3000' });
  assert.equal(old.status, 0, old.stderr);
  assert.match(old.stdout, /listen 0\.0\.0\.0:80;/);
  assert.doesNotMatch(old.stdout, /listen \S*:3000/);
  assert.match(
    old.stderr,
    /the environment variable PORT is ignored: the setting is now read from K8S_PODS_INGRESS_PORT/,
  );
  const renamed = runCli(['replay', DEMO, '--last'], { K8S_PODS_INGRESS_PORT: '3000' });
  assert.match(renamed.stdout, /listen 0\.0\.0\.0:3000;/);
  assert.equal(renamed.stderr, '');
  const link = runCli(['replay', DEMO], { K8S_PODS_INGRESS_PORT: 'tcp://10.0.0.1:80' });
  assert.equal(link.status, 2);
  assert.match(link.stderr, /a Kubernetes service link: set enableServiceLinks: false/);
});

test("--help lists the commands; a command's --help its flags, kinds of value, variables and defaults, in 100 columns", () => {
  for (const args of [['--help'], ['help'], ['-h']]) {
    const top = runCli(args);
    assert.equal(top.status, 0, args.join(' '));
    for (const command of ['run', 'replay', 'record'])
      assert.match(top.stdout, new RegExp(`^  ${command} +\\w`, 'm'), `${args.join(' ')}: ${command}`);
  }
  for (const command of ['run', 'replay', 'record']) {
    const { status, stdout } = runCli([command, '--help']);
    assert.equal(status, 0);
    assert.match(stdout, new RegExp(`^usage: k8s-pods-ingress ${command}`));
    for (const line of stdout.split('\n'))
      assert.ok(line.length <= 100, `${command} --help: ${line.length} columns: ${line}`);
  }
  const replay = runCli(['help', 'replay']).stdout;
  for (const fragment of [
    '--out DIR',
    '--window MS',
    '--template FILE',
    '--last, --no-last',
    'env K8S_PODS_INGRESS_WINDOW_MS, default 2000',
    '--max-line-bytes SIZE',
  ]) {
    assert.ok(replay.includes(fragment), fragment);
  }
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.deepEqual(runCli(['--version']), { status: 0, stdout: `k8s-pods-ingress ${version}\n`, stderr: '' });
  const fuzz = spawnSync('npm', ['run', 'fuzz', '--', '--help'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(fuzz.status, 0, fuzz.stderr);
  assert.match(fuzz.stdout, /usage: npm run fuzz -- \[--seed N\]/);
});

test("NGINX_CONF defaults to the product's own directory, and a file the program did not write is not replaced", () => {
  assert.equal(parseInvocation(['run'], {}).settings.nginxConf, DEFAULT_NGINX_CONF);
  assert.equal(DEFAULT_NGINX_CONF, '/var/run/k8s-pods-ingress/nginx.conf');
  const dir = mkdtempSync(join(tmpdir(), 'first-contact-'));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, 'user www-data;\nevents {}\n');
  for (const sink of ['file', 'nginx']) {
    const { status, stderr } = runCli(
      ['run', '--sink', sink, '--nginx-conf', conf, '--nginx-bin', NGINX, '--http-port', '0'],
      NO_API,
    );
    assert.equal(status, 2, stderr);
    assert.match(
      stderr,
      /exists and was not written by k8s-pods-ingress .*: refusing to replace it; choose another --nginx-conf, or pass --overwrite-nginx-conf/,
    );
    assert.equal(readFileSync(conf, 'utf8'), 'user www-data;\nevents {}\n', 'left as it was');
  }
  const deep = join(dir, 'a', 'b', 'nginx.conf');
  const made = runCli(
    ['run', '--sink', 'nginx', '--nginx-conf', deep, '--nginx-bin', '/no/such/nginx', '--http-port', '0'],
    NO_API,
  );
  assert.equal(made.status, 2);
  assert.ok(existsSync(join(dir, 'a', 'b')), 'the directory of NGINX_CONF is created');
});

async function occupy(host: string): Promise<Server & { port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return Object.assign(server, { port: (server.address() as { port: number }).port });
}

test('a busy admin port or nginx port at start: one line and exit 2', async () => {
  const busy = await occupy('127.0.0.1');
  try {
    const dir = mkdtempSync(join(tmpdir(), 'first-contact-'));
    const admin = runCli(['run', '--http-port', String(busy.port), '--http-address', '127.0.0.1'], NO_API);
    assert.equal(admin.status, 2, admin.stderr);
    assert.match(
      admin.stderr,
      new RegExp(
        `^k8s-pods-ingress: cannot serve /healthz, /readyz and /metrics on 127\\.0\\.0\\.1:${busy.port}: EADDRINUSE`,
        'm',
      ),
    );
    const nginx = runCli(
      [
        'run',
        '--sink',
        'nginx',
        '--nginx-bin',
        NGINX,
        '--nginx-conf',
        join(dir, 'nginx.conf'),
        '--port',
        String(busy.port),
        '--listen',
        '127.0.0.1',
        '--http-port',
        '0',
      ],
      NO_API,
    );
    assert.equal(nginx.status, 2, nginx.stderr);
    assert.equal(
      nginx.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('k8s-pods-ingress:')).length,
      1,
    );
    assert.match(
      nginx.stderr,
      new RegExp(
        `k8s-pods-ingress: nginx cannot listen on 127\\.0\\.0\\.1:${busy.port}: the port is in use by another program; choose another --port`,
      ),
    );
    assert.doesNotMatch(nginx.stderr, /\n\s+at /, 'no stack');
  } finally {
    busy.close();
  }
});

test('--sink file with the default dynamic backends stops with exit 2: nothing would push members to that nginx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'first-contact-'));
  const { status, stderr } = runCli(
    ['run', '--sink', 'file', '--nginx-conf', join(dir, 'nginx.conf'), '--http-port', '0'],
    NO_API,
  );
  assert.equal(status, 2, stderr);
  assert.match(stderr, /--sink file writes nginx\.conf for an nginx that something else runs.*add --backends static/);
});

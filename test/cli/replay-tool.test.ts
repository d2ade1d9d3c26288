// Replay as a tool: standard input, empty input, arrays and mixed Lists, over-long lines, --out, --diff, --check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { readLines } from '../../src/streams/read-lines.js';
import { ROOT, runCli } from '../support/cli.js';
import { NGINX } from '../support/nginx-check.js';

const DEMO = 'examples/nodejs-k8s-env.ndjson';
const demoLines = readFileSync(join(ROOT, DEMO), 'utf8').trim().split('\n');
type Pod = { kind?: string; metadata: { name: string } };
const lines = demoLines.map((line) => JSON.parse(line) as { type: string; object?: Pod & { items?: Pod[] } });
// Every pod of the demo, in its last recorded state (the SYNC's items, then each watch event's object).
const pods = lines.flatMap((line) =>
  line.type === 'SYNC' ? line.object!.items! : line.object === undefined ? [] : [line.object],
);

function temp(): string {
  return mkdtempSync(join(tmpdir(), 'replay-tool-'));
}

function replayStdin(input: string, flags: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'replay', '-', ...flags], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('replay - reads standard input, as kubectl get --raw … | replay - would feed it', () => {
  const fromFile = runCli(['replay', DEMO, '--last']);
  const fromStdin = replayStdin(readFileSync(join(ROOT, DEMO), 'utf8'), ['--last']);
  assert.equal(fromStdin.status, 0, fromStdin.stderr);
  assert.equal(fromStdin.stdout, fromFile.stdout);
});

test('empty input says so on stderr, and the config of an empty cluster follows', () => {
  const dir = temp();
  writeFileSync(join(dir, 'empty.ndjson'), '\n\n');
  for (const result of [runCli(['replay', join(dir, 'empty.ndjson'), '--last']), replayStdin('', ['--last'])]) {
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /the replay input is empty: nothing to replay/);
    assert.match(result.stdout, /return 444;/);
  }
});

test('a JSON array of pods is the set of pods at that moment; an array with a non-object is refused whole', () => {
  const latest = [...new Map(pods.map((pod) => [pod.metadata.name, pod])).values()];
  const dir = temp();
  writeFileSync(join(dir, 'array.json'), `${JSON.stringify(latest, null, 2)}\n`);
  const ok = runCli(['replay', '--backends', 'static', join(dir, 'array.json'), '--last']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /upstream microservice1866206336/);
  writeFileSync(join(dir, 'bad.json'), `${JSON.stringify([latest[0], 7])}\n`);
  const bad = runCli(['replay', join(dir, 'bad.json'), '--last']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /a JSON array, items\[1\]: not a JSON object/);
  assert.doesNotMatch(bad.stdout, /server_name test\.k8s\.local/, 'not half of it');
});

test('items of a List that are not Pods are skipped with a note', () => {
  const dir = temp();
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: {} };
  const pod = { apiVersion: 'v1', ...pods[pods.length - 1]!, kind: 'Pod' };
  writeFileSync(
    join(dir, 'list.json'),
    `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [service, pod, service] }, null, 2)}\n`,
  );
  const { status, stdout, stderr } = runCli(['replay', join(dir, 'list.json'), '--last']);
  assert.equal(status, 0, stderr);
  assert.match(stderr, /items that are not Pods skipped: 2 Service/);
  assert.match(stdout, /server_name test\.k8s\.local;/);
});

test('a line longer than --max-line-bytes is reported with its number and skipped; the rest is replayed', () => {
  const dir = temp();
  const long = `{"type":"ADDED","object":{"metadata":{"name":"x","annotations":{"a":"${'y'.repeat(3 * 1024 * 1024)}"}}}}`;
  writeFileSync(join(dir, 'long.ndjson'), [demoLines[0], long, ...demoLines.slice(1)].join('\n') + '\n');
  const { status, stdout, stderr } = runCli([
    'replay',
    '--backends',
    'static',
    join(dir, 'long.ndjson'),
    '--last',
    '--max-line-bytes',
    '1m',
  ]);
  assert.equal(status, 1);
  assert.match(stderr, /"line":2/);
  assert.match(stderr, /longer than the line limit of 1048576 bytes \(3145\d+ bytes; see --max-line-bytes\): skipped/);
  assert.match(stdout, /upstream microservice1866206336/);
});

test('readLines never keeps more than the bound of one line, and splits LF and CRLF', async () => {
  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from('a\r\nb');
    for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, 0x7a);
    yield Buffer.from('\nc\n\nd');
  }
  const seen: unknown[] = [];
  for await (const line of readLines(Readable.from(chunks()), 1024)) seen.push(line.text ?? { tooLong: line.tooLong });
  assert.deepEqual(seen, ['a', { tooLong: 1 + 64 * 64 * 1024 }, 'c', '', 'd']);
});

test('--out DIR with --last writes only the last config; a DIR holding other files is refused, old configs replaced', () => {
  const dir = join(temp(), 'out');
  const all = runCli(['replay', '--backends', 'static', DEMO, '--out', dir]);
  assert.equal(all.status, 0, all.stderr);
  assert.deepEqual(readdirSync(dir), ['config-000001.conf', 'config-000002.conf', 'config-000003.conf']);
  const last = runCli(['replay', '--backends', 'static', DEMO, '--out', dir, '--last']);
  assert.equal(last.status, 0, last.stderr);
  assert.deepEqual(readdirSync(dir), ['config-000003.conf']);
  assert.equal(
    readFileSync(join(dir, 'config-000003.conf'), 'utf8'),
    runCli(['replay', '--backends', 'static', DEMO, '--last']).stdout,
  );
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  const refused = runCli(['replay', '--backends', 'static', DEMO, '--out', dir]);
  assert.equal(refused.status, 2);
  assert.match(
    refused.stderr,
    /--out .* holds files replay did not write \(notes\.txt\): give an empty or new directory/,
  );
  assert.deepEqual(readdirSync(dir).sort(), ['config-000003.conf', 'notes.txt'], 'nothing removed');
});

test('--diff prints the first config whole and each next one as a unified diff against the one before', () => {
  const { status, stdout, stderr } = runCli(['replay', '--backends', 'static', DEMO, '--diff']);
  assert.equal(status, 0, stderr);
  const parts = stdout.split(/^(?=# config \d+ )/m);
  assert.equal(parts.length, 3);
  assert.match(parts[0]!, /^# config 1 [^\n]*\n# Rendered by k8s-pods-ingress/);
  assert.match(parts[1]!, /^# config 2 [^\n]*\n--- config-000001\.conf\n\+\+\+ config-000002\.conf\n@@ /);
  assert.match(parts[1]!, /^-\s+proxy_pass http:\/\/10\.244\.1\.5:3000;$/m);
  assert.match(parts[1]!, /^\+\s+proxy_pass http:\/\/microservice1866206336;$/m);
  assert.match(parts[2]!, /^\+\s+server 10\.244\.1\.6:3000; # Pod nodejs-k8s-env-tq4rn \(default\)$/m);
  assert.equal(runCli(['replay', '--backends', 'static', DEMO, '--diff', '--last']).status, 2);
});

test('--check runs nginx -t on every config printed and stops at the first refused, naming it and its window', () => {
  const accepted = runCli(['replay', DEMO, '--check', '--nginx-bin', NGINX]);
  assert.equal(accepted.status, 0, accepted.stderr);
  assert.match(accepted.stderr, /nginx -t accepted every config/);
  const dir = temp();
  const template = join(dir, 'picky.mustache');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    template,
    [
      'events {}',
      'http {',
      '{{#upstreams}}',
      '  bogus_directive {{name}};',
      '{{/upstreams}}',
      '{{#servers}}',
      '  server { listen 127.0.0.1:{{port}}; server_name {{host}}; return 200; }',
      '{{/servers}}',
      '}',
      '',
    ].join('\n'),
  );
  const refused = runCli([
    'replay',
    '--backends',
    'static',
    DEMO,
    '--check',
    '--nginx-bin',
    NGINX,
    '--template',
    template,
  ]);
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /nginx -t refused config 2 \(from the window that closed [\d.]+ s into the recording\): .*unknown directive "bogus_directive"/,
  );
  assert.deepEqual(refused.stdout.match(/^# config \d+/gm), ['# config 1', '# config 2']);
});

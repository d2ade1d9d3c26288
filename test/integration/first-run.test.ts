// The live controller's first steps outside a cluster: a kubeconfig whose server is plain http:// (kubectl accepts
// it), the admin port on loopback unless in a cluster, and `--sink file --after-write` with its retries.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { lastValueFrom, Subject } from 'rxjs';
import { run$ } from '../../src/commands/run.js';
import { parseInvocation } from '../../src/settings.js';
import { ROOT } from '../support/cli.js';
import { FakeApiServer } from '../support/fake-api-server.js';
import { waitFor } from '../support/http-probe.js';
import { capturingLogger, FAST_ARGS, microservice } from '../support/live-harness.js';
import { freePort } from '../support/nginx-processes.js';

it('a kubeconfig whose server is http:// is used as kubectl uses it', async (t) => {
  const fake = await FakeApiServer.start();
  t.after(() => fake.stop());
  fake.addPod(microservice('a'));
  const dir = mkdtempSync(join(tmpdir(), 'first-run-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: plain',
      'clusters:',
      `- name: plain`,
      `  cluster: {server: "${fake.url}"}`,
      'users:',
      '- name: me',
      '  user: {token: not-a-secret}',
      'contexts:',
      '- name: plain',
      '  context: {cluster: plain, user: me}',
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, K8S_PODS_INGRESS_LOG_LEVEL: 'warn' };
  delete env['KUBE_HOST'];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'run', '--window', '200', '--http-port', '0'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit');
  await waitFor(`the first config (stderr: ${stderr})`, () => stdout.includes('# config 1 '), 60_000);
  assert.match(stdout, /server_name a\.test;/);
  assert.doesNotMatch(stderr, /HTTP protocol is not allowed/);
  child.kill('SIGTERM');
  assert.deepEqual(await exited, [0, null]);
});

async function adminAddress(inCluster: boolean): Promise<unknown> {
  const fake = await FakeApiServer.start();
  try {
    const { settings } = parseInvocation(
      ['run', ...FAST_ARGS, '--sink', 'stdout', '--http-port', String(await freePort()), '--no-events'],
      { KUBE_HOST: fake.url },
    );
    const { logger, lines } = capturingLogger();
    const machine = {
      env: inCluster ? { KUBERNETES_SERVICE_HOST: '10.96.0.1' } : {},
      fileExists: () => inCluster,
      home: '/nonexistent',
    };
    const stop$ = new Subject<void>();
    const done = lastValueFrom(
      run$({ settings, logger, io: { stdout: { write: () => true } }, stop$, options: { machine } }),
    );
    const line = await waitFor('the admin server', () =>
      lines.find((l) => l['message'] === 'serving health and metrics'),
    );
    stop$.next();
    await done;
    return line['address'];
  } finally {
    await fake.stop();
  }
}

it('the admin port binds loopback outside a cluster and every interface inside one', async () => {
  assert.match(String(await adminAddress(false)), /^127\.0\.0\.1:\d+$/);
  assert.match(String(await adminAddress(true)), /^\*:\d+$/);
});

it('--sink file runs --after-write after each write; a failure is reported and retried until it succeeds', async (t) => {
  const fake = await FakeApiServer.start();
  t.after(() => fake.stop());
  fake.addPod(microservice('a'));
  const dir = mkdtempSync(join(tmpdir(), 'first-run-'));
  const conf = join(dir, 'nginx.conf');
  const flag = join(dir, 'may-succeed');
  const log = join(dir, 'runs.log');
  // Fails until the test creates the flag file; records each run and the file it was told about.
  const command = `echo "$K8S_PODS_INGRESS_CONFIG" >> ${log}; test -e ${flag} || { echo not yet >&2; exit 3; }`;
  const { settings } = parseInvocation(
    [
      'run',
      ...FAST_ARGS,
      '--sink',
      'file',
      '--backends',
      'static',
      '--nginx-conf',
      conf,
      '--after-write',
      command,
      '--http-port',
      '0',
      '--no-events',
    ],
    { KUBE_HOST: fake.url },
  );
  const { logger, lines } = capturingLogger();
  const stop$ = new Subject<void>();
  const done = lastValueFrom(run$({ settings, logger, io: { stdout: { write: () => true } }, stop$ }));
  t.after(async () => {
    stop$.next();
    await done;
  });
  await waitFor(
    'a failed after-write',
    () => lines.find((l) => String(l['message']).startsWith('after-write command failed')),
    20_000,
  );
  assert.ok(existsSync(conf), 'the config is written before the command runs');
  const failure = lines.find((l) => String(l['message']).startsWith('after-write command failed'))!;
  assert.match(String(failure['error']), /exited with status 3: not yet/);
  assert.equal(failure['retryInMs'], 1000);
  writeFileSync(flag, '');
  await waitFor(
    'the retry to succeed',
    () => lines.find((l) => l['message'] === 'after-write command succeeded'),
    20_000,
  );
  const runs = readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(runs.length >= 2, `retried: ${runs.length} runs`);
  assert.ok(
    runs.every((line) => line === conf),
    'K8S_PODS_INGRESS_CONFIG names the file',
  );
});

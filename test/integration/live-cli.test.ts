// The real CLI as a child process: `run` with KUBE_HOST prints configs, and SIGTERM ends it with status 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { FakeApiServer } from '../support/fake-api-server.js';
import { microservice, waitFor } from '../support/live-harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('run (CLI)', () => {
  it('prints the config and a new one after a change, and exits 0 on SIGTERM', async (t) => {
    const fake = await FakeApiServer.start();
    t.after(() => fake.stop());
    fake.addPod(microservice('a'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'run', '--window', '200'], {
      cwd: ROOT,
      env: { ...process.env, KUBE_HOST: fake.url, K8S_PODS_INGRESS_LOG_LEVEL: 'warn', K8S_PODS_INGRESS_HTTP_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(child, 'exit');
    // Generous: compiling TypeScript on a busy machine takes seconds.
    await waitFor(() => stdout.includes('# config 1 '), `the first config (stderr: ${stderr})`, 60_000);
    assert.match(stdout, /server_name a\.test;/);
    fake.addPod(microservice('b'));
    await waitFor(() => stdout.includes('# config 2 '), 'the second config', 20_000);
    assert.match(stdout, /server_name b\.test;/);
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr);
    await waitFor(() => fake.openWatchCount === 0, 'the watch to close');
  });
});

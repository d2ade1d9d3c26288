// `npm start` stops what it started (issue: SIGTERM to npm used to end npm and its shell and orphan the controller,
// which kept the admin port). The script execs the compiled program, so npm's forwarded SIGTERM reaches node itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { it } from 'node:test';
import { childrenOf, ensureBuilt, isAlive } from '../support/built.js';
import { ROOT } from '../support/cli.js';
import { FakeApiServer } from '../support/fake-api-server.js';
import { waitFor } from '../support/http-probe.js';
import { microservice } from '../support/live-harness.js';
import { freePort } from '../support/nginx-processes.js';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

it('SIGTERM to the npm process of `npm start` ends the controller too and frees its admin port', async (t) => {
  ensureBuilt();
  const fake = await FakeApiServer.start();
  t.after(() => fake.stop());
  fake.addPod(microservice('a'));
  const admin = await freePort();
  const npm = spawn(
    'npm',
    ['start', '--', '--sink', 'stdout', '--window', '200', '--http-port', String(admin), '--http-address', '127.0.0.1'],
    {
      cwd: ROOT,
      env: { ...process.env, KUBE_HOST: fake.url, K8S_PODS_INGRESS_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  npm.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = once(npm, 'exit');
  const started: number[] = [];
  t.after(() => {
    for (const pid of [npm.pid!, ...started]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  await waitFor(`the first config (stderr: ${stderr})`, () => stdout.includes('# config 1 '), 60_000);
  const [controller] = childrenOf(npm.pid!);
  assert.ok(controller !== undefined, 'npm has a child process');
  started.push(controller);
  assert.equal(await portIsFree(admin), false, 'the controller holds its admin port');
  npm.kill('SIGTERM');
  await exited;
  await waitFor('the controller to exit', () => !isAlive(controller), 20_000);
  assert.equal(await portIsFree(admin), true, 'the admin port is free again');
  await waitFor('the watch to close', () => fake.openWatchCount === 0);
});

// The real CLI as a child process (`node --import tsx src/main.ts run --sink nginx ...`), where signals and exit codes
// are real: SIGTERM while a request is in flight to a slow pod drains it through a graceful nginx quit, exits 0,
// leaves no nginx process, and closes the watch on the API server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ROOT } from '../support/cli.js';
import { httpGet, waitFor } from '../support/http-probe.js';
import { processesInGroups } from '../support/nginx-processes.js';
import {
  adminGet,
  backendPod,
  cleanUpRun,
  prepareRun,
  readMasterPid,
  recordStatuses,
  runFlags,
  withDeadline,
  startScene,
} from '../support/run-harness.js';

const APP = 'app.test';

it('SIGTERM: the request in flight completes, nginx quits, the watch is closed, exit status 0', async (t) => {
  const { cleanup, backends, fake } = await startScene(t, ['slow']);
  fake.addPod(backendPod('slow', backends.byName('slow').ip, { hosts: APP, paths: `${backends.port}:/` }));
  const place = await prepareRun();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'run', ...runFlags(place)], {
    cwd: ROOT,
    env: { ...process.env, KUBE_HOST: fake.url, K8S_PODS_INGRESS_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const masters = new Set<number>();
  cleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await cleanUpRun(place, masters);
  });

  // Generous: tsx compiles the program first, which takes seconds on a busy machine.
  await waitFor('/readyz to answer 200', async () => (await adminGet(place, '/readyz')).status === 200, 60_000);
  const master = readMasterPid(place);
  assert.ok(master !== null, 'nginx.pid written');
  masters.add(master);
  assert.equal((await httpGet(place.port, APP, '/')).backend, 'slow');
  assert.ok(fake.openWatchCount >= 1, 'a watch is open');

  const hits = backends.byName('slow').hits;
  const inFlight = httpGet(place.port, APP, '/?delay=2000');
  await waitFor('the request to reach the pod', () => backends.byName('slow').hits === hits + 1);
  const readiness = recordStatuses(place, '/readyz');
  child.kill('SIGTERM');
  const answer = await inFlight;
  await readiness.stop();
  assert.equal(answer.status, 200);
  assert.equal(answer.backend, 'slow');
  const [code, signal] = await withDeadline(exited, 30_000, 'the controller to exit');
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr);

  assert.ok(
    readiness.seen.some((reply) => reply.status === 503 && reply.body === 'shutting down'),
    'not ready while draining',
  );
  assert.deepEqual(processesInGroups([master]), [], 'no nginx process left');
  assert.equal(existsSync(join(place.prefix, 'nginx.pid')), false, 'nginx removed its pid file');
  await waitFor(
    'the watch to be closed on the API server',
    () => fake.openWatchCount === 0 && fake.hungWatchCount === 0,
  );
  assert.match(stderr, /"message":"nginx stopped"/);
  await assert.rejects(httpGet(place.port, APP, '/'), /ECONNREFUSED/);
});

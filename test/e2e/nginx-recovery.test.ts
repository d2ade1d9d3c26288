// Real nginx: a killed master is noticed and restarted on the last applied config; stopping lets requests finish.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startBackends } from '../support/backend-servers.js';
import { httpGet, waitFor } from '../support/http-probe.js';
import { startIngress } from '../support/ingress-harness.js';
import { processesInGroups } from '../support/nginx-processes.js';
import { aPod, sync } from '../support/pods.js';

const HOST = 'app.test';

it('restarts a killed nginx master on the last applied config, reporting it down meanwhile', async (t) => {
  const backends = await startBackends(['one']);
  t.after(() => backends.close());
  const ingress = await startIngress();
  t.after(() => ingress.stop());
  ingress.send(sync(aPod('one', { ip: backends.byName('one').ip, hosts: HOST, paths: `${backends.port}:/` })));
  const first = await ingress.outcome(0, 'the first config applied', (outcome) => outcome.type === 'applied');
  const killed = ingress.nginx.health().pid;
  assert.ok(killed !== null);
  process.kill(killed, 'SIGKILL');
  await waitFor('a new master serving', () => ingress.nginx.isRunning() && ingress.nginx.health().pid !== killed);
  const down = ingress.states.find((health) => health.state === 'down');
  assert.ok(down !== undefined, 'reported down');
  assert.equal(down.running, false);
  assert.deepEqual(down.lastExit, { code: null, signal: 'SIGKILL' });
  const health = ingress.nginx.health();
  assert.equal(health.restarts, 1);
  assert.equal(health.applied, first.config.hash);
  await waitFor('traffic to flow again', async () => (await ingress.get(HOST, '/')).backend === 'one');
  // The dead master's workers (orphans holding the old listen socket) were told to quit.
  await waitFor("the killed master's workers gone", () => processesInGroups([killed]).length === 0, 10_000);
});

it('stops gracefully: a request in flight finishes, then no nginx process is left', async (t) => {
  const backends = await startBackends(['slow']);
  t.after(() => backends.close());
  const ingress = await startIngress();
  t.after(() => ingress.stop());
  ingress.send(sync(aPod('slow', { ip: backends.byName('slow').ip, hosts: HOST, paths: `${backends.port}:/` })));
  await ingress.outcome(0, 'the first config applied', (outcome) => outcome.type === 'applied');
  const inFlight = ingress.get(HOST, '/?delay=1000');
  await waitFor('the request to reach the pod', () => backends.byName('slow').hits === 1);
  const stopped = ingress.stop();
  const answer = await inFlight;
  assert.equal(answer.status, 200);
  assert.equal(answer.backend, 'slow');
  await stopped;
  assert.equal(ingress.nginx.health().state, 'stopped');
  assert.equal(ingress.nginx.isRunning(), false);
  await assert.rejects(httpGet(ingress.port, HOST, '/'), /ECONNREFUSED/);
});

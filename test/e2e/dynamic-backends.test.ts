// Dynamic backends through real nginx with Debian's Lua module: pods come and go, turn ready and not, and die
// without notice, under a loop of real requests; nginx is never reloaded for it, and no request fails.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { ProjectedPod } from '../../src/model/pod.js';
import type { ApplyOutcome } from '../../src/sinks/nginx-sink.js';
import { startBackends, type Backends } from '../support/backend-servers.js';
import { waitFor } from '../support/http-probe.js';
import { startIngress, type Ingress } from '../support/ingress-harness.js';
import { processesInGroups } from '../support/nginx-processes.js';
import { added, aPod, deleted, modified, sync } from '../support/pods.js';
import { startRequestLoop } from '../support/request-loop.js';

const HOST = 'app.test';
const isApplied = (outcome: ApplyOutcome): boolean => outcome.type === 'applied';
const isPushed = (outcome: ApplyOutcome): boolean => outcome.type === 'pushed';

async function setUp(t: { after: (fn: () => Promise<void>) => void }, names: readonly string[]) {
  const backends = await startBackends(names);
  t.after(() => backends.close());
  const ingress = await startIngress({ backends: 'dynamic' });
  t.after(() => ingress.stop());
  const pod = (name: string, over: Partial<ProjectedPod> = {}) =>
    aPod(name, { ip: backends.byName(name).ip, hosts: HOST, paths: `${backends.port}:/`, ...over });
  return { backends, ingress, pod };
}

/** Returns the worker pids of the running master (its process group, less itself). */
function workers(ingress: Ingress): number[] {
  const master = ingress.nginx.health().pid;
  assert.ok(master !== null);
  return processesInGroups([master])
    .filter((pid) => pid !== master)
    .sort((a, b) => a - b);
}

/** Sends events, waits until their membership is pushed, then checks that fresh requests reach exactly `expected`. */
async function step(
  ingress: Ingress,
  expected: readonly string[],
  ...events: Parameters<Ingress['send']>
): Promise<void> {
  const mark = ingress.outcomes.length;
  ingress.send(...events);
  await ingress.outcome(mark, `members ${expected.join(',')} pushed`, isPushed);
  const seen = new Set<string>();
  for (let i = 0; i < 4 * expected.length + 4; i++) {
    const answer = await ingress.get(HOST, '/');
    assert.equal(answer.status, 200, `a request after the push of ${expected.join(',')}`);
    seen.add(answer.backend ?? '(none)');
  }
  assert.deepEqual([...seen].sort(), [...expected].sort());
}

it('scales 1 -> 3 -> 1, flips readiness and deletes pods under load: no failed request, no reload', async (t) => {
  const { backends, ingress, pod } = await setUp(t, ['a', 'b', 'c']);
  ingress.send(sync(pod('a')));
  await ingress.outcome(0, 'the first config applied', isApplied);
  const before = workers(ingress);
  const text = readFileSync(ingress.confPath, 'utf8');
  const loop = startRequestLoop(() => ingress.get(HOST, '/'));
  await step(ingress, ['a', 'b'], added(pod('b')), added(pod('c', { ready: false })));
  await step(ingress, ['a', 'b', 'c'], modified(pod('c')));
  await step(ingress, ['b', 'c'], modified(pod('a', { ready: false })));
  await step(ingress, ['c'], modified(pod('b', { deleting: true })), deleted(pod('a')));
  ingress.send(deleted(pod('b')));
  await waitFor('more requests', () => loop.requests() > 200);
  const result = await loop.stop();
  assert.deepEqual(result.failures, [], `${result.failures.length} of ${result.requests} requests failed`);
  assert.deepEqual(workers(ingress), before, 'the same nginx workers: no reload');
  assert.equal(ingress.nginx.health().reloads, 0);
  assert.equal(readFileSync(ingress.confPath, 'utf8'), text, 'not one byte of nginx.conf changed');
  assert.ok(backends.byName('c').hits > 0);
});

it("a structural change reloads once and keeps every route's members", async (t) => {
  const { backends, ingress, pod } = await setUp(t, ['a', 'b', 'api']);
  ingress.send(sync(pod('a'), pod('b')));
  await ingress.outcome(0, 'the first config applied', isApplied);
  const loop = startRequestLoop(() => ingress.get(HOST, '/'));
  const mark = ingress.outcomes.length;
  ingress.send(added(pod('api', { hosts: 'api.test', paths: `${backends.port}:/v1` })));
  const outcome = await ingress.outcome(mark, 'the new host applied', isApplied);
  assert.equal(outcome.type === 'applied' && outcome.action, 'reloaded');
  // The new route serves (once the old workers, which nginx tells to quit after the new ones start, stop taking new
  // connections), and the old route still has both its pods.
  await waitFor(
    'the new route served',
    async () => (await ingress.get('api.test', '/v1').catch(() => null))?.backend === 'api',
  );
  await waitFor('both pods of the old route answering', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add((await ingress.get(HOST, '/')).backend ?? '');
    return seen.size === 2 && seen.has('a') && seen.has('b');
  });
  await waitFor('more requests', () => loop.requests() > 100);
  const result = await loop.stop();
  assert.deepEqual(result.failures, [], `${result.failures.length} of ${result.requests} requests failed`);
  assert.equal(ingress.nginx.health().reloads, 1);
});

it('a route whose pods are all not ready answers 503, and serves again when one is ready', async (t) => {
  const { ingress, pod } = await setUp(t, ['a']);
  ingress.send(sync(pod('a', { ready: false })));
  await ingress.outcome(0, 'the first config applied', isApplied);
  assert.equal((await ingress.get(HOST, '/')).status, 503);
  const mark = ingress.outcomes.length;
  ingress.send(modified(pod('a')));
  await ingress.outcome(mark, 'the ready pod pushed', isPushed);
  assert.equal((await ingress.get(HOST, '/')).backend, 'a');
  assert.equal(ingress.nginx.health().reloads, 0);
});

it('a pod killed without notice is retried away from: no failed request', async (t) => {
  const { backends, ingress, pod } = await setUp(t, ['a', 'b', 'c']);
  ingress.send(sync(pod('a'), pod('b'), pod('c')));
  await ingress.outcome(0, 'the first config applied', isApplied);
  await killBackend(backends, 'b');
  const loop = startRequestLoop(() => ingress.get(HOST, '/'));
  await waitFor('requests while pod b is dead', () => loop.requests() > 300, 30_000);
  const result = await loop.stop();
  assert.deepEqual(result.failures, [], `${result.failures.length} of ${result.requests} requests failed`);
  assert.deepEqual([...result.backends.keys()].sort(), ['a', 'c']);
});

it('nginx killed: the restarted nginx serves the current members from its first request', async (t) => {
  const { ingress, pod } = await setUp(t, ['a', 'b']);
  ingress.send(sync(pod('a')));
  await ingress.outcome(0, 'the first config applied', isApplied);
  const mark = ingress.outcomes.length;
  ingress.send(added(pod('b')), deleted(pod('a')));
  await ingress.outcome(mark, 'b alone pushed', isPushed);
  const killed = ingress.nginx.health().pid!;
  process.kill(killed, 'SIGKILL');
  await waitFor(
    'a new master serving',
    () => ingress.nginx.isRunning() && ingress.nginx.health().pid !== killed,
    20_000,
  );
  for (let i = 0; i < 8; i++) assert.equal((await ingress.get(HOST, '/')).backend, 'b');
  assert.equal(ingress.nginx.health().restarts, 1);
});

/** Closes one backend's server and connections: its pod is gone without any event. */
async function killBackend(backends: Backends, name: string): Promise<void> {
  const backend = backends.byName(name) as unknown as { server: import('node:http').Server };
  backend.server.closeAllConnections();
  await new Promise<void>((resolve) => backend.server.close(() => resolve()));
}

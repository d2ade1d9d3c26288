// Real nginx, real HTTP: configs changing under traffic, and configs nginx refuses (at `nginx -t` or at reload).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { it } from 'node:test';
import { loadTemplate } from '../../src/commands/load-template.js';
import { compileTemplate } from '../../src/render/template.js';
import type { ApplyOutcome } from '../../src/sinks/nginx-sink.js';
import { startBackends } from '../support/backend-servers.js';
import { waitFor } from '../support/http-probe.js';
import { startIngress, type Ingress, type IngressOptions } from '../support/ingress-harness.js';
import { aPod, added, deleted, modified, sync } from '../support/pods.js';

const HOST = 'app.test';
const isApplied = (outcome: ApplyOutcome): boolean => outcome.type === 'applied';

/** Starts backends `names` and an ingress, stopped (and checked) after the test. */
async function setUp(
  t: { after: (fn: () => Promise<void>) => void },
  names: readonly string[],
  options: IngressOptions = {},
) {
  const backends = await startBackends(names);
  t.after(() => backends.close());
  const ingress = await startIngress(options);
  t.after(() => ingress.stop());
  const pod = (name: string) => aPod(name, { ip: backends.byName(name).ip, hosts: HOST, paths: `${backends.port}:/` });
  return { backends, ingress, pod };
}

/** Returns the backends that answered `count` fresh requests. */
async function answering(ingress: Ingress, count: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const answer = await ingress.get(HOST, '/');
    seen.add(answer.backend ?? `status ${answer.status}`);
  }
  return seen;
}

it('lands a change within one window of the event', async (t) => {
  const { ingress, pod } = await setUp(t, ['one', 'two']);
  ingress.send(sync(pod('one')));
  await ingress.outcome(0, 'the first config applied', isApplied);
  const mark = ingress.outcomes.length;
  ingress.send(added(pod('two')));
  const outcome = await ingress.outcome(mark, 'the scale-up applied', isApplied);
  assert.equal(outcome.type === 'applied' && outcome.action, 'reloaded');
  assert.equal(outcome.config.backends, 2);
  await waitFor('both pods to answer', async () => (await answering(ingress, 6)).size === 2);
  assert.equal(ingress.nginx.health().reloads, 1);
});

it('scales down without a failed request to the pods that stay', async (t) => {
  const { backends, ingress, pod } = await setUp(t, ['keep-1', 'keep-2', 'leaving']);
  ingress.send(sync(pod('keep-1'), pod('keep-2'), pod('leaving')));
  await ingress.outcome(0, 'the first config applied', isApplied);
  await waitFor('all three pods to answer', async () => (await answering(ingress, 6)).size === 3);
  const failures: string[] = [];
  let requests = 0;
  let running = true;
  // Four clients, fresh connection per request, until the change has landed and then some.
  const client = async (): Promise<void> => {
    while (running) {
      requests++;
      try {
        const answer = await ingress.get(HOST, '/');
        if (answer.status !== 200) failures.push(`status ${answer.status}`);
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const clients = Promise.all([client(), client(), client(), client()]);
  const mark = ingress.outcomes.length;
  // A terminating pod first (deletionTimestamp set), then gone: the usual order of a scale-down.
  ingress.send(modified(pod('leaving')), modified({ ...pod('leaving'), deleting: true }));
  await ingress.outcome(mark, 'the scale-down applied', isApplied);
  const hitsAtApply = requests;
  await waitFor('more requests after the reload', () => requests >= hitsAtApply + 40);
  running = false;
  await clients;
  ingress.send(deleted(pod('leaving')));
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed`);
  await waitFor('the leaving pod out of rotation', async () => !(await answering(ingress, 6)).has('leaving'));
  assert.ok(backends.byName('keep-1').hits > 0 && backends.byName('keep-2').hits > 0);
});

it('keeps the old config serving when nginx -t rejects a new one, reports it and retries', async (t) => {
  // A user template that is valid until a route gets two pods (an upstream block), then has a directive nginx lacks.
  const shipped = loadTemplate();
  const template = compileTemplate(
    shipped.text.replace('  upstream {{name}} {\n', '  upstream {{name}} {\n    bogus_directive on;\n'),
    'bogus-upstream.mustache',
  );
  assert.notEqual(template.text, shipped.text);
  const { ingress, pod } = await setUp(t, ['one', 'two', 'three'], {
    template,
    retryBackoff: { initialMs: 100, maxMs: 400 },
  });
  ingress.send(sync(pod('one')));
  const first = await ingress.outcome(0, 'the first config applied', isApplied);
  const mark = ingress.outcomes.length;
  ingress.send(added(pod('two')));
  const retried = await ingress.outcome(
    mark,
    'a second failed attempt',
    (outcome) => outcome.type === 'failed' && outcome.attempt >= 2,
  );
  assert.ok(retried.type === 'failed');
  assert.equal(retried.stage, 'check');
  assert.match(retried.message, /unknown directive "bogus_directive"/);
  assert.ok(retried.retryInMs !== null && retried.retryInMs > 0);
  // The live file and nginx still hold the first config.
  assert.equal(readFileSync(ingress.confPath, 'utf8'), first.config.text);
  assert.equal(ingress.nginx.health().applied, first.config.hash);
  assert.deepEqual([...(await answering(ingress, 4))], ['one']);
  // Undoing the change needs no apply and ends the retries; a good change after it applies.
  const undo = ingress.outcomes.length;
  ingress.send(deleted(pod('two')));
  await ingress.outcome(undo, 'the undo seen as unchanged', (outcome) => outcome.type === 'unchanged');
  const next = ingress.outcomes.length;
  ingress.send(sync(pod('three')));
  await ingress.outcome(next, 'a good config applied', isApplied);
  await waitFor('the new pod alone to answer', async () => [...(await answering(ingress, 4))].join() === 'three');
});

it("keeps the old config serving when nginx refuses a reload (a port in use), and reports nginx's message", async (t) => {
  // nginx -t does not bind ports, so only the reload finds this one taken.
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const busy = (blocker.address() as AddressInfo).port;
  const shipped = loadTemplate();
  const extra = `{{#upstreams}}\n  server {\n    listen 127.0.0.1:${busy};\n  }\n{{/upstreams}}\n`;
  const defaultServer = '  server {\n{{#listeners}}\n    listen {{address}} default_server';
  const template = compileTemplate(
    shipped.text.replace(defaultServer, `${extra}${defaultServer}`),
    'busy-port.mustache',
  );
  assert.notEqual(template.text, shipped.text);
  const { ingress, pod } = await setUp(t, ['one', 'two'], {
    template,
    retryBackoff: { initialMs: 60_000, maxMs: 60_000 },
  });
  ingress.send(sync(pod('one')));
  const first = await ingress.outcome(0, 'the first config applied', isApplied);
  const mark = ingress.outcomes.length;
  ingress.send(added(pod('two')));
  const failed = await ingress.outcome(mark, 'the refused reload', (outcome) => outcome.type === 'failed');
  assert.ok(failed.type === 'failed');
  assert.equal(failed.stage, 'reload', failed.message);
  assert.match(failed.message, /Address already in use/);
  assert.equal(readFileSync(ingress.confPath, 'utf8'), first.config.text);
  assert.equal(ingress.nginx.health().applied, first.config.hash);
  assert.equal(ingress.nginx.isRunning(), true);
  assert.deepEqual([...(await answering(ingress, 4))], ['one']);
});

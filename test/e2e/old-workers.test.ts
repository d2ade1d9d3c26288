// Old worker generations through real nginx: a request held open across a reload keeps its old worker alive,
// titled "shutting down", and oldWorkers (the nginx_old_worker_processes gauge) counts it until it ends.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { it } from 'node:test';
import type { ApplyOutcome } from '../../src/sinks/nginx-sink.js';
import { oldWorkers } from '../../src/sinks/nginx-workers.js';
import { startBackends } from '../support/backend-servers.js';
import { waitFor } from '../support/http-probe.js';
import { startIngress } from '../support/ingress-harness.js';
import { added, aPod, sync } from '../support/pods.js';

const isApplied = (outcome: ApplyOutcome): boolean => outcome.type === 'applied';

for (const mode of ['dynamic', 'static'] as const) {
  it(`a request held across a reload keeps one old worker, counted until the request ends (${mode})`, async (t) => {
    // A pod that accepts and never answers: the request through nginx stays in flight.
    const held: Socket[] = [];
    const hanging = createServer((socket) => held.push(socket));
    hanging.listen(0, '127.0.0.9');
    await once(hanging, 'listening');
    const port = (hanging.address() as { port: number }).port;
    t.after(() => new Promise<void>((resolve) => hanging.close(() => resolve())));
    const backends = await startBackends(['api']);
    t.after(() => backends.close());
    const ingress = await startIngress({ backends: mode });
    t.after(() => ingress.stop());

    ingress.send(sync(aPod('slow', { ip: '127.0.0.9', hosts: 'slow.test', paths: `${port}:/` })));
    await ingress.outcome(0, 'the first config applied', isApplied);
    const master = ingress.nginx.health().pid;
    assert.equal(oldWorkers(master), 0, 'no old generation before a reload');
    const request = ingress.get('slow.test', '/', { timeoutMs: 60_000 }).catch((error: unknown) => error);
    await waitFor('the request reached the pod', () => held.length > 0);

    const mark = ingress.outcomes.length;
    ingress.send(added(aPod('api', { ip: backends.byName('api').ip, hosts: 'api.test', paths: `${backends.port}:/` })));
    const outcome = await ingress.outcome(mark, 'the new host applied', isApplied);
    assert.equal(outcome.type === 'applied' && outcome.action, 'reloaded');
    assert.equal(ingress.nginx.health().pid, master, 'a reload keeps the master');
    await waitFor('one old worker shutting down', () => oldWorkers(master) === 1);

    // The pod goes away: the request ends (502), and its worker with it.
    for (const socket of held) socket.destroy();
    await request;
    await waitFor('no old worker left', () => oldWorkers(master) === 0);
  });
}

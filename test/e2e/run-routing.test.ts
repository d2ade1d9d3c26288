// The whole chain through the real `run` command: fake API server -> list+watch -> pipeline -> nginx sink -> real
// nginx -> backends on 127.0.0.x. Pod changes made on the API server show up in real traffic within a window or two.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBackends, type Backends } from '../support/backend-servers.js';
import { FakeApiServer } from '../support/fake-api-server.js';
import { setPodReady } from '../support/fake-pods.js';
import { rawExchange, waitFor, type Answer } from '../support/http-probe.js';
import { backendPod, startRun, type RunningController } from '../support/run-harness.js';

const APP = 'app.test';
const API = 'api.test';

describe('run --sink nginx: routing through the real source and command', () => {
  let backends: Backends;
  let fake: FakeApiServer;
  let run: RunningController;

  before(async () => {
    backends = await startBackends(['one', 'two', 'api']);
    fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
    fake.addPod(backendPod('one', backends.byName('one').ip, { hosts: APP, paths: `${backends.port}:/` }));
    fake.addPod(backendPod('api', backends.byName('api').ip, { hosts: API, paths: `${backends.port}:/v1` }));
    run = await startRun(fake);
  });

  after(async () => {
    try {
      await run?.stop();
    } finally {
      await fake?.stop();
      await backends?.close();
    }
  });

  /** Sends `count` requests one after the other and returns who answered each (null: nginx itself). */
  const answers = async (host: string, path: string, count: number): Promise<Answer[]> => {
    const all: Answer[] = [];
    for (let i = 0; i < count; i++) all.push(await run.get(host, path));
    return all;
  };

  it('routes each Host to its pod, with the request as the client sent it', async () => {
    const app = await waitFor(
      'app.test to reach pod one',
      async () => {
        const answer = await run.get(APP, '/hello?x=1');
        return answer.backend === 'one' ? answer : undefined;
      },
      30_000,
    );
    assert.equal(app.seen?.host, APP);
    assert.equal(app.seen?.url, '/hello?x=1');
    const api = await run.get(API, '/v1/items');
    assert.equal(api.backend, 'api');
    // The api pod serves /v1 only: another path on its host is nginx's 404, not a pod's answer.
    const outside = await run.get(API, '/other');
    assert.equal(outside.backend, null);
    assert.equal(outside.status, 404);
  });

  it('closes the connection of an unknown host without a response', async () => {
    const reply = await rawExchange(run.port, 'GET / HTTP/1.1\r\nHost: nobody.test\r\nConnection: close\r\n\r\n');
    assert.equal(reply.length, 0, `expected no bytes, got ${JSON.stringify(reply.toString('utf8'))}`);
  });

  it('scale up: a new ready pod of the route gets traffic', async () => {
    fake.addPod(backendPod('two', backends.byName('two').ip, { hosts: APP, paths: `${backends.port}:/` }));
    // Round robin over two pods: a handful of requests reaches both once the new config is in force.
    await waitFor(
      'both pods to answer app.test',
      async () => {
        const seen = new Set((await answers(APP, '/', 4)).map((answer) => answer.backend));
        return seen.has('one') && seen.has('two');
      },
      20_000,
    );
  });

  it('scale down: a deleted pod gets no more traffic', async () => {
    fake.deletePod('default', 'one');
    await waitFor(
      'only pod two to answer app.test',
      async () => (await answers(APP, '/', 4)).every((answer) => answer.backend === 'two'),
      20_000,
    );
    const hits = backends.byName('one').hits;
    assert.ok((await answers(APP, '/', 6)).every((answer) => answer.backend === 'two'));
    assert.equal(backends.byName('one').hits, hits, 'the deleted pod saw no request');
  });

  it('a route whose last pod turns not ready answers 503, and the other host still works', async () => {
    fake.modifyPod('default', 'two', (pod) => setPodReady(pod, false));
    const answer = await waitFor(
      'app.test to answer 503',
      async () => {
        const got = await run.get(APP, '/');
        return got.status === 503 ? got : undefined;
      },
      20_000,
    );
    assert.equal(answer.backend, null, 'nginx answered, not a pod');
    assert.equal((await run.get(API, '/v1')).backend, 'api');
    fake.modifyPod('default', 'two', (pod) => setPodReady(pod, true));
    await waitFor('pod two to serve again once ready', async () => (await run.get(APP, '/')).backend === 'two', 20_000);
  });
});

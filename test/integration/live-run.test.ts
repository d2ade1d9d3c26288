// The real `run` pipeline (200 ms windows, 1 s idle timeout) against the fake API server: after every fault the
// printed config converges to exactly what a fresh list renders, and unchanged state is never printed twice.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { FakeApiServer, type FakeApiServerOptions } from '../support/fake-api-server.js';
import { waitFor as waitForAsync } from '../support/http-probe.js';
import {
  assertNoRepeats,
  BATCHES,
  convergence,
  microservice,
  startLive,
  startObservedLive,
  waitFor,
  type ObservedRun,
} from '../support/live-harness.js';

async function setup(
  t: TestContext,
  args: readonly string[] = [],
  options: FakeApiServerOptions = {},
): Promise<{ fake: FakeApiServer; live: ObservedRun }> {
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200, ...options });
  fake.addPod(microservice('a', 'default', '/a'));
  fake.addPod(microservice('b', 'default', '/b'));
  const live = await startObservedLive(fake, args);
  t.after(async () => {
    await live.stop();
    await fake.stop();
  });
  await convergence(live, fake);
  return { fake, live };
}

describe('run: live configs', () => {
  it('prints a new config about a window after each change, and none for changes that do not route', async (t) => {
    const { fake, live } = await setup(t);
    fake.addPod(microservice('c', 'default', '/c'));
    await convergence(live, fake);
    fake.modifyPod('default', 'a', { metadata: { annotations: { publicPaths: '8080:/a 9090:/a2' } } });
    await convergence(live, fake);
    const count = live.configs().length;
    // The cluster is quiet, so the next batch is the one holding this change: once it is folded, nothing printed.
    const batches = await live.sample(BATCHES);
    fake.modifyPod('default', 'b', { metadata: { labels: { microservice: 'true', team: 'blue' } } });
    await live.batchedPast(batches);
    assert.equal(live.configs().length, count, 'a change that does not route prints nothing');
    // Stops matching the selector: the watch says DELETED.
    fake.modifyPod('default', 'c', { metadata: { labels: { microservice: null } } });
    await convergence(live, fake);
    assertNoRepeats(live);
  });

  it('converges after a dropped connection, with pods deleted and created meanwhile and 500s while reconnecting', async (t) => {
    const { fake, live } = await setup(t);
    fake.failRequests({ forMs: 700 }, 500);
    fake.dropConnections();
    fake.deletePod('default', 'a');
    fake.addPod(microservice('d', 'default', '/d'));
    await convergence(live, fake);
    assert.ok(
      live.logs.some((line) => line['status'] === 500),
      'the 500s were logged',
    );
    assertNoRepeats(live);
  });

  it('converges after a server restart with a new history (relist), and prints nothing when nothing changed', async (t) => {
    const { fake, live } = await setup(t);
    const count = live.configs().length;
    const lists = await live.sample('k8s_pods_ingress_pod_events_total', { type: 'SYNC' });
    const batches = await live.sample(BATCHES);
    await fake.restart({ newHistory: true, downMs: 200 });
    await waitFor(() => live.restarts.includes('gone'), 'the relist');
    // The relist's SYNC is the only event since: the batch past `batches` is the one holding it.
    await waitForAsync(
      'the relist to arrive',
      async () => (await live.sample('k8s_pods_ingress_pod_events_total', { type: 'SYNC' })) > lists,
    );
    await live.batchedPast(batches);
    assert.equal(live.configs().length, count, 'a relist of the same pods prints nothing');
    await fake.restart({
      newHistory: true,
      pods: [microservice('a', 'default', '/a'), microservice('e', 'default', '/e')],
    });
    await convergence(live, fake);
    assertNoRepeats(live);
  });

  for (const form of ['http', 'event'] as const) {
    it(`converges after 410 Gone as ${form === 'http' ? 'an HTTP status' : 'an ERROR event'}`, async (t) => {
      const { fake, live } = await setup(t, [], { expiredForm: form });
      fake.failRequests({ forMs: 300 }, 503, 'watch');
      fake.dropConnections();
      fake.deletePod('default', 'b');
      fake.addPod(microservice('f', 'default', '/f'));
      fake.compact();
      await convergence(live, fake);
      assert.ok(live.restarts.includes('gone'));
      assertNoRepeats(live);
    });
  }

  it('converges after a hung watch, aborted by the idle watchdog', async (t) => {
    const { fake, live } = await setup(t);
    fake.hangWatches(true);
    fake.addPod(microservice('g', 'default', '/g'));
    await waitFor(() => live.restarts.includes('idle'), 'the idle abort');
    fake.hangWatches(false);
    await convergence(live, fake);
    assertNoRepeats(live);
  });

  it('watches several namespaces as one: one combined list, and a relist of one keeps the others', async (t) => {
    const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
    fake.addPod(microservice('a', 'team-a', '/a'));
    fake.addPod(microservice('b', 'team-b', '/b'));
    fake.addPod(microservice('c', 'team-c', '/c'));
    const live = startLive(fake, ['--namespaces', 'team-a,team-b']);
    t.after(async () => {
      await live.stop();
      await fake.stop();
    });
    const namespaces = ['team-a', 'team-b'];
    await convergence(live, fake, namespaces);
    assert.equal(live.configs().length, 1, 'one config from the combined first list');
    fake.failRequests({ forMs: 300 }, 503, 'watch');
    fake.dropConnections();
    fake.addPod(microservice('a2', 'team-a', '/a2'));
    fake.deletePod('team-b', 'b');
    fake.compact();
    await convergence(live, fake, namespaces);
    assert.ok(live.restarts.includes('gone'));
    assertNoRepeats(live);
  });

  it('stops cleanly: exit status 0 and no request left open', async (t) => {
    const fake = await FakeApiServer.start();
    t.after(() => fake.stop());
    fake.addPod(microservice('a'));
    const live = startLive(fake);
    await convergence(live, fake);
    assert.equal(await live.stop(), 0);
    await waitFor(() => fake.openWatchCount === 0 && fake.hungWatchCount === 0, 'the watch to close');
  });
});

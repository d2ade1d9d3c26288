// The list+watch loop against the fake API server, one protocol situation per test, asserting on the requests it
// makes (resourceVersions, relists), what it emits, and what it reports to the health hooks and the log.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { asyncScheduler, type Subscription } from 'rxjs';
import type { KubeEvent, RestartCause } from '../../src/streams/kube-event.js';
import { listAndWatch$ } from '../../src/streams/list-and-watch.js';
import { loadKubeConfig } from '../../src/streams/load-kube-config.js';
import { FakeApiServer, type FakeApiServerOptions, type RecordedRequest } from '../support/fake-api-server.js';
import { buildPod } from '../support/fake-pods.js';
import { capturingLogger, FAST_BACKOFF, microservice, waitFor } from '../support/live-harness.js';

interface Loop {
  readonly events: KubeEvent[];
  readonly restarts: RestartCause[];
  readonly alive: number[];
  readonly logs: Record<string, unknown>[];
  readonly subscription: Subscription;
}

async function setup(
  t: TestContext,
  options: FakeApiServerOptions = {},
  watchTimeoutSeconds = 30,
): Promise<{ fake: FakeApiServer; loop: Loop }> {
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 100, ...options });
  const { logger, lines } = capturingLogger();
  const events: KubeEvent[] = [];
  const restarts: RestartCause[] = [];
  const alive: number[] = [];
  const subscription = listAndWatch$({
    access: loadKubeConfig(fake.url),
    query: { namespace: null, labelSelector: 'microservice=true' },
    watchTimeoutSeconds,
    idleTimeoutMs: 600,
    backoff: FAST_BACKOFF,
    scheduler: asyncScheduler,
    logger,
    hooks: { alive: (at) => void alive.push(at), restarted: (cause) => void restarts.push(cause) },
  }).subscribe((event) => events.push(event));
  t.after(async () => {
    subscription.unsubscribe();
    await fake.stop();
  });
  return { fake, loop: { events, restarts, alive, logs: lines, subscription } };
}

const watches = (fake: FakeApiServer): RecordedRequest[] => fake.requests.filter((r) => r.kind === 'watch');
const lists = (fake: FakeApiServer): RecordedRequest[] => fake.requests.filter((r) => r.kind === 'list');
const names = (events: readonly KubeEvent[]): string[] =>
  events.map((e) =>
    e.type === 'SYNC'
      ? `SYNC ${e.items.length}`
      : `${e.type} ${(e.object as { metadata: { name: string } }).metadata.name}`,
  );

describe('live source: list and watch', () => {
  it('lists, then watches from the list with bookmarks and a server-side timeout', async (t) => {
    const { fake, loop } = await setup(t);
    fake.addPod(microservice('a'));
    await waitFor(() => loop.events.length === 1, 'the SYNC');
    await fake.waitForWatches(1);
    fake.addPod(microservice('b'));
    await waitFor(() => loop.events.length === 2, 'the ADDED');
    assert.deepEqual(names(loop.events), ['SYNC 1', 'ADDED b']);
    const [list] = lists(fake);
    const [watch] = watches(fake);
    assert.equal(list?.query['labelSelector'], 'microservice=true');
    assert.deepEqual(watch?.query, {
      labelSelector: 'microservice=true',
      watch: 'true',
      resourceVersion: '1001',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '30',
    });
    assert.ok(loop.alive.length >= 3, 'list, connect and event all count as alive');
  });

  it('resumes from the last resourceVersion seen, bookmarks included, after a dropped connection', async (t) => {
    const { fake, loop } = await setup(t);
    await waitFor(() => loop.events.length === 1, 'the SYNC');
    await fake.waitForWatches(1);
    // A pod outside the selector moves the resourceVersion without an event: only a bookmark can tell us.
    fake.addPod(buildPod({ name: 'other', labels: { app: 'db' } }));
    const target = fake.resourceVersion;
    const seen = loop.alive.length;
    await waitFor(() => loop.alive.length >= seen + 2, 'bookmarks');
    fake.dropConnections();
    await waitFor(() => watches(fake).length === 2, 'the second watch');
    assert.equal(watches(fake)[1]?.query['resourceVersion'], target);
    assert.equal(lists(fake).length, 1, 'no relist');
    assert.deepEqual(loop.restarts, ['error']);
    assert.ok(
      loop.logs.some(
        (line) => line['level'] === 'warn' && String(line['url']).includes('watch=true') && line['status'] === 200,
      ),
    );
  });

  it('resumes without a relist when the server ends the watch at timeoutSeconds', async (t) => {
    const { fake, loop } = await setup(t, {}, 1);
    await waitFor(() => watches(fake).length >= 2, 'a second watch');
    fake.addPod(microservice('a'));
    await waitFor(() => loop.events.length === 2, 'the ADDED');
    assert.equal(lists(fake).length, 1);
    assert.ok(loop.restarts.every((cause) => cause === 'timeout'));
  });

  for (const form of ['http', 'event'] as const) {
    it(`lists again on 410 Gone sent as ${form === 'http' ? 'an HTTP status' : 'an ERROR event'}`, async (t) => {
      const { fake, loop } = await setup(t, { expiredForm: form });
      fake.addPod(microservice('a'));
      await waitFor(() => loop.events.length === 1, 'the SYNC');
      await fake.waitForWatches(1);
      fake.addPod(microservice('b'));
      await waitFor(() => loop.events.length === 2, 'the ADDED');
      // Keep the client away while the pod goes and history is compacted past what it has seen.
      fake.failRequests({ forMs: 300 }, 503, 'watch');
      fake.dropConnections();
      fake.deletePod('default', 'a');
      fake.compact();
      await waitFor(() => lists(fake).length === 2, 'the relist');
      await waitFor(() => loop.events.length === 3, 'the second SYNC');
      assert.deepEqual(names(loop.events).slice(-1), ['SYNC 1']);
      assert.ok(loop.restarts.includes('gone'));
      assert.ok(loop.logs.some((line) => line['status'] === 410 && String(line['url']).includes('watch=true')));
    });
  }

  it('aborts a watch that hangs before answering, and one that goes silent, then recovers', async (t) => {
    const { fake, loop } = await setup(t);
    await fake.waitForWatches(1);
    fake.hangWatches(true);
    await waitFor(() => loop.restarts.filter((cause) => cause === 'idle').length >= 2, 'two idle aborts');
    fake.hangWatches(false);
    fake.addPod(microservice('late'));
    await waitFor(() => loop.events.some((e) => e.type === 'ADDED'), 'the ADDED after recovery');
    await waitFor(() => fake.hungWatchCount === 0, 'hung requests to be aborted by the client');
  });

  it('backs off through failing requests, logging each with URL and status, and carries on', async (t) => {
    const { fake, loop } = await setup(t);
    await fake.waitForWatches(1);
    fake.failRequests(4, 500, 'watch');
    fake.dropConnections();
    fake.addPod(microservice('meanwhile'));
    await waitFor(() => loop.events.some((e) => e.type === 'ADDED'), 'the ADDED after the failures');
    const failures = loop.logs.filter((line) => line['status'] === 500);
    assert.equal(failures.length, 4);
    assert.ok(failures.every((line) => line['operation'] === 'watch' && String(line['url']).startsWith(fake.url)));
    assert.equal(lists(fake).length, 1);
  });

  it('aborts its requests when unsubscribed', async (t) => {
    const { fake, loop } = await setup(t);
    await fake.waitForWatches(1);
    loop.subscription.unsubscribe();
    await waitFor(() => fake.openWatchCount === 0, 'the watch to close');
  });
});

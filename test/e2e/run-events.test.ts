// Kubernetes Events from the real `run` command: one Event per distinct problem of a pod, posted to the (fake) API
// server once, not once per window, while the rest of the pod keeps routing through nginx; none with POST_EVENTS=false.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { type Backends } from '../support/backend-servers.js';
import { FakeApiServer } from '../support/fake-api-server.js';
import { waitFor } from '../support/http-probe.js';
import { valueOf } from '../support/prom-text.js';
import {
  backendPod,
  scrape,
  startRun,
  type RunningController,
  type StartRunOptions,
  startScene,
} from '../support/run-harness.js';

const P = 'k8s_pods_ingress_';

interface PostedEvent {
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly involvedObject: {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly uid?: string;
  };
}

interface Setup {
  readonly backends: Backends;
  readonly fake: FakeApiServer;
  readonly run: RunningController;
}

/** Starts backends, the fake server with a pod `bad` (one bad host, one good) and the controller. */
async function setup(t: TestContext, options: StartRunOptions = {}): Promise<Setup> {
  const { cleanup, backends, fake } = await startScene(t, ['bad', 'other']);
  fake.addPod(
    backendPod('bad', backends.byName('bad').ip, { hosts: 'bad_host.test fine.test', paths: `${backends.port}:/` }),
  );
  const run = await startRun(fake, options);
  cleanup(() => run.stop());
  // The good host of the pod routes despite the bad one.
  await waitFor('fine.test to reach the pod', async () => (await run.get('fine.test', '/')).backend === 'bad', 30_000);
  return { backends, fake, run };
}

/** Returns the bodies of the Events POSTed so far. */
function posted(fake: FakeApiServer): PostedEvent[] {
  return fake.events.filter((event) => event.method === 'POST').map((event) => event.body as PostedEvent);
}

/** Makes a change that does not route (a label) and waits until the controller has batched it. */
async function neutralChange(setup: Setup, pod: string, revision: number): Promise<void> {
  const batches = async (): Promise<number> => valueOf(await scrape(setup.run), `${P}batches_total`) ?? 0;
  const before = await batches();
  setup.fake.modifyPod('default', pod, { metadata: { labels: { microservice: 'true', revision: String(revision) } } });
  await waitFor(`the change to pod ${pod} batched`, async () => (await batches()) > before, 20_000);
}

describe('run: Kubernetes Events on rejected annotations', () => {
  it('posts one Event per distinct problem, not one per window', async (t) => {
    const s = await setup(t);
    const uid = s.fake.getPod('default', 'bad')?.metadata.uid;
    await waitFor('the first Event', () => posted(s.fake).length >= 1, 20_000);
    for (let revision = 1; revision <= 4; revision++) await neutralChange(s, 'bad', revision);

    // A second, distinct problem on the same pod; Events are posted in order, so once it is there a repeat of the
    // first would be there too.
    s.fake.modifyPod('default', 'bad', { metadata: { annotations: { publicPaths: `${s.backends.port}:/ 99999:/x` } } });
    await waitFor('the second Event', () => posted(s.fake).length >= 2, 20_000);
    const [host, port, ...rest] = posted(s.fake);
    assert.deepEqual(rest, []);
    assert.equal(host?.reason, 'InvalidHost');
    assert.equal(host?.type, 'Warning');
    assert.match(host?.message ?? '', /host "bad_host\.test" is not a DNS name/);
    assert.deepEqual(host?.involvedObject, { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'bad', uid });
    assert.equal(port?.reason, 'InvalidPort');
    assert.match(port?.message ?? '', /paths entry "99999:\/x": port "99999"/);
    assert.equal(port?.involvedObject.uid, uid);
    assert.ok(s.fake.events.every((event) => event.namespace === 'default' && event.apiVersion === 'v1'));

    // More windows with the same problems, then a problem on another pod as the marker that posting went on.
    await neutralChange(s, 'bad', 5);
    await neutralChange(s, 'bad', 6);
    s.fake.addPod(
      backendPod('other', s.backends.byName('other').ip, { hosts: 'other_host.test', paths: `${s.backends.port}:/` }),
    );
    await waitFor(
      'the Event about pod other',
      () => posted(s.fake).some((event) => event.involvedObject.name === 'other'),
      20_000,
    );
    assert.deepEqual(
      posted(s.fake).map((event) => `${event.involvedObject.name} ${event.reason}`),
      ['bad InvalidHost', 'bad InvalidPort', 'other InvalidHost'],
    );
    const m = await scrape(s.run);
    assert.equal(valueOf(m, `${P}kube_events_total`, { result: 'created' }), 3);
    assert.equal(valueOf(m, `${P}kube_events_total`, { result: 'failed' }), 0);
  });

  it('posts none with POST_EVENTS=false, though the problem is still reported in metrics', async (t) => {
    const s = await setup(t, { env: { K8S_PODS_INGRESS_POST_EVENTS: 'false' } });
    await waitFor(
      'the rejection counted',
      async () => valueOf(await scrape(s.run), `${P}rejected_entries_reported_total`, { reason: 'invalid-host' }) === 1,
      20_000,
    );
    await neutralChange(s, 'bad', 1);
    s.fake.modifyPod('default', 'bad', { metadata: { annotations: { publicPaths: `${s.backends.port}:/ 99999:/x` } } });
    await waitFor(
      'the second rejection counted',
      async () => valueOf(await scrape(s.run), `${P}rejected_entries_reported_total`, { reason: 'invalid-port' }) === 1,
      20_000,
    );
    await neutralChange(s, 'bad', 2);
    assert.deepEqual(s.fake.events, []);
    assert.deepEqual(
      s.fake.requests.filter((request) => request.kind === 'events'),
      [],
    );
    assert.equal(valueOf(await scrape(s.run), `${P}kube_events_total`, { result: 'created' }), 0);
  });
});

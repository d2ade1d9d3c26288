// The fake API server driven through the real @kubernetes/client-node, one fault per test; every test stops its server.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CoreV1Api, EventsV1Api, Watch, type KubeConfig } from '@kubernetes/client-node';
import { FakeApiServer, type FakeApiServerOptions } from './fake-api-server.js';
import { kubeConfigFor } from './fake-kube-config.js';
import { buildPod, markPodTerminating, setPodReady, type FakePod } from './fake-pods.js';
import { realJson } from './fixtures.js';

interface WatchLine {
  readonly type: string;
  readonly object: {
    metadata?: { name?: string; resourceVersion?: string };
    code?: number;
    reason?: string;
    message?: string;
    kind?: string;
  };
}

interface WatchRun {
  readonly lines: WatchLine[];
  readonly done: Promise<unknown>;
  readonly controller: Promise<AbortController>;
  readonly doneCalled: () => boolean;
}

const SELECTOR = 'microservice=true';

function microservice(name: string, namespace = 'default'): FakePod {
  return buildPod({
    name,
    namespace,
    labels: { microservice: 'true' },
    annotations: { trafficHosts: 'test.k8s.local', publicPaths: '80:/' },
  });
}

async function started(
  t: TestContext,
  options: FakeApiServerOptions = {},
): Promise<{ server: FakeApiServer; kc: KubeConfig }> {
  const server = await FakeApiServer.start(options);
  t.after(() => server.stop());
  return { server, kc: kubeConfigFor(server.url) };
}

function openWatch(
  kc: KubeConfig,
  query: Record<string, string | number | boolean | undefined>,
  path = '/api/v1/pods',
): WatchRun {
  const lines: WatchLine[] = [];
  let called = false;
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  const controller = new Watch(kc).watch(
    path,
    query,
    (type, object: WatchLine['object']) => lines.push({ type, object }),
    (err: unknown) => {
      called = true;
      finish(err);
    },
  );
  return { lines, done, controller, doneCalled: () => called };
}

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const summary = (lines: readonly WatchLine[]): string[] =>
  lines.map((l) => `${l.type} ${l.object.metadata?.name ?? ''}`.trim());

describe('fake API server: list', () => {
  it('lists pods by label selector as a real-shaped PodList', async (t) => {
    const { server, kc } = await started(t);
    server.addPod(microservice('web-1', 'team-a'));
    server.addPod(microservice('web-2', 'team-b'));
    server.addPod(buildPod({ name: 'db', namespace: 'team-a', labels: { app: 'db' } }));
    const api = kc.makeApiClient(CoreV1Api);
    const all = await api.listPodForAllNamespaces({ labelSelector: SELECTOR });
    assert.deepEqual(
      all.items.map((p) => p.metadata?.name),
      ['web-1', 'web-2'],
    );
    assert.equal(all.metadata?.resourceVersion, server.resourceVersion);
    const teamA = await api.listNamespacedPod({ namespace: 'team-a', labelSelector: 'microservice,app notin (db)' });
    assert.deepEqual(
      teamA.items.map((p) => p.metadata?.name),
      ['web-1'],
    );
    const raw = (await (await fetch(`${server.url}/api/v1/pods?labelSelector=app%3Ddb`)).json()) as {
      kind: string;
      items: FakePod[];
    };
    assert.equal(raw.kind, 'PodList');
    assert.equal(raw.items[0]?.kind, undefined, 'list items carry no kind, as the real server serves them');
    assert.deepEqual(
      server.requests.map((r) => [r.kind, r.path, r.query['labelSelector']]),
      [
        ['list', '/api/v1/pods', SELECTOR],
        ['list', '/api/v1/namespaces/team-a/pods', 'microservice,app notin (db)'],
        ['list', '/api/v1/pods', 'app=db'],
      ],
    );
  });

  it('pages with limit and continue and accepts real fixture pods', async (t) => {
    const { server, kc } = await started(t);
    for (const name of ['a', 'b', 'c']) server.addPod(microservice(name));
    server.addPod(realJson('pods/k9s_nginx-7fb78fb6d8-2w75j.json') as unknown as FakePod);
    const api = kc.makeApiClient(CoreV1Api);
    const first = await api.listPodForAllNamespaces({ labelSelector: SELECTOR, limit: 2 });
    assert.deepEqual(
      first.items.map((p) => p.metadata?.name),
      ['a', 'b'],
    );
    assert.equal(first.metadata?.remainingItemCount, 1);
    const rest = await api.listPodForAllNamespaces({
      labelSelector: SELECTOR,
      limit: 2,
      _continue: first.metadata?._continue ?? '',
    });
    assert.deepEqual(
      rest.items.map((p) => p.metadata?.name),
      ['c'],
    );
    assert.equal(rest.metadata?._continue, undefined);
    assert.equal(rest.metadata?.resourceVersion, first.metadata?.resourceVersion);
    const nginx = await api.listPodForAllNamespaces({ labelSelector: 'app=nginx' });
    assert.equal(nginx.items[0]?.status?.podIP, '10.44.0.229');
  });

  it('answers 500 Status bodies while failRequests is on, then recovers', async (t) => {
    const { server, kc } = await started(t);
    const api = kc.makeApiClient(CoreV1Api);
    server.failRequests(2);
    for (let i = 0; i < 2; i += 1) {
      await assert.rejects(
        api.listPodForAllNamespaces({ labelSelector: SELECTOR }),
        (err: { code?: number; body?: string }) => {
          assert.equal(err.code, 500);
          assert.match(err.body ?? '', /"reason":"InternalError"/);
          return true;
        },
      );
    }
    assert.equal((await api.listPodForAllNamespaces({})).items.length, 0);
    server.failRequests({ forMs: 60_000 }, 503, 'watch');
    assert.equal((await api.listPodForAllNamespaces({})).items.length, 0, 'a watch-only fault leaves lists alone');
    const run = openWatch(kc, { labelSelector: SELECTOR });
    const err = (await run.done) as { statusCode?: number; message?: string };
    assert.equal(err.statusCode, 503);
    assert.equal(err.message, 'Service Unavailable');
  });
});

describe('fake API server: watch', () => {
  it('streams ADDED, MODIFIED, DELETED in order from the listed resourceVersion', async (t) => {
    const { server, kc } = await started(t);
    server.addPod(microservice('before'));
    const listed = server.resourceVersion;
    server.addPod(microservice('web'));
    const run = openWatch(kc, {
      labelSelector: SELECTOR,
      resourceVersion: listed,
      allowWatchBookmarks: true,
      timeoutSeconds: 30,
    });
    await server.waitForWatches(1);
    server.modifyPod('default', 'web', (pod) => setPodReady(pod, false));
    server.modifyPod('default', 'web', { metadata: { annotations: { publicPaths: '8080:/api' } } });
    server.deletePod('default', 'web');
    await waitFor(() => run.lines.length === 4);
    assert.deepEqual(summary(run.lines), ['ADDED web', 'MODIFIED web', 'MODIFIED web', 'DELETED web']);
    const rvs = run.lines.map((l) => Number(l.object.metadata?.resourceVersion));
    assert.deepEqual(
      rvs,
      [...rvs].sort((a, b) => a - b),
    );
    assert.equal(run.lines[0]?.object.kind, 'Pod', 'watch objects carry their kind');
    assert.deepEqual(server.requests.at(-1)?.query, {
      watch: 'true',
      labelSelector: SELECTOR,
      resourceVersion: listed,
      allowWatchBookmarks: 'true',
      timeoutSeconds: '30',
    });
    (await run.controller).abort();
    assert.equal(((await run.done) as Error).name, 'AbortError', 'aborting gives done an AbortError, not null');
  });

  it('starts with synthetic ADDED events when no resourceVersion is given', async (t) => {
    const { server, kc } = await started(t);
    server.addPod(microservice('a'));
    server.addPod(buildPod({ name: 'other' }));
    const run = openWatch(kc, { labelSelector: SELECTOR });
    await waitFor(() => run.lines.length === 1);
    assert.deepEqual(summary(run.lines), ['ADDED a']);
    (await run.controller).abort();
  });

  it('turns selector transitions into DELETED and ADDED', async (t) => {
    const { server, kc } = await started(t);
    server.addPod(microservice('flip'));
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: server.resourceVersion });
    await server.waitForWatches(1);
    const gone = server.modifyPod('default', 'flip', { metadata: { labels: { microservice: null } } });
    server.modifyPod('default', 'flip', (pod) => markPodTerminating(pod));
    server.modifyPod('default', 'flip', { metadata: { labels: { microservice: 'true' } } });
    await waitFor(() => run.lines.length === 2);
    assert.deepEqual(summary(run.lines), ['DELETED flip', 'ADDED flip']);
    assert.equal(run.lines[0]?.object.metadata?.resourceVersion, gone.metadata.resourceVersion);
    (await run.controller).abort();
  });

  it('sends bookmarks carrying the current resourceVersion', async (t) => {
    const { server, kc } = await started(t, { bookmarkIntervalMs: 30 });
    const run = openWatch(kc, {
      labelSelector: SELECTOR,
      resourceVersion: server.resourceVersion,
      allowWatchBookmarks: true,
    });
    await server.waitForWatches(1);
    server.addPod(buildPod({ name: 'unselected' }));
    await waitFor(() =>
      run.lines.some((l) => l.type === 'BOOKMARK' && l.object.metadata?.resourceVersion === server.resourceVersion),
    );
    const quiet = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: server.resourceVersion });
    await server.waitForWatches(2);
    // Three more intervals on the watch that asked for bookmarks, then a change both must see: by the time the
    // quiet watch has it, any bookmark it were sent would have come first.
    const seen = run.lines.filter((l) => l.type === 'BOOKMARK').length;
    await waitFor(() => run.lines.filter((l) => l.type === 'BOOKMARK').length >= seen + 3);
    server.addPod(microservice('selected'));
    await waitFor(() => quiet.lines.length > 0);
    assert.deepEqual(summary(quiet.lines), ['ADDED selected'], 'no bookmarks unless allowWatchBookmarks=true');
    (await run.controller).abort();
    (await quiet.controller).abort();
  });

  it('ends the watch cleanly after timeoutSeconds', async (t) => {
    const { server, kc } = await started(t);
    const began = Date.now();
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: server.resourceVersion, timeoutSeconds: 1 });
    assert.equal(await run.done, null);
    assert.ok(Date.now() - began >= 900, 'not before the timeout');
    await waitFor(() => server.openWatchCount === 0);
  });
});

describe('fake API server: 410 and restarts', () => {
  it('answers a compacted resourceVersion with HTTP 410: done gets an Error with statusCode 410', async (t) => {
    const { server, kc } = await started(t, { expiredForm: 'http' });
    const old = server.addPod(microservice('a')).metadata.resourceVersion;
    server.modifyPod('default', 'a', { metadata: { annotations: { x: '1' } } });
    server.compact();
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: old });
    const err = (await run.done) as { statusCode?: number; message?: string };
    assert.equal(err.statusCode, 410);
    assert.equal(err.message, 'Gone');
    assert.deepEqual(run.lines, []);
    assert.equal((await run.controller).signal.aborted, true);
    const raw = await fetch(`${server.url}/api/v1/pods?watch=1&resourceVersion=${old}`);
    assert.deepEqual(await raw.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${old} (${server.resourceVersion})`,
      reason: 'Expired',
      code: 410,
    });
  });

  it('answers a compacted resourceVersion with 200 and one ERROR event, then a clean end', async (t) => {
    const { server, kc } = await started(t, { historyLimit: 2 });
    const old = server.addPod(microservice('a')).metadata.resourceVersion;
    for (const x of ['1', '2', '3']) server.modifyPod('default', 'a', { metadata: { annotations: { x } } });
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: old });
    assert.equal(await run.done, null, 'the client reports a clean end: the 410 is only in the ERROR event');
    assert.deepEqual(
      run.lines.map((l) => [l.type, l.object.code, l.object.reason]),
      [['ERROR', 410, 'Expired']],
    );
    assert.match(run.lines[0]?.object.message ?? '', /^too old resource version: \d+ \(\d+\)$/);
    assert.equal(server.requests.at(-1)?.status, 200);
  });

  it('ends a watch with Premature close when connections are dropped', async (t) => {
    const { server, kc } = await started(t);
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: server.resourceVersion });
    await server.waitForWatches(1);
    server.dropConnections();
    const err = (await run.done) as { code?: string; message?: string };
    assert.equal(err.code, 'ERR_STREAM_PREMATURE_CLOSE');
    assert.equal(err.message, 'Premature close');
  });

  it('holds a hung watch without a byte: no events, no done, no controller until the socket closes', async (t) => {
    const { server, kc } = await started(t);
    server.hangWatches(true);
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: server.resourceVersion, timeoutSeconds: 1 });
    let controllerSeen = false;
    void run.controller.then(() => (controllerSeen = true));
    await server.waitForWatches(1);
    const hung = server.requests.at(-1);
    // A control watch opened after it, with the same timeout: once the control has the change and has ended at its
    // timeout, the hung watch would have had both too if it were served.
    server.hangWatches(false, 'new');
    const control = openWatch(kc, {
      labelSelector: SELECTOR,
      resourceVersion: server.resourceVersion,
      timeoutSeconds: 1,
    });
    await server.waitForWatches(2);
    server.addPod(microservice('unseen'));
    assert.equal(await control.done, null, 'the control watch ends cleanly at its timeout');
    assert.deepEqual(summary(control.lines), ['ADDED unseen']);
    assert.deepEqual(run.lines, []);
    assert.equal(run.doneCalled(), false);
    assert.equal(controllerSeen, false, 'watch() has not resolved, so the caller has nothing to abort');
    assert.equal(hung?.status, undefined);
    server.dropConnections();
    const err = (await run.done) as { code?: string; message?: string };
    assert.equal(err.code, 'ECONNRESET');
    assert.match(err.message ?? '', /socket hang up/);
  });

  it('freezes existing watches and flushes what queued when thawed', async (t) => {
    const { server, kc } = await started(t);
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: server.resourceVersion });
    await server.waitForWatches(1);
    server.hangWatches(true, 'existing');
    // A watch opened after the freeze is served: once it has the change, the frozen one would have had it too.
    const control = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: server.resourceVersion });
    await server.waitForWatches(2);
    server.addPod(microservice('late'));
    await waitFor(() => control.lines.length === 1);
    assert.deepEqual(summary(control.lines), ['ADDED late']);
    assert.deepEqual(run.lines, []);
    server.hangWatches(false, 'existing');
    await waitFor(() => run.lines.length === 1);
    assert.deepEqual(summary(run.lines), ['ADDED late']);
    (await run.controller).abort();
    (await control.controller).abort();
  });

  it('restarts with a new history so the old resourceVersion gets 410 and a relist sees the pods', async (t) => {
    const { server, kc } = await started(t, { expiredForm: 'http' });
    server.addPod(microservice('kept'));
    const old = server.resourceVersion;
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: old });
    await server.waitForWatches(1);
    await server.restart({ newHistory: true, downMs: 20 });
    assert.equal(((await run.done) as { code?: string }).code, 'ERR_STREAM_PREMATURE_CLOSE');
    const again = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: old });
    assert.equal(((await again.done) as { statusCode?: number }).statusCode, 410);
    const relist = await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({ labelSelector: SELECTOR });
    assert.deepEqual(
      relist.items.map((p) => p.metadata?.name),
      ['kept'],
    );
    assert.ok(Number(relist.metadata?.resourceVersion) > Number(old));
  });

  it('restarts keeping history: changes made while down replay to a watch resuming from its last rv', async (t) => {
    const { server, kc } = await started(t);
    server.addPod(microservice('gone'));
    const last = server.resourceVersion;
    await server.restart({ pods: [microservice('new')] });
    const run = openWatch(kc, { labelSelector: SELECTOR, resourceVersion: last });
    await waitFor(() => run.lines.length === 2);
    assert.deepEqual(summary(run.lines), ['DELETED gone', 'ADDED new']);
    (await run.controller).abort();
  });
});

describe('fake API server: client quirks', () => {
  it('refuses connections once stopped: done gets a FetchError with code ECONNREFUSED', async (t) => {
    const { server, kc } = await started(t);
    await server.stop();
    const run = openWatch(kc, { labelSelector: SELECTOR });
    const err = (await run.done) as { code?: string; type?: string };
    assert.deepEqual([err.code, err.type], ['ECONNREFUSED', 'system']);
    await assert.rejects(kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({}), { code: 'ECONNREFUSED' });
  });

  it('swallows exceptions thrown by the watch callback: the event is lost, the watch goes on', async (t) => {
    const { server, kc } = await started(t);
    const seen: string[] = [];
    let doneCalled = false;
    const query = { labelSelector: SELECTOR, resourceVersion: server.resourceVersion };
    const controller = await new Watch(kc).watch(
      '/api/v1/pods',
      query,
      (_type, pod: FakePod) => {
        seen.push(pod.metadata.name);
        if (seen.length === 1) throw new Error('callback bug');
      },
      () => (doneCalled = true),
    );
    server.addPod(microservice('first'));
    server.addPod(microservice('second'));
    await waitFor(() => seen.length === 2);
    assert.deepEqual(seen, ['first', 'second']);
    assert.equal(doneCalled, false);
    controller.abort();
  });

  it('rejects watch() without calling done when an http: cluster lacks skipTLSVerify', async (t) => {
    const { server } = await started(t);
    const kc = kubeConfigFor(server.url);
    kc.clusters = kc.clusters.map((cluster) => ({ ...cluster, skipTLSVerify: false }));
    let doneCalled = false;
    await assert.rejects(
      new Watch(kc).watch(
        '/api/v1/pods',
        {},
        () => undefined,
        () => (doneCalled = true),
      ),
      /HTTP protocol is not allowed/,
    );
    assert.equal(doneCalled, false);
    assert.equal(server.requests.length, 0);
  });
});

describe('fake API server: events', () => {
  it('records core and events.k8s.io event POSTs and PATCHes, answering like the real server', async (t) => {
    const { server, kc } = await started(t);
    const involvedObject = { kind: 'Pod', namespace: 'team-a', name: 'web-1', uid: 'u-1' };
    const created = await kc.makeApiClient(CoreV1Api).createNamespacedEvent({
      namespace: 'team-a',
      body: {
        metadata: { generateName: 'web-1.' },
        involvedObject,
        reason: 'RejectedAnnotation',
        message: 'bad path',
        type: 'Warning',
        count: 1,
      },
    });
    assert.match(created.metadata.name ?? '', /^web-1\.[a-z0-9]{5}$/);
    assert.ok(created.metadata.resourceVersion);
    await kc.makeApiClient(CoreV1Api).patchNamespacedEvent({
      namespace: 'team-a',
      name: created.metadata.name ?? '',
      body: [{ op: 'replace', path: '/count', value: 2 }],
    });
    await kc.makeApiClient(EventsV1Api).createNamespacedEvent({
      namespace: 'team-a',
      body: {
        metadata: { name: 'web-1.abc' },
        eventTime: new Date(),
        regarding: involvedObject,
        reason: 'RejectedAnnotation',
        note: 'bad path',
        type: 'Warning',
        action: 'Validate',
        reportingController: 'k8s-pods-ingress',
        reportingInstance: 'pod-x',
      },
    });
    assert.deepEqual(
      server.events.map((e) => [e.method, e.apiVersion, e.namespace]),
      [
        ['POST', 'v1', 'team-a'],
        ['PATCH', 'v1', 'team-a'],
        ['POST', 'events.k8s.io/v1', 'team-a'],
      ],
    );
    assert.equal(server.events[1]?.contentType, 'application/json-patch+json');
    assert.equal(server.events[1]?.object['count'], 2);
    assert.equal((server.events[2]?.body as { note?: string }).note, 'bad path');
  });
});

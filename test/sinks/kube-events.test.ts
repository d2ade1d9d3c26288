// The Events poster against the fake API server, through the real @kubernetes/client-node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Event } from 'kubernetes-models/v1';
import { Metrics } from '../../src/metrics/metrics.js';
import type { Issue } from '../../src/model/issue.js';
import { kubeEventsFor, type KubeEventResult, type KubeEventsOptions } from '../../src/sinks/kube-events.js';
import { FakeApiServer } from '../support/fake-api-server.js';
import { kubeConfigFor } from '../support/fake-kube-config.js';
import { captureLogs } from '../support/log-capture.js';
import { parseExposition, valueOf } from '../support/prom-text.js';

const badHost: Issue = {
  pod: 'team-a/web-1',
  code: 'invalid-host',
  message: 'host "bad_host" is not a lower-case DNS name or IPv4 address',
};
const conflict: Issue = {
  pod: 'team-b/api-0',
  code: 'host-conflict',
  message: 'host "shop.example.com" belongs to namespace team-a (pod team-a/shop-1 claimed it first)',
};
const uids: Record<string, string> = {
  'team-a/web-1': '5b7c0e2a-1111-4c3e-9a7e-000000000001',
  'team-b/api-0': '5b7c0e2a-2222-4c3e-9a7e-000000000002',
};
const uidOf = (pod: string): string | undefined => uids[pod];
const NOW = Date.parse('2026-03-01T12:00:00Z');

async function setup(t: { after: (fn: () => Promise<void>) => void }, options: Partial<KubeEventsOptions> = {}) {
  const server = await FakeApiServer.start();
  t.after(() => server.stop());
  const { logger, lines } = captureLogs();
  const results: KubeEventResult[] = [];
  const poster = () => {
    const events = kubeEventsFor(kubeConfigFor(server.url), {
      logger,
      instance: 'k8s-pods-ingress-7xk2p',
      now: () => NOW,
      onResult: (r) => results.push(r),
      ...options,
    });
    t.after(() => events.stop());
    return events;
  };
  return { server, lines, results, poster };
}

test('posts one Warning Event naming the pod, its uid, the reason and the rule', async (t) => {
  const { server, results, poster } = await setup(t);
  const events = poster();
  events.report([badHost], uidOf);
  await events.idle();
  assert.deepEqual(results, ['created']);
  assert.equal(server.events.length, 1);
  const [posted] = server.events;
  assert.equal(posted!.method, 'POST');
  assert.equal(posted!.apiVersion, 'v1');
  assert.equal(posted!.namespace, 'team-a');
  assert.match(posted!.name, /^web-1\.[0-9a-f]{16}$/);
  assert.ok(server.requests.some((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/team-a/events'));
  assert.deepEqual(posted!.body, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: posted!.name, namespace: 'team-a' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'team-a', name: 'web-1', uid: uids['team-a/web-1'] },
    reason: 'InvalidHost',
    message: badHost.message,
    type: 'Warning',
    source: { component: 'k8s-pods-ingress' },
    reportingComponent: 'k8s-pods-ingress',
    reportingInstance: 'k8s-pods-ingress-7xk2p',
    firstTimestamp: '2026-03-01T12:00:00.000Z',
    lastTimestamp: '2026-03-01T12:00:00.000Z',
    count: 1,
  });
  // The body is a valid core/v1 Event by the API's own schema (types, required fields, date-time formats).
  assert.doesNotThrow(() => new Event(posted!.body as never).validate());
});

test('one Event per distinct problem: repeats are not posted, other problems and re-created pods are', async (t) => {
  const { server, results, poster } = await setup(t);
  const events = poster();
  events.report([badHost, conflict, badHost], uidOf);
  events.report([badHost], uidOf);
  await events.idle();
  events.report([conflict, badHost], uidOf);
  await events.idle();
  assert.deepEqual(
    server.events.map((e) => [e.namespace, (e.body as { reason: string }).reason]),
    [
      ['team-a', 'InvalidHost'],
      ['team-b', 'HostConflict'],
    ],
  );
  // Another broken entry of the same pod is another problem; a pod re-created under the same name is another pod.
  events.report([{ ...badHost, message: 'host "worse_host" is not a lower-case DNS name or IPv4 address' }], uidOf);
  events.report([badHost], () => 'a-new-uid');
  await events.idle();
  assert.equal(server.events.length, 4);
  assert.deepEqual(results, ['created', 'created', 'created', 'created']);
});

test('after a restart (or in another replica) the same problem gets no second Event: the API answers 409', async (t) => {
  const { server, lines, results, poster } = await setup(t);
  const first = poster();
  first.report([badHost], uidOf);
  await first.idle();
  const second = poster();
  second.report([badHost], uidOf);
  await second.idle();
  assert.equal(server.events.length, 1, 'stored once');
  assert.ok(server.requests.filter((r) => r.kind === 'events').every((r) => r.status === 201 || r.status === 409));
  assert.deepEqual(results, ['created', 'exists']);
  assert.equal(lines.filter((l) => l['level'] === 'warn').length, 0, 'a 409 is not a failure');
});

test('a failing API is logged and counted, never thrown, and the problem is posted when reported again', async (t) => {
  const { server, lines, results, poster } = await setup(t);
  const metrics = new Metrics({ defaultMetrics: false });
  const events = poster();
  const counted = kubeEventsFor(kubeConfigFor(server.url), {
    logger: captureLogs().logger,
    onResult: (r) => metrics.kubeEvent(r),
  });
  t.after(() => counted.stop());
  server.failRequests(2, 500, 'events');
  events.report([badHost], uidOf);
  counted.report([conflict], uidOf);
  await Promise.all([events.idle(), counted.idle()]);
  assert.deepEqual(results, ['failed']);
  assert.equal(server.events.length, 0);
  const warning = lines.find((l) => l['message'] === 'Kubernetes Event not posted');
  assert.deepEqual(warning && [warning['level'], warning['pod'], warning['reason'], warning['error']], [
    'warn',
    'team-a/web-1',
    'InvalidHost',
    'HTTP 500: Internal error occurred: injected fault',
  ]);
  assert.equal(
    valueOf(parseExposition(await metrics.text()), 'k8s_pods_ingress_kube_events_total', { result: 'failed' }),
    1,
  );
  events.report([badHost], uidOf);
  await events.idle();
  assert.deepEqual(results, ['failed', 'created']);
});

test('an unreachable API server is logged and counted, never thrown', async (t) => {
  const { server, lines, results, poster } = await setup(t);
  const events = poster();
  await server.stop();
  assert.doesNotThrow(() => events.report([badHost], uidOf));
  await events.idle();
  assert.deepEqual(results, ['failed']);
  const warning = lines.find((l) => l['message'] === 'Kubernetes Event not posted');
  assert.match(String(warning?.['error']), /ECONNREFUSED/);
});

test('the queue is bounded: what does not fit is dropped, counted and logged once', async (t) => {
  const { server, lines, results, poster } = await setup(t, { maxConcurrent: 1, maxQueued: 2 });
  const events = poster();
  const many: Issue[] = Array.from({ length: 10 }, (_, i) => ({ ...badHost, pod: `team-a/web-${i}` }));
  events.report(many, uidOf);
  await events.idle();
  assert.equal(results.filter((r) => r === 'dropped').length, 7);
  assert.equal(results.filter((r) => r === 'created').length, 3);
  assert.equal(server.events.length, 3);
  assert.equal(lines.filter((l) => l['message'] === 'Kubernetes Event dropped: too many waiting').length, 1);
  // A dropped problem is not remembered: reported again, it is posted.
  events.report([many[9]!], uidOf);
  await events.idle();
  assert.equal(server.events.length, 4);
});

test('stop() drops what waits and ignores later reports', async (t) => {
  const { server, results, poster } = await setup(t, { maxConcurrent: 1 });
  const events = poster();
  events.report([badHost, conflict], uidOf);
  await events.stop();
  events.report([{ ...badHost, pod: 'team-a/web-9' }], uidOf);
  await events.idle();
  assert.deepEqual([...results].sort(), ['created', 'dropped']);
  assert.equal(server.events.length, 1);
});

test('a problem is remembered for rememberMs, then may be posted again', async (t) => {
  let now = NOW;
  const { results, poster } = await setup(t, { rememberMs: 60_000, now: () => now });
  const events = poster();
  events.report([badHost], uidOf);
  await events.idle();
  now += 59_000;
  events.report([badHost], uidOf);
  now += 2_000;
  events.report([badHost], uidOf);
  await events.idle();
  assert.deepEqual(results, ['created', 'exists'], 'the second post finds the first Event (same name)');
});

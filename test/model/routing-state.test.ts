import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodEvent } from '../../src/model/events.js';
import {
  applyEvents,
  DEFAULT_REDUCE_OPTIONS,
  EMPTY_STATE,
  type ReduceOptions,
  type RoutingState,
} from '../../src/model/routing-state.js';
import { buildRoutingTable } from '../../src/model/routing-table.js';
import { added, aPod, deleted, modified, sync } from '../support/pods.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const fold = (
  batches: PodEvent[][],
  options: ReduceOptions = DEFAULT_REDUCE_OPTIONS,
  start = 0,
  step = 2000,
): RoutingState =>
  batches.reduce((state, batch, i) => applyEvents(state, batch, start + i * step, options), EMPTY_STATE);
const servers = (state: RoutingState, policy: 'host' | 'route' = 'host'): string[] =>
  buildRoutingTable(state, policy).hosts.flatMap((h) =>
    h.routes.map(
      (r) =>
        `${h.host}${r.path}=${[...r.backends.map((b) => `${b.namespace}/${b.name}`), ...r.waiting.map((w) => `${w.namespace}/${w.name}?`)].join(',')}`,
    ),
  );

test('the cache is keyed by namespace/name, so same-named pods in two namespaces both count', () => {
  const state = fold([
    [sync(aPod('web', { namespace: 'a', hosts: 'a.com' }), aPod('web', { namespace: 'b', hosts: 'b.com' }))],
  ]);
  assert.deepEqual([...state.pods.keys()].sort(), ['a/web', 'b/web']);
});

test('SYNC replaces the cache wholesale: pods deleted while disconnected disappear', () => {
  const state = fold([[sync(aPod('a'), aPod('b'))], [sync(aPod('b'))]]);
  assert.deepEqual([...state.pods.keys()], ['default/b']);
});

test('a batch that changes nothing routing reads returns the very same state', () => {
  const first = fold([[sync(aPod('a'))]]);
  assert.equal(applyEvents(first, [modified(aPod('a'))], 2000), first);
  assert.equal(applyEvents(first, [sync(aPod('a'))], 2000), first);
  assert.equal(applyEvents(first, [deleted(aPod('ghost'))], 2000), first);
  assert.notEqual(applyEvents(first, [modified(aPod('a', { ready: false }))], 2000), first);
});

test('events before the first SYNC are folded but the state is not synced', () => {
  const state = fold([[added(aPod('a'))]]);
  assert.equal(state.synced, false);
  assert.equal(fold([[added(aPod('a')), sync()]]).synced, true);
});

test('a DELETED for an older incarnation does not remove the pod re-created under the same name', () => {
  const old = aPod('db-0', { uid: 'old' });
  const fresh = aPod('db-0', { uid: 'new' });
  const state = fold([[sync(old)], [added(fresh), deleted(old)]]);
  assert.equal(state.pods.get('default/db-0')?.pod.uid, 'new');
});

test('label removed (arrives as DELETED) and annotations edited', () => {
  const state = fold([
    [sync(aPod('a'), aPod('b', { ip: '10.0.0.2' }))],
    [deleted(aPod('b'))],
    [modified(aPod('a', { paths: '3000:/other' }))],
  ]);
  assert.deepEqual(servers(state), ['test.k8s.local/other=default/a']);
});

const owner = (name: string, minutes: number, extra: Parameters<typeof aPod>[1] = {}) =>
  aPod(name, { namespace: 'team-a', created: T0 + minutes * 60_000, ...extra });
const rival = (name: string, minutes: number, extra: Parameters<typeof aPod>[1] = {}) =>
  aPod(name, { namespace: 'team-b', created: T0 + minutes * 60_000, ip: '10.9.9.9', ...extra });

test('cross-namespace: the oldest claiming pod decides, whatever the order of arrival', () => {
  const orders: [string, PodEvent[][]][] = [
    ['owner first', [[sync(owner('a1', 0))], [added(rival('b1', 5))]]],
    ['rival first', [[sync(rival('b1', 5))], [added(owner('a1', 0))]]],
    ['same batch', [[sync(rival('b1', 5), owner('a1', 0))]]],
  ];
  for (const [name, batches] of orders) {
    const state = fold(batches);
    assert.deepEqual(servers(state), ['test.k8s.local/nodejs=team-a/a1'], name);
    const issues = buildRoutingTable(state, 'host').issues;
    assert.deepEqual(
      issues.map((i) => `${i.pod} ${i.code}`),
      ['team-b/b1 host-conflict'],
      name,
    );
  }
});

test("cross-namespace: a sub-path on someone else's host is refused too", () => {
  const state = fold([[sync(owner('a1', 0, { paths: '80:/' }), rival('b1', 5, { paths: '80:/admin' }))]]);
  assert.deepEqual(servers(state), ['test.k8s.local/=team-a/a1']);
});

test('cross-namespace: a rolling restart keeps the host even though the new pods are younger than the rival', () => {
  const state = fold([
    [sync(owner('a1', 0), rival('b1', 5))],
    [added(owner('a2', 10, { ip: '10.0.0.2' }))],
    [deleted(owner('a1', 0))],
  ]);
  assert.deepEqual(servers(state), ['test.k8s.local/nodejs=team-a/a2']);
});

test('cross-namespace: delete-then-create within the grace period keeps the host; after it the rival takes over', () => {
  const options = { ...DEFAULT_REDUCE_OPTIONS, ownershipGraceMs: 60_000 };
  const during = fold(
    [[sync(owner('a1', 0), rival('b1', 5))], [deleted(owner('a1', 0))], [added(owner('a2', 10))]],
    options,
  );
  assert.deepEqual(servers(during), ['test.k8s.local/nodejs=team-a/a2']);
  const vacant = fold([[sync(owner('a1', 0), rival('b1', 5))], [deleted(owner('a1', 0))]], options);
  assert.deepEqual(servers(vacant), [], 'nobody serves the host during the grace period');
  const after = applyEvents(vacant, [], 2000 + 60_000, options);
  assert.deepEqual(servers(after), ['test.k8s.local/nodejs=team-b/b1']);
});

test('cross-namespace: with grace 0 the host passes on as soon as the owner has no claiming pod', () => {
  const options = { ...DEFAULT_REDUCE_OPTIONS, ownershipGraceMs: 0 };
  const state = fold([[sync(owner('a1', 0), rival('b1', 5))], [deleted(owner('a1', 0))]], options);
  assert.deepEqual(servers(state), ['test.k8s.local/nodejs=team-b/b1']);
});

test('within one namespace, claims merge; not-ready claimants are listed as waiting', () => {
  const state = fold([[sync(owner('a1', 0), owner('a2', 1, { ip: '10.0.0.2' }), owner('a3', 2, { ready: false }))]]);
  assert.deepEqual(servers(state), ['test.k8s.local/nodejs=team-a/a1,team-a/a2,team-a/a3?']);
});

test('route policy: namespaces share a host, each (host, path) has one owner', () => {
  const options = { ...DEFAULT_REDUCE_OPTIONS, ownership: 'route' as const };
  const state = fold([[sync(owner('a1', 0, { paths: '80:/' }), rival('b1', 5, { paths: '80:/admin 80:/' }))]], options);
  assert.deepEqual(servers(state, 'route'), ['test.k8s.local/=team-a/a1', 'test.k8s.local/admin=team-b/b1']);
  assert.deepEqual(
    buildRoutingTable(state, 'route').issues.map((i) => i.code),
    ['route-conflict'],
  );
});

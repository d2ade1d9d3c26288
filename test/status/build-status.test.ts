import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProjectedPod } from '../../src/model/pod.js';
import { buildRoutingTable } from '../../src/model/routing-table.js';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE, type RoutingState } from '../../src/model/routing-state.js';
import { buildStatus, NOTHING_APPLIED } from '../../src/status/build-status.js';
import type { StatusReport } from '../../src/status/status-report.js';
import { aPod, sync } from '../support/pods.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function stateOf(pods: readonly ProjectedPod[], ownership: 'host' | 'route' = 'host', now = T0): RoutingState {
  return applyEvents(EMPTY_STATE, [sync(...pods)], now, { ...DEFAULT_REDUCE_OPTIONS, ownership });
}

function statusOf(pods: readonly ProjectedPod[], ownership: 'host' | 'route' = 'host'): StatusReport {
  const state = stateOf(pods, ownership);
  return buildStatus(state, buildRoutingTable(state, ownership), NOTHING_APPLIED, {
    policy: ownership,
    wallClock: true,
  });
}

test('routes, backends, waiting pods and owners, case by case', () => {
  const cases: { name: string; pods: ProjectedPod[]; check: (status: StatusReport) => void }[] = [
    {
      name: 'empty cluster: no routes, no pods, format 1',
      pods: [],
      check: (s) => {
        assert.equal(s.format, 1);
        assert.deepEqual([s.routes, s.pods, s.owners], [[], [], []]);
        assert.deepEqual(s.page, { offset: 0, limit: null, routes: 0, pods: 0, owners: 0, truncated: false });
      },
    },
    {
      name: 'two ready pods serve one route, sorted by name',
      pods: [aPod('b', { ip: '10.0.0.2' }), aPod('a', { ip: '10.0.0.1' })],
      check: (s) => {
        assert.deepEqual(s.routes, [
          {
            host: 'test.k8s.local',
            path: '/nodejs',
            namespace: 'default',
            unavailable: false,
            notReady: [],
            backends: [
              { namespace: 'default', pod: 'a', address: '10.0.0.1:3000' },
              { namespace: 'default', pod: 'b', address: '10.0.0.2:3000' },
            ],
          },
        ]);
        assert.deepEqual(
          s.pods.map((p) => [p.name, p.ready, p.routes.map((r) => r.state)]),
          [
            ['a', true, ['serving']],
            ['b', true, ['serving']],
          ],
        );
        assert.deepEqual(s.owners, [
          {
            host: 'test.k8s.local',
            path: null,
            namespace: 'default',
            pod: 'default/a',
            since: '2026-01-01T00:00:00.000Z',
            vacant: false,
            vacantSince: null,
          },
        ]);
        assert.equal(s.summary.backends, 2);
      },
    },
    {
      name: 'all pods not ready: the route answers 503 and says why each waits',
      pods: [aPod('pending', { phase: 'Pending', ip: null, ready: false }), aPod('unready', { ready: false })],
      check: (s) => {
        assert.equal(s.routes[0]!.unavailable, true);
        assert.deepEqual(s.routes[0]!.notReady, [
          {
            namespace: 'default',
            pod: 'pending',
            reasons: ['phase is Pending, not Running', 'condition Ready is not True', 'no pod IP yet'],
          },
          { namespace: 'default', pod: 'unready', reasons: ['condition Ready is not True'] },
        ]);
        assert.deepEqual(s.summary, {
          hosts: 1,
          routes: 1,
          unavailableRoutes: 1,
          backends: 0,
          pods: 2,
          notReadyPods: 2,
          podsWithIssues: 0,
          issues: 0,
        });
        assert.deepEqual(
          s.pods.map((p) => p.routes[0]!.state),
          ['not-ready', 'not-ready'],
        );
      },
    },
    {
      name: 'a terminating pod claims nothing and says so',
      pods: [aPod('going', { deleting: true })],
      check: (s) => {
        assert.deepEqual(s.routes, []);
        assert.deepEqual(s.pods[0]!.notReady, ['terminating (deletionTimestamp is set)']);
        assert.deepEqual(s.pods[0]!.routes, []);
      },
    },
    {
      name: 'a younger namespace is refused on an owned host, with the Issue on its pod',
      pods: [
        aPod('owner', { namespace: 'shop' }),
        aPod('thief', { namespace: 'evil', created: T0 + 1000, ip: '10.0.0.9' }),
      ],
      check: (s) => {
        assert.deepEqual(
          s.routes.map((r) => [r.namespace, r.backends.map((b) => b.pod)]),
          [['shop', ['owner']]],
        );
        const thief = s.pods.find((p) => p.name === 'thief')!;
        assert.deepEqual(thief.routes, [{ host: 'test.k8s.local', path: '/nodejs', port: 3000, state: 'refused' }]);
        assert.deepEqual(
          thief.issues.map((i) => i.code),
          ['host-conflict'],
        );
        assert.match(thief.issues[0]!.message, /belongs to namespace shop/);
      },
    },
    {
      name: 'policy route: each path has its own owner',
      pods: [
        aPod('a', { namespace: 'one', paths: '80:/a' }),
        aPod('b', { namespace: 'two', paths: '80:/b', created: T0 + 1 }),
      ],
      check: (s) => {
        assert.deepEqual(
          s.owners.map((o) => [o.host, o.path, o.namespace]),
          [
            ['test.k8s.local', '/a', 'one'],
            ['test.k8s.local', '/b', 'two'],
          ],
        );
        assert.deepEqual(
          s.routes.map((r) => [r.path, r.namespace]),
          [
            ['/a', 'one'],
            ['/b', 'two'],
          ],
        );
      },
    },
    {
      name: 'no creationTimestamp: since is null, not a date in the year 287396',
      pods: [aPod('ageless', { created: Number.MAX_SAFE_INTEGER })],
      check: (s) => {
        assert.equal(s.pods[0]!.created, null);
        assert.equal(s.owners[0]!.since, null);
      },
    },
  ];
  for (const c of cases) {
    const policy = c.name.startsWith('policy route') ? 'route' : 'host';
    try {
      c.check(statusOf(c.pods, policy));
    } catch (error) {
      throw new Error(`${c.name}: ${(error as Error).message}`, { cause: error });
    }
  }
});

test('hostile values never reach the document raw', () => {
  const cases: { name: string; pod: Partial<ProjectedPod>; forbidden: RegExp; shows?: RegExp }[] = [
    {
      name: 'script in the hosts annotation',
      pod: { hosts: '<script>alert(1)</script>' },
      forbidden: /(?<!\\")<script>/,
      shows: /host \\"<script>alert\(1\)<\/script>\\" is not a DNS name/,
    },
    {
      name: 'a line break and bidi override in a path',
      pod: { paths: '80:/a\n\u202eb' },
      forbidden: /\u202e|\/a\n/,
      shows: /\\u202e/,
    },
    {
      name: 'a pod name that is no Kubernetes name',
      pod: { name: 'x\u001b[31mred' },
      forbidden: new RegExp(String.fromCharCode(27)),
      shows: /\\u001b\[31mred/,
    },
    {
      name: 'a phase that is no phase',
      pod: { phase: 'Running\u2028now', ready: false },
      forbidden: /\u2028/,
      shows: /phase is \\"Running\\\\u2028now\\"/,
    },
    { name: 'a pod IP that is no IP', pod: { ip: '10.0.0.1; rm -rf /' }, forbidden: /"ip":"10/, shows: /"ip":null/ },
    { name: 'a 100 kB annotation', pod: { hosts: `${'a'.repeat(100_000)}.example.com` }, forbidden: /a{200}/ },
  ];
  for (const c of cases) {
    const text = JSON.stringify(statusOf([aPod('p', c.pod)]));
    assert.doesNotMatch(text, c.forbidden, c.name);
    if (c.shows !== undefined) assert.match(text, c.shows, c.name);
    // Everything is printable ASCII once JSON-encoded: nothing can break a line or a terminal.
    assert.match(text, /^[\x20-\x7e]*$/, `${c.name}: printable ASCII only`);
  }
});

test('the same pods in any order give the same document', () => {
  const pods = [
    aPod('a', { namespace: 'x' }),
    aPod('b', { namespace: 'y', created: T0 + 5 }),
    aPod('c', { hosts: 'bad_host', namespace: 'x' }),
    aPod('d', { ready: false, namespace: 'x' }),
  ];
  const reference = JSON.stringify(statusOf(pods));
  assert.equal(JSON.stringify(statusOf([...pods].reverse())), reference);
  assert.equal(JSON.stringify(statusOf([pods[2]!, pods[0]!, pods[3]!, pods[1]!])), reference);
});

test('a vacant hold is shown with its time live, and without it on the virtual clock of a replay', () => {
  const owner = aPod('owner', { namespace: 'shop' });
  const rival = aPod('rival', { namespace: 'other', created: T0 + 1000 });
  const before = stateOf([owner, rival]);
  const after = applyEvents(before, [{ type: 'DELETED', pod: owner }], T0 + 5000, DEFAULT_REDUCE_OPTIONS);
  const table = buildRoutingTable(after, 'host');
  const live = buildStatus(after, table, NOTHING_APPLIED, { policy: 'host', wallClock: true });
  assert.deepEqual(
    live.owners.map((o) => [o.namespace, o.vacant, o.vacantSince]),
    [['shop', true, '2026-01-01T00:00:05.000Z']],
  );
  assert.deepEqual(live.routes, [], 'nobody serves the host during the grace period');
  const replayed = buildStatus(after, table, NOTHING_APPLIED, { policy: 'host', wallClock: false });
  assert.deepEqual(
    replayed.owners.map((o) => [o.vacant, o.vacantSince]),
    [[true, null]],
  );
});

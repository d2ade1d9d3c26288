import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProjectedPod } from '../../src/model/pod.js';
import { buildRoutingTable } from '../../src/model/routing-table.js';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE } from '../../src/model/routing-state.js';
import { buildStatus, NOTHING_APPLIED } from '../../src/status/build-status.js';
import { closestPods, explainPod } from '../../src/status/explain-pod.js';
import { ownerText, podText, routeText, type StatusSelection } from '../../src/status/select-status.js';
import type { StatusReport } from '../../src/status/status-report.js';
import { aPod, sync } from '../support/pods.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function statusOf(pods: readonly ProjectedPod[], selection?: StatusSelection): StatusReport {
  const state = applyEvents(EMPTY_STATE, [sync(...pods)], T0, DEFAULT_REDUCE_OPTIONS);
  return buildStatus(
    state,
    buildRoutingTable(state, 'host'),
    NOTHING_APPLIED,
    { policy: 'host', wallClock: false },
    selection,
  );
}

const SCENE_PODS = [
  aPod('web-1', { namespace: 'shop', hosts: 'shop.test', paths: '80:/ 80:/api' }),
  aPod('web-2', {
    namespace: 'shop',
    hosts: 'shop.test',
    paths: '80:/ 80:/api',
    phase: 'Pending',
    ip: null,
    ready: false,
    created: T0 + 10,
  }),
  aPod('thief', {
    namespace: 'evil',
    hosts: 'shop.test own.test',
    paths: '80:/admin',
    created: T0 + 20,
    ip: '10.0.0.9',
  }),
  aPod('typo', {
    namespace: 'shop',
    hosts: 'shop.test Bad_Host',
    paths: '80:/ 80:/../x',
    created: T0 + 30,
    ip: '10.0.0.7',
  }),
  aPod('web-1', { namespace: 'staging', hosts: 'staging.test', paths: '80:/' }),
];

const SCENE = statusOf(SCENE_PODS);

test('explanations say what became of each route, entry, host and the readiness, case by case', () => {
  const cases: { pod: string; says: RegExp[] }[] = [
    {
      pod: 'shop/web-1',
      says: [
        /readiness: ready/,
        /shop\.test\/ -> port 80: served by this pod\n\s+2 ready pods: shop\/typo \(10\.0\.0\.7:80\), shop\/web-1 \(10\.0\.0\.1:80\); waiting: shop\/web-2 \(phase is Pending/,
        /Refused entries: none/,
        /shop\.test: namespace shop \(this pod's namespace\), since 2026-01-01T00:00:00\.000Z, the creation of its oldest claiming pod shop\/web-1/,
      ],
    },
    {
      pod: 'shop/web-2',
      says: [
        /not ready, so it serves no traffic: phase is Pending, not Running; condition Ready is not True; no pod IP yet/,
        /shop\.test\/api -> port 80: not served by this pod, which is not ready; its other pods serve it/,
      ],
    },
    {
      pod: 'evil/thief',
      says: [
        /shop\.test\/admin -> port 80: refused \(see the refused claims below\); its requests go to the routes namespace shop serves on the host/,
        /own\.test\/admin -> port 80: served by this pod/,
        /host-conflict: host shop\.test belongs to namespace shop/,
        /shop\.test: namespace shop, since/,
      ],
    },
    {
      pod: 'shop/typo',
      says: [
        /invalid-host: host "Bad_Host" is not a DNS name/,
        /invalid-path: paths entry "80:\/\.\.\/x"/,
        /Routes it asks for \(1 host x 1 path\)/,
      ],
    },
  ];
  for (const c of cases) {
    const text = explainPod(SCENE, c.pod);
    assert.ok(text !== null, c.pod);
    for (const pattern of c.says) assert.match(text, pattern, `${c.pod}:\n${text}`);
  }
  assert.equal(explainPod(SCENE, 'shop/nope'), null);
});

test('a terminating pod and a pod without valid entries are told apart', () => {
  const status = statusOf([aPod('going', { deleting: true }), aPod('empty', { hosts: '' })]);
  assert.match(explainPod(status, 'default/going')!, /Routes: none, because it is terminating/);
  assert.match(
    explainPod(status, 'default/empty')!,
    /Routes: none, because no host or no path entry[\s\S]*missing-annotation/,
  );
});

test('closest pods: the same name elsewhere, replicas by prefix, then near misses', () => {
  const cases: [string, string[]][] = [
    ['default/web-1', ['shop/web-1', 'staging/web-1']],
    ['shop/web', ['shop/web-1', 'shop/web-2', 'staging/web-1']],
    ['shop/thief', ['evil/thief']],
    ['shop/typp', ['shop/typo']],
    ['x/completely-different', []],
  ];
  for (const [key, expected] of cases) assert.deepEqual(closestPods(SCENE, key), expected, key);
});

test('the search texts of the model values are those the page filters by', () => {
  for (const query of ['shop', 'web-1', 'staging/', '/api', 'shop.test/admin', 'evil/thief', 'Bad_Host', 'bad_host']) {
    const words = query.toLowerCase();
    assert.deepEqual(
      statusOf(SCENE_PODS, { query, offset: 0, limit: null }).pods,
      SCENE.pods.filter((p) => podText(p).includes(words)),
      query,
    );
    assert.deepEqual(
      statusOf(SCENE_PODS, { query, offset: 0, limit: null }).routes,
      SCENE.routes.filter((r) => routeText(r).includes(words)),
      query,
    );
    assert.deepEqual(
      statusOf(SCENE_PODS, { query, offset: 0, limit: null }).owners,
      SCENE.owners.filter((o) => ownerText(o).includes(words)),
      query,
    );
  }
});

test('selecting: every word must match a host, path or pod; the page cuts each list and says so', () => {
  const select = (query: string, offset = 0, limit: number | null = null): StatusReport =>
    statusOf(SCENE_PODS, { query, offset, limit });
  assert.deepEqual(
    select('own.test').routes.map((r) => r.host),
    ['own.test'],
  );
  assert.deepEqual(
    select('SHOP web-2').pods.map((p) => p.name),
    ['web-2'],
  );
  assert.deepEqual(
    select('evil/').owners.map((o) => o.host),
    ['own.test'],
    'owners by namespace',
  );
  const page = select('', 1, 2);
  assert.deepEqual(
    page.pods.map((p) => `${p.namespace}/${p.name}`),
    ['shop/typo', 'shop/web-1'],
  );
  assert.deepEqual(page.pods, SCENE.pods.slice(1, 3), 'a page holds the same entries as the whole document');
  assert.deepEqual(page.routes, SCENE.routes.slice(1, 3));
  assert.deepEqual(page.page, {
    offset: 1,
    limit: 2,
    routes: SCENE.routes.length,
    pods: 5,
    owners: SCENE.owners.length,
    truncated: true,
  });
  assert.deepEqual(page.summary, SCENE.summary, 'totals stay those of the whole state');
  assert.equal(select('', 0, 100).page.truncated, false);
});

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { startEndpointServer } from '../../src/http/endpoint-server.js';
import { STATUS_LIMITS } from '../../src/http/endpoint-routes.js';
import { escapeHtml, html } from '../../src/http/html.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { Status } from '../../src/metrics/status.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE } from '../../src/model/routing-state.js';
import { StatusHolder } from '../../src/status/status-holder.js';
import type { StatusReport } from '../../src/status/status-report.js';
import { captureLogs } from '../support/log-capture.js';
import { aPod, sync } from '../support/pods.js';

const AT = Date.parse('2026-03-01T12:00:00Z');
const HOSTILE = '<script>alert("x")</script>';

/** Serves /status and / over a holder whose config in force was rendered from `pods`. */
async function serve(t: TestContext, pods: readonly ProjectedPod[]) {
  const routing = new StatusHolder({ policy: 'host', nginx: true });
  routing.state(applyEvents(EMPTY_STATE, [sync(...pods)], AT, DEFAULT_REDUCE_OPTIONS));
  routing.rendered('abc123');
  routing.applied(
    { type: 'applied', config: { hash: 'abc123', routes: 1, backends: 1 }, durationMs: 1, action: 'started' },
    AT,
  );
  const status = new Status({ watchSilenceLimitMs: 60_000, nginx: true, startedAtMs: AT });
  const server = await startEndpointServer({
    port: 0,
    host: '127.0.0.1',
    status,
    metrics: new Metrics({ defaultMetrics: false }),
    routing,
    logger: captureLogs().logger,
  });
  t.after(() => server.close());
  return async (path: string, method = 'GET') => {
    const response = await fetch(server.url + path, { method });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
}

const SCENE = [
  aPod('web-1', { namespace: 'shop', hosts: 'shop.test' }),
  aPod('web-2', { namespace: 'shop', hosts: 'shop.test', ready: false, created: AT }),
  aPod('evil', {
    namespace: 'x',
    hosts: `${HOSTILE} other.test`,
    paths: `80:/"><img src=x onerror=alert(1)>`,
    ip: '10.0.0.9',
  }),
];

test('/status is the JSON document; methods other than GET and HEAD are refused', async (t) => {
  const get = await serve(t, SCENE);
  const reply = await get('/status');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
  const report = JSON.parse(reply.body) as StatusReport;
  assert.equal(report.format, 1);
  assert.deepEqual(
    [report.config.hash, report.config.appliedAt, report.config.reloads],
    ['abc123', '2026-03-01T12:00:00.000Z', 0],
  );
  assert.deepEqual(
    report.routes.map((r) => [r.host, r.backends.map((b) => b.pod), r.notReady.map((w) => w.pod)]),
    [['shop.test', ['web-1'], ['web-2']]],
  );
  assert.deepEqual(
    report.pods.map((p) => `${p.namespace}/${p.name}`),
    ['shop/web-1', 'shop/web-2', 'x/evil'],
  );

  const cases: { name: string; path: string; method: string; status: number; body?: RegExp }[] = [
    { name: 'HEAD /status has no body', path: '/status', method: 'HEAD', status: 200, body: /^$/ },
    { name: 'POST /status', path: '/status', method: 'POST', status: 405, body: /not allowed; use GET or HEAD/ },
    { name: 'PUT /', path: '/', method: 'PUT', status: 405 },
    { name: 'DELETE /status.js', path: '/status.js', method: 'DELETE', status: 405 },
    { name: 'the script', path: '/status.js', method: 'GET', status: 200, body: /^'use strict';/ },
    { name: 'the stylesheet', path: '/status.css', method: 'GET', status: 200, body: /:root \{/ },
    { name: 'a sub-path of /status', path: '/status/x', method: 'GET', status: 404 },
  ];
  for (const c of cases) {
    const answer = await get(c.path, c.method);
    assert.equal(answer.status, c.status, c.name);
    if (c.status === 405) assert.equal(answer.headers.get('allow'), 'GET, HEAD', c.name);
    if (c.body !== undefined) assert.match(answer.body, c.body, c.name);
  }
  const head = await get('/status', 'HEAD');
  assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(reply.body)));
});

test('the page escapes every value, echoes the search only escaped, and forbids inline script by its policy', async (t) => {
  const get = await serve(t, SCENE);
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const policy = page.headers.get('content-security-policy') ?? '';
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /script-src 'self'(;|$)/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
  assert.equal(page.body.match(/<script/g)?.length, 1, 'the one script element is the served /status.js');
  assert.match(page.body, /<script src="\/status\.js" defer><\/script>/);
  assert.ok(
    page.body.includes('host &quot;&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;&quot; is not a DNS name'),
    'the hostile host is shown as text',
  );
  assert.ok(page.body.includes(escapeHtml('paths entry "80:/\\"><img')), 'the hostile path too');
  assert.doesNotMatch(page.body, /<img/);
  assert.match(page.body, /shop\/<\/span>web-1/);

  const search = await get(`/?q=${encodeURIComponent('"><script>alert(2)</script>')}`);
  assert.equal(search.status, 200);
  assert.doesNotMatch(search.body, /alert\(2\)<\/script>/);
  assert.match(search.body, /value="&quot;&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;"/);
});

test('bad paging parameters get a 400 that does not echo them', async (t) => {
  const get = await serve(t, SCENE);
  const cases: [string, RegExp][] = [
    ['/status?offset=-1', /^offset must be a whole number from 0\n$/],
    ['/status?limit=0', /^limit must be a whole number from 1 to 5000\n$/],
    [`/status?limit=${STATUS_LIMITS.max + 1}`, /^limit must be/],
    ['/?limit=<b>', /^limit must be/],
    [`/status?q=${'a'.repeat(201)}`, /^q must be at most 200 characters\n$/],
  ];
  for (const [path, body] of cases) {
    const answer = await get(path);
    assert.equal(answer.status, 400, path);
    assert.match(answer.body, body, path);
    assert.doesNotMatch(answer.body, /<b>/, path);
  }
});

test('at a large cluster both answers are capped, and say so', async (t) => {
  const pods = Array.from({ length: 1200 }, (_, i) =>
    aPod(`pod-${String(i).padStart(4, '0')}`, { hosts: `h${i}.test`, ip: `10.0.${i >> 8}.${i & 255}` }),
  );
  const get = await serve(t, pods);
  const first = JSON.parse((await get('/status')).body) as StatusReport;
  assert.equal(first.pods.length, STATUS_LIMITS.default);
  assert.equal(first.routes.length, STATUS_LIMITS.default);
  assert.deepEqual(first.page, { offset: 0, limit: 500, routes: 1200, pods: 1200, owners: 1200, truncated: true });
  assert.equal(first.summary.pods, 1200);
  const last = JSON.parse((await get('/status?offset=1100&limit=500')).body) as StatusReport;
  assert.deepEqual([last.pods.length, last.pods[0]!.name, last.page.truncated], [100, 'pod-1100', true]);
  const searched = JSON.parse((await get('/status?q=pod-0042')).body) as StatusReport;
  assert.deepEqual(
    searched.pods.map((p) => p.name),
    ['pod-0042'],
  );
  const page = await get('/');
  assert.match(page.body, /Showing entries 1–500 of each list \(1200 routes, 1200 pods, 1200 owners match\)/);
  assert.match(page.body, /href="\/\?offset=500&amp;limit=500"/);
  assert.ok(Buffer.byteLength(page.body) < 2_000_000, `page of ${Buffer.byteLength(page.body)} bytes`);
});

test('html escapes every interpolated value once, and markup it built not again', () => {
  const cases: [string, string][] = [
    [html`<b>${HOSTILE}</b>`.text, '<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</b>'],
    [html`<i title="${`" onmouseover="x`}">`.text, '<i title="&quot; onmouseover=&quot;x">'],
    [html`<i title='${"' onclick='x"}'>`.text, "<i title='&#39; onclick=&#39;x'>"],
    [html`${html`<em>${'&'}</em>`}`.text, '<em>&amp;</em>'],
    [html`${['<a>', html`<br>`]}`.text, '&lt;a&gt;<br>'],
    [html`${null}${undefined}${false}${0}`.text, '0'],
  ];
  for (const [actual, expected] of cases) assert.equal(actual, expected);
});

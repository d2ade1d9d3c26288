import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { test } from 'node:test';
import {
  endpointServer$,
  EndpointServerError,
  startEndpointServer,
  type EndpointServer,
} from '../../src/http/endpoint-server.js';
import { ENDPOINT_PATHS } from '../../src/http/endpoint-routes.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { Status } from '../../src/metrics/status.js';
import { captureLogs } from '../support/log-capture.js';

const LIMIT_MS = 30_000;

/** Starts a server on 127.0.0.1 with a status and a clock the test drives; stopped after the test. */
async function serve(t: { after: (fn: () => Promise<void>) => void }, nginx = true) {
  let now = 1_000_000;
  const status = new Status({ watchSilenceLimitMs: LIMIT_MS, nginx, startedAtMs: now });
  const metrics = new Metrics({ defaultMetrics: false });
  const { logger, lines } = captureLogs();
  const server = await startEndpointServer({ port: 0, host: '127.0.0.1', status, metrics, logger, now: () => now });
  t.after(() => server.close());
  const get = async (path: string, method = 'GET'): Promise<{ status: number; body: string; headers: Headers }> => {
    const response = await fetch(server.url + path, { method });
    return { status: response.status, body: await response.text(), headers: response.headers };
  };
  return { server, status, lines, get, advance: (ms: number) => (now += ms), now: () => now };
}

test('/healthz fails when the watch goes silent past the limit and recovers when it speaks', async (t) => {
  const { status, get, advance, now } = await serve(t);
  assert.deepEqual(await get('/healthz').then((r) => [r.status, r.body]), [200, 'ok\n'], 'healthy while starting');
  advance(LIMIT_MS + 1000);
  assert.deepEqual(await get('/healthz').then((r) => [r.status, r.body]), [
    503,
    'watch not connected after 31 s (limit 30 s)\n',
  ]);
  status.watchAlive(now());
  assert.equal((await get('/healthz')).status, 200);
  advance(93_000);
  assert.deepEqual(await get('/healthz').then((r) => [r.status, r.body]), [
    503,
    'watch silent for 93 s (limit 30 s)\n',
  ]);
  status.watchAlive(now());
  assert.equal((await get('/healthz')).status, 200);
});

test('/healthz fails while nginx is reported down, and only when nginx is used', async (t) => {
  const withNginx = await serve(t);
  withNginx.status.nginxUp(false, 'nginx exited with status 1; restarting');
  assert.deepEqual(await withNginx.get('/healthz').then((r) => [r.status, r.body]), [
    503,
    'nginx exited with status 1; restarting\n',
  ]);
  withNginx.status.nginxUp(true);
  assert.equal((await withNginx.get('/healthz')).status, 200);
  const stdoutSink = await serve(t, false);
  stdoutSink.status.nginxUp(false);
  assert.equal((await stdoutSink.get('/healthz')).status, 200);
});

test('/readyz turns 200 after the first applied config and 503 on shutdown', async (t) => {
  const { status, get } = await serve(t);
  assert.deepEqual(await get('/readyz').then((r) => [r.status, r.body]), [503, 'no config applied yet\n']);
  status.applied('0123abcd', 5);
  assert.deepEqual(await get('/readyz').then((r) => [r.status, r.body]), [200, 'ok\n']);
  status.shuttingDown();
  assert.deepEqual(await get('/readyz').then((r) => [r.status, r.body]), [503, 'shutting down\n']);
});

test('paths, methods, HEAD, query strings and headers', async (t) => {
  const { get } = await serve(t);
  const cases: { name: string; path: string; method?: string; status: number; body?: RegExp; allow?: string }[] = [
    { name: 'unknown path', path: '/', status: 404, body: /^not found: \/; try \/healthz, \/readyz, \/metrics\n$/ },
    { name: 'a prefix is not the path', path: '/healthzz', status: 404 },
    { name: 'a sub-path is not the path', path: '/metrics/x', status: 404 },
    { name: 'query ignored', path: '/healthz?verbose=1', status: 200, body: /^ok\n$/ },
    {
      name: 'POST refused',
      path: '/healthz',
      method: 'POST',
      status: 405,
      body: /method POST not allowed; use GET or HEAD/,
      allow: 'GET, HEAD',
    },
    { name: 'DELETE refused', path: '/metrics', method: 'DELETE', status: 405, allow: 'GET, HEAD' },
    { name: 'HEAD has no body', path: '/readyz', method: 'HEAD', status: 503, body: /^$/ },
    { name: 'metrics', path: '/metrics', status: 200, body: /^# HELP k8s_pods_ingress_/m },
  ];
  for (const c of cases) {
    const reply = await get(c.path, c.method);
    assert.equal(reply.status, c.status, c.name);
    if (c.body !== undefined) assert.match(reply.body, c.body, c.name);
    if (c.allow !== undefined) assert.equal(reply.headers.get('allow'), c.allow, c.name);
    assert.equal(reply.headers.get('cache-control'), 'no-store', c.name);
  }
  const head = await get('/healthz', 'HEAD');
  assert.equal(head.headers.get('content-length'), '3', 'HEAD tells the length of the GET body');
});

test('the exported paths are the ones served', () => {
  assert.deepEqual(ENDPOINT_PATHS, {
    liveness: '/healthz',
    readiness: '/readyz',
    metrics: '/metrics',
    status: '/status',
    page: '/',
  });
});

test('a port in use is refused with an error naming the address and the settings', async (t) => {
  const { server } = await serve(t);
  const { logger } = captureLogs();
  await assert.rejects(
    startEndpointServer({
      port: server.port,
      host: '127.0.0.1',
      status: new Status({ watchSilenceLimitMs: 1, nginx: false, startedAtMs: 0 }),
      metrics: new Metrics({ defaultMetrics: false }),
      logger,
    }),
    (error: unknown) =>
      error instanceof EndpointServerError &&
      /127\.0\.0\.1:\d+: EADDRINUSE \(see HTTP_PORT, HTTP_ADDRESS\)/.test(error.message),
  );
});

test('close() ends kept-alive connections, so shutdown never waits for a scraper', async (t) => {
  const { server, lines } = await serve(t);
  assert.ok(
    lines.some(
      (line) => line['message'] === 'serving health and metrics' && line['address'] === `127.0.0.1:${server.port}`,
    ),
  );
  const agent = new Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  // The connection stays open after its response, as a scraper's would; close() must not wait for it. The agent
  // unrefs idle sockets, so a timer keeps the test alive until the socket sees the server hang up.
  const hold = setInterval(() => {}, 1000);
  t.after(() => clearInterval(hold));
  const socketClosed = new Promise<void>((resolve, reject) => {
    const req = request(`${server.url}/healthz`, { agent }, (res) => {
      res.resume();
      res.once('end', () => void server.close());
    });
    req.once('socket', (socket) => socket.once('close', () => resolve()));
    req.once('error', reject);
    req.end();
  });
  await socketClosed;
  await server.close();
});

test('endpointServer$ serves while subscribed and closes on unsubscribe', async () => {
  const { logger } = captureLogs();
  const status = new Status({ watchSilenceLimitMs: 1000, nginx: false, startedAtMs: Date.now() });
  const server$ = endpointServer$({
    port: 0,
    host: '127.0.0.1',
    status,
    metrics: new Metrics({ defaultMetrics: false }),
    logger,
  });
  const served = await new Promise<EndpointServer>((resolve, reject) => {
    const subscription = server$.subscribe({
      next: (server) => {
        void fetch(`${server.url}/healthz`).then((response) => {
          assert.equal(response.status, 200, 'serving while subscribed');
          subscription.unsubscribe();
          resolve(server);
        }, reject);
      },
      error: reject,
    });
  });
  await assert.rejects(
    fetch(`${served.url}/healthz`, { signal: AbortSignal.timeout(5000) }),
    /fetch failed/,
    'refused after unsubscribe',
  );
});

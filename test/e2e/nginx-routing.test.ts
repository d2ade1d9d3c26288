// Real nginx, real HTTP: one cluster of pods (backends on 127.0.0.x) through the real pipeline and nginx sink, then
// requests that check what users were promised (README "What a pod owner writes").
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startBackends, type Backends } from '../support/backend-servers.js';
import { rawExchange } from '../support/http-probe.js';
import { startIngress, type Ingress } from '../support/ingress-harness.js';
import { aPod, sync } from '../support/pods.js';

// One host, nested paths: in dynamic mode each is one `location ~` block, whose order must give the longest match.
const NESTED: readonly (readonly [string, string])[] = [
  ['n-root', '/'],
  ['n-a', '/a'],
  ['n-ab', '/a/b'],
  ['n-dot', '/a.b'],
  ['n-umlaut', '/%C3%A4'],
];

// Both modes keep every promise: static (pods in upstream blocks) and dynamic (pods pushed to the Lua balancer).
for (const mode of ['static', 'dynamic'] as const)
  describe(`nginx sink: routing real traffic (${mode} backends)`, () => {
    let backends: Backends;
    let ingress: Ingress;

    before(async () => {
      backends = await startBackends(['alpha', 'rr-1', 'rr-2', 'rr-3', 'sleepy', ...NESTED.map(([name]) => name)]);
      const ip = (name: string): string => backends.byName(name).ip;
      const port = backends.port;
      ingress = await startIngress({ backends: mode });
      ingress.send(
        sync(
          aPod('alpha', { ip: ip('alpha'), hosts: 'alpha.test', paths: `${port}:/nodejs` }),
          ...['rr-1', 'rr-2', 'rr-3'].map((name) => aPod(name, { ip: ip(name), hosts: 'rr.test', paths: `${port}:/` })),
          aPod('sleepy', { ip: ip('sleepy'), hosts: 'sleepy.test', paths: `${port}:/`, ready: false }),
          ...NESTED.map(([name, path]) => aPod(name, { ip: ip(name), hosts: 'nested.test', paths: `${port}:${path}` })),
        ),
      );
      await ingress.outcome(0, 'the first config applied', (outcome) => outcome.type === 'applied');
    });

    after(async () => {
      await ingress?.stop();
      await backends?.close();
    });

    it('starts nginx only with the first config, and reports it running', () => {
      assert.equal(ingress.states[0]?.state, 'starting');
      assert.equal(ingress.nginx.isRunning(), true);
      assert.deepEqual(
        ingress.outcomes.map((outcome) => [outcome.type, outcome.type === 'applied' ? outcome.action : null]),
        [['applied', 'started']],
      );
    });

    it('routes by Host and passes Host and X-Forwarded-* through', async () => {
      const alpha = await ingress.get('alpha.test', '/nodejs');
      assert.equal(alpha.status, 200);
      assert.equal(alpha.backend, 'alpha');
      assert.equal(alpha.seen?.host, 'alpha.test');
      assert.equal(alpha.seen?.forwardedFor, '127.0.0.1');
      assert.equal(alpha.seen?.forwardedHost, 'alpha.test');
      assert.equal(alpha.seen?.forwardedProto, 'http');
      const rr = await ingress.get('rr.test', '/anything');
      assert.match(rr.backend ?? '', /^rr-\d$/);
    });

    it('serves /nodejs and its sub-paths, never /nodejsfoo, and passes the URI unchanged', async () => {
      for (const path of ['/nodejs', '/nodejs/', '/nodejs/x?y=1']) {
        const answer = await ingress.get('alpha.test', path);
        assert.equal(answer.backend, 'alpha', path);
        assert.equal(answer.seen?.url, path);
      }
      const foo = await ingress.get('alpha.test', '/nodejsfoo');
      assert.equal(foo.backend, null);
      assert.equal(foo.status, 404);
    });

    it('sends a URI to the longest path it lies under, segment by segment, with `.` and UTF-8 taken literally', async () => {
      const cases: [string, string][] = [
        ['/', 'n-root'],
        ['/a', 'n-a'],
        ['/a/', 'n-a'],
        ['/a/bc', 'n-a'],
        ['/a/b', 'n-ab'],
        ['/a/b/c/d', 'n-ab'],
        ['/ab', 'n-root'],
        ['/a.b', 'n-dot'],
        ['/a.b/x', 'n-dot'],
        ['/aXb', 'n-root'],
        ['/%C3%A4/x', 'n-umlaut'],
        ['/%C3%A4x', 'n-root'],
        ['/a%0A', 'n-root'],
        // Bytes that are not UTF-8 are matched as bytes, never an error.
        ['/%FF', 'n-root'],
        ['/a/%C3', 'n-a'],
        ['/%C3%A4/%FF%FE', 'n-umlaut'],
      ];
      for (const [path, backend] of cases)
        assert.equal((await ingress.get('nested.test', path)).backend, backend, path);
    });

    it('closes the connection without a response for an unknown host (444)', async () => {
      const bytes = await rawExchange(ingress.port, 'GET / HTTP/1.1\r\nHost: nobody.test\r\nConnection: close\r\n\r\n');
      assert.equal(bytes.length, 0);
      const known = await rawExchange(
        ingress.port,
        'GET /nodejs HTTP/1.1\r\nHost: alpha.test\r\nConnection: close\r\n\r\n',
      );
      assert.match(known.toString('latin1'), /^HTTP\/1\.1 200 /);
    });

    it('shares traffic round robin between the three pods of a route', async () => {
      // One keep-alive connection stays on one worker, whose round robin then visits the pods in turn.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const seen: string[] = [];
        for (let i = 0; i < 9; i++) seen.push((await ingress.get('rr.test', '/', { agent })).backend ?? 'none');
        const counts = new Map<string, number>();
        for (const name of seen) counts.set(name, (counts.get(name) ?? 0) + 1);
        assert.deepEqual(
          [...counts.entries()].sort(),
          [
            ['rr-1', 3],
            ['rr-2', 3],
            ['rr-3', 3],
          ],
          seen.join(' '),
        );
      } finally {
        agent.destroy();
      }
    });

    it('answers 503 on a route whose pods are all not ready', async () => {
      const answer = await ingress.get('sleepy.test', '/');
      assert.equal(answer.status, 503);
      assert.equal(answer.backend, null);
      assert.equal(backends.byName('sleepy').hits, 0);
    });

    it('passes a WebSocket upgrade through to the pod', async () => {
      const socket = new WebSocket(`ws://127.0.0.1:${ingress.port}/nodejs/socket`, { headers: { host: 'alpha.test' } });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
        });
        const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
        socket.send('ping');
        assert.equal(await reply, 'alpha:ping');
      } finally {
        socket.terminate();
      }
    });
  });

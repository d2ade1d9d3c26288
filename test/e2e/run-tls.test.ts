// HTTPS end to end: certificates made with openssl, Secrets on the fake API server, the real `run` with real nginx,
// and real TLS clients (node:tls, node:https, node:http2) on loopback. One controller serves every case here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { keyBody, makeLeaf, tlsSecret, type Leaf } from '../support/certificates.js';
import { waitFor } from '../support/http-probe.js';
import { adminGet } from '../support/run-harness.js';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { spawn } from 'node:child_process';
import { h2Get, handshake, httpsGet } from '../support/tls-probe.js';
import { fingerprint, startTlsScene, tlsPod, type TlsScene } from '../support/tls-scene.js';

let s: TlsScene;

it("run: HTTPS from each pod's own Secret", async (t) => {
  let shop!: Leaf;
  let rival!: Leaf;
  let fallback!: Leaf;
  {
    s = await startTlsScene(
      t,
      ['shop', 'young', 'wild', 'plain', 'rival', 'dflt', 'ip', 'star'],
      (scene) => {
        shop = makeLeaf(scene.ca, { sans: ['DNS:shop.test', 'DNS:www.shop.test'] });
        rival = makeLeaf(scene.ca, { sans: ['DNS:shop.test', 'DNS:rival.test'] });
        const wild = makeLeaf(scene.ca, { sans: ['DNS:*.apps.test'] });
        scene.fake.addSecret(tlsSecret('shop', 'shop-tls', shop));
        scene.fake.addSecret(tlsSecret('shop', 'other-tls', rival));
        scene.fake.addSecret(tlsSecret('rival', 'rival-tls', rival));
        scene.fake.addSecret(tlsSecret('apps', 'wild-tls', wild));
        scene.fake.addPod(
          tlsPod(scene, {
            name: 'shop',
            namespace: 'shop',
            hosts: 'shop.test www.shop.test',
            tlsSecret: 'shop-tls',
            created: '2026-01-01T00:00:00Z',
          }),
        );
        // Same namespace, younger, naming another Secret for the same host: the oldest pod's Secret wins.
        scene.fake.addPod(
          tlsPod(scene, {
            name: 'young',
            namespace: 'shop',
            hosts: 'shop.test',
            path: '/young',
            tlsSecret: 'other-tls',
            created: '2026-02-01T00:00:00Z',
          }),
        );
        // Another namespace claiming the host with its own Secret, and naming the shop's Secret across namespaces.
        scene.fake.addPod(
          tlsPod(scene, {
            name: 'rival',
            namespace: 'rival',
            hosts: 'shop.test rival.test',
            tlsSecret: 'rival-tls',
            created: '2026-03-01T00:00:00Z',
          }),
        );
        scene.fake.addPod(
          tlsPod(scene, {
            name: 'thief',
            namespace: 'rival',
            backend: 'rival',
            hosts: 'thief.test',
            tlsSecret: 'shop/shop-tls',
            created: '2026-03-01T00:00:00Z',
          }),
        );
        scene.fake.addPod(
          tlsPod(scene, { name: 'wild', namespace: 'apps', hosts: 'a.apps.test b.c.apps.test', tlsSecret: 'wild-tls' }),
        );
        scene.fake.addPod(tlsPod(scene, { name: 'plain', namespace: 'plain', hosts: 'plain.test' }));
        // A wildcard host: nginx routes names of any depth to it, its certificate covers one label.
        scene.fake.addSecret(tlsSecret('star', 'star-tls', makeLeaf(scene.ca, { sans: ['DNS:*.star.test'] })));
        scene.fake.addPod(
          tlsPod(scene, { name: 'star', namespace: 'star', hosts: '*.star.test', tlsSecret: 'star-tls' }),
        );
        // An IP host with a certificate naming that IP: no client sends SNI for an address, so HTTPS cannot serve it.
        scene.fake.addSecret(tlsSecret('ip', 'ip-tls', makeLeaf(scene.ca, { sans: ['IP:127.0.0.1'] })));
        scene.fake.addPod(tlsPod(scene, { name: 'ip', namespace: 'ip', hosts: '127.0.0.1', tlsSecret: 'ip-tls' }));
        fallback = makeLeaf(scene.ca, { sans: ['DNS:*.fallback.test'] });
        scene.fake.addSecret(tlsSecret('ingress', 'fallback', fallback));
        scene.fake.addPod(tlsPod(scene, { name: 'dflt', namespace: 'dflt', hosts: 'x.fallback.test y.other.test' }));
      },
      ['--https-redirect-port', '8443', '--default-tls-secret', 'ingress/fallback'],
    );
    await waitFor(
      'shop.test on HTTPS',
      async () => {
        const answer = await httpsGet(s.httpsPort, 'shop.test', '/', s.ca.certPem).catch(() => null);
        return answer?.backend === 'shop' ? answer : undefined;
      },
      30_000,
    );
  }

  await t.test('serves each host with its own certificate, chosen by SNI', async () => {
    for (const host of ['shop.test', 'www.shop.test']) {
      const answer = await httpsGet(s.httpsPort, host, '/x?y=1', s.ca.certPem);
      assert.equal(answer.backend, 'shop', host);
      assert.equal(answer.fingerprint256, fingerprint(shop.certPem), host);
      assert.equal(JSON.parse(answer.body).forwardedProto, 'https');
    }
    const wild = await httpsGet(s.httpsPort, 'a.apps.test', '/', s.ca.certPem);
    assert.equal(wild.backend, 'wild');
  });

  await t.test('offers HTTP/2 by ALPN', async () => {
    const answer = await h2Get(s.httpsPort, 'shop.test', '/h2', s.ca.certPem);
    assert.equal(answer.protocol, 'h2');
    assert.equal(answer.status, 200);
    assert.equal(answer.backend, 'shop');
    const bare = await handshake(s.httpsPort, 'shop.test', s.ca.certPem);
    assert.deepEqual(bare.ok && bare.alpn, 'h2');
  });

  await t.test('speaks TLS 1.2 and 1.3 only', async () => {
    for (const [version, accepted] of [
      ['TLSv1', false],
      ['TLSv1.1', false],
      ['TLSv1.2', true],
      ['TLSv1.3', true],
    ] as const) {
      const outcome = await tlsVersion(s.httpsPort, 'shop.test', version, s.ca.certPem);
      assert.equal(outcome === version, accepted, `${version}: ${outcome}`);
      if (!accepted) assert.match(outcome, /protocol version|unsupported protocol|no protocols available/i, version);
    }
    // And openssl's own client, asking for TLS 1.1 with every cipher allowed.
    const legacy = await new Promise<string>((resolve) => {
      const child = spawn(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${s.httpsPort}`,
          '-servername',
          'shop.test',
          '-tls1_1',
          '-cipher',
          'DEFAULT@SECLEVEL=0',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', (error) => resolve(`openssl failed to start: ${error.message}`));
      child.on('close', () => resolve(text));
    });
    assert.match(legacy, /alert protocol version/, legacy.slice(0, 400));
  });

  await t.test('redirects plain HTTP with path and query kept, but not the ACME challenge path', async () => {
    const redirected = await s.run.get('shop.test', '/a/b?x=1&y=%20z');
    assert.equal(redirected.status, 308);
    assert.equal(redirected.backend, null);
    const location = await rawLocation(s.run.port, 'shop.test', '/a/b?x=1&y=%20z');
    assert.equal(location, 'https://shop.test:8443/a/b?x=1&y=%20z');
    const acme = await s.run.get('shop.test', '/.well-known/acme-challenge/token-123');
    assert.equal(acme.status, 200);
    assert.equal(acme.backend, 'shop');
    assert.equal(acme.seen?.url, '/.well-known/acme-challenge/token-123');
    // A host without TLS is served over plain HTTP as before.
    assert.equal((await s.run.get('plain.test', '/')).backend, 'plain');
  });

  await t.test(
    'refuses the handshake for unknown SNI, missing SNI and hosts without TLS, showing no certificate',
    async () => {
      for (const name of ['nobody.test', 'plain.test', null]) {
        const result = await handshake(s.httpsPort, name, s.ca.certPem);
        assert.equal(result.ok, false, `SNI ${String(name)} was accepted`);
        assert.equal(!result.ok && result.certificateShown, false);
        assert.match(!result.ok ? result.error : '', /alert|unrecognized name|handshake/i);
      }
    },
  );

  await t.test(
    'answers 421 to a request whose Host is not on HTTPS, over a connection made for a host that is',
    async () => {
      for (const host of ['plain.test', 'nobody.test']) {
        const answer = await misdirected(s.httpsPort, 'shop.test', host, s.ca.certPem);
        assert.match(answer, /^HTTP\/1\.1 421 /, `Host ${host} over SNI shop.test`);
      }
    },
  );

  await t.test('serves hosts that name no Secret with the default Secret, where it covers them', async () => {
    const covered = await httpsGet(s.httpsPort, 'x.fallback.test', '/', s.ca.certPem);
    assert.equal(covered.backend, 'dflt');
    assert.equal(covered.fingerprint256, fingerprint(fallback.certPem));
    assert.equal((await handshake(s.httpsPort, 'y.other.test', s.ca.certPem)).ok, false);
    assert.equal((await s.run.get('y.other.test', '/')).backend, 'dflt', 'the uncovered host stays on plain HTTP');
  });

  await t.test(
    'keeps an IP host on plain HTTP, reported, instead of redirecting it to a refused handshake',
    async () => {
      await waitFor('the IP host issue', () => issueLogged(s, 'tls-host-is-ip', 'ip/ip'), 10_000);
      const plain = await s.run.get('127.0.0.1', '/ip');
      assert.equal(plain.status, 200);
      assert.equal(plain.backend, 'ip');
      assert.equal((await handshake(s.httpsPort, null, s.ca.certPem)).ok, false);
    },
  );

  await t.test("redirects only the names a wildcard host's certificate covers", async () => {
    assert.equal((await httpsGet(s.httpsPort, 'x.star.test', '/', s.ca.certPem)).backend, 'star');
    assert.equal((await s.run.get('x.star.test', '/a?b=1')).status, 308);
    // nginx routes x.y.star.test to *.star.test, but the certificate does not cover it: HTTPS would fail there.
    const deeper = await s.run.get('x.y.star.test', '/a?b=1');
    assert.equal(deeper.status, 200);
    assert.equal(deeper.backend, 'star');
  });

  await t.test('uses a wildcard only for one label', async () => {
    const deeper = await handshake(s.httpsPort, 'b.c.apps.test', s.ca.certPem);
    assert.equal(deeper.ok, false);
    await waitFor('the not-covered issue', () => issueLogged(s, 'tls-host-not-covered', 'b.c.apps.test'), 10_000);
  });

  await t.test('refuses certificates from other namespaces and from younger pods', async () => {
    assert.equal(
      (await httpsGet(s.httpsPort, 'shop.test', '/', s.ca.certPem)).fingerprint256,
      fingerprint(shop.certPem),
    );
    assert.equal((await handshake(s.httpsPort, 'thief.test', s.ca.certPem)).ok, false);
    // rival.test is rival's own host: served with rival's certificate.
    assert.equal(
      (await httpsGet(s.httpsPort, 'rival.test', '/', s.ca.certPem)).fingerprint256,
      fingerprint(rival.certPem),
    );
    await waitFor(
      'the issues of the refused pods',
      () =>
        issueLogged(s, 'invalid-tls-secret', 'rival/thief') &&
        issueLogged(s, 'tls-secret-conflict', 'shop/young') &&
        issueLogged(s, 'host-conflict', 'rival/rival'),
      10_000,
    );
  });

  await t.test('writes key files 0600 in a 0700 directory, named in the config, and never logs a key', async () => {
    const dir = join(s.run.prefix, 'tls');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files = readdirSync(dir);
    assert.ok(files.length >= 3, `key files: ${files.join(' ')}`);
    const config = readFileSync(s.run.confPath, 'utf8');
    for (const file of files) {
      assert.match(file, /^[0-9a-f]{64}\.pem$/);
      assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
      assert.ok(config.includes(`ssl_certificate_key tls/${file};`), `${file} not named by the config`);
    }
    const logs = JSON.stringify(s.run.logs);
    const metrics = (await adminGet(s.run, '/metrics')).body;
    for (const line of keyBody(shop.keyPem)) {
      assert.ok(!logs.includes(line), 'a line of the private key is in the logs');
      assert.ok(!metrics.includes(line), 'a line of the private key is in the metrics');
    }
    const expiry = Date.parse(new X509Certificate(shop.certPem).validTo) / 1000;
    assert.match(
      metrics,
      new RegExp(
        `k8s_pods_ingress_tls_certificate_expiry_timestamp_seconds\\{namespace="shop",name="shop-tls"\\} ${expiry}\\n`,
      ),
    );
    assert.match(metrics, /k8s_pods_ingress_tls_certificate_problems\{reason="tls-secret-conflict"\} [1-9]/);
    assert.ok(!config.includes('PRIVATE KEY'));
  });
});

/** Returns the Location header of a plain HTTP GET. */
async function rawLocation(port: number, host: string, path: string): Promise<string | undefined> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (response) => {
      response.resume();
      resolve(response.headers.location);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Connects offering exactly one TLS version (every cipher allowed); returns the version agreed, or the error. */
function tlsVersion(
  port: number,
  sni: string,
  version: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3',
  ca: string,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        servername: sni,
        ca,
        minVersion: version,
        maxVersion: version,
        ciphers: 'DEFAULT@SECLEVEL=0',
      },
      () => {
        resolve(socket.getProtocol() ?? 'none');
        socket.end();
      },
    );
    socket.on('error', (error) => resolve(error.message));
  });
}

/** Sends one HTTP/1.1 request with Host `host` over a TLS connection made with SNI `sni`; returns the status line. */
function misdirected(port: number, sni: string, host: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: sni, ca, ALPNProtocols: ['http/1.1'] }, () => {
      socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

/** Tells whether the controller logged an issue of this code whose pod or message mentions `text`. */
function issueLogged(s: TlsScene, code: string, text: string): boolean {
  return s.run.logs.some(
    (line) => line['code'] === code && (String(line['pod']).includes(text) || String(line['reason']).includes(text)),
  );
}

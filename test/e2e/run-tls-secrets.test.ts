// Broken Secrets, rotation and a Secret watch under faults, end to end with real nginx and real TLS clients: each
// broken Secret is reported (log, Event) and takes only its own host off HTTPS; a rotation under a request loop
// fails no request; a broken update keeps the last good certificate; drops, 410 and 500s are survived.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { makeLeaf, opensslTime, tlsSecret, type Leaf } from '../support/certificates.js';
import { waitFor } from '../support/http-probe.js';
import { handshake, httpsGet } from '../support/tls-probe.js';
import { fingerprint, startTlsScene, tlsPod, type TlsScene } from '../support/tls-scene.js';
import { X509Certificate, createHash } from 'node:crypto';

const DAY = 86_400_000;

/** The broken cases: a pod in its own namespace naming a Secret that is wrong in one way. */
const BROKEN = [
  { name: 'missing', code: 'tls-secret-missing', reason: 'TlsSecretMissing' },
  { name: 'wrongtype', code: 'tls-secret-missing', reason: 'TlsSecretMissing' },
  { name: 'garbage', code: 'tls-secret-invalid', reason: 'TlsSecretInvalid' },
  { name: 'mismatch', code: 'tls-key-mismatch', reason: 'TlsKeyMismatch' },
  { name: 'expired', code: 'tls-certificate-expired', reason: 'TlsCertificateExpired' },
  { name: 'future', code: 'tls-certificate-not-yet-valid', reason: 'TlsCertificateNotYetValid' },
  { name: 'huge', code: 'tls-secret-too-large', reason: 'TlsSecretTooLarge' },
  { name: 'uncovered', code: 'tls-host-not-covered', reason: 'TlsHostNotCovered' },
  // Read by node:crypto but refused by nginx's OpenSSL: served, they would fail nginx -t for every host.
  { name: 'weakrsa', code: 'tls-secret-invalid', reason: 'TlsSecretInvalid' },
  { name: 'sha1', code: 'tls-secret-invalid', reason: 'TlsSecretInvalid' },
] as const;

it('run: broken Secrets, rotation and faults', async (t) => {
  let good!: Leaf;
  let v1!: Leaf;
  let late!: Leaf;
  const s: TlsScene = await startTlsScene(
    t,
    ['ok', 'rot', 'late', ...BROKEN.map((c) => c.name)],
    (scene) => {
      const { ca, fake } = scene;
      good = makeLeaf(ca, { sans: ['DNS:ok.test'] });
      v1 = makeLeaf(ca, { sans: ['DNS:rot.test'] });
      const other = makeLeaf(ca, { sans: ['DNS:mismatch.test'] });
      const now = Date.now();
      fake.addSecret(tlsSecret('ok', 'tls', good));
      late = makeLeaf(ca, { sans: ['DNS:late.test'] });
      // No pod names this one yet: its key is not kept.
      fake.addSecret(tlsSecret('late', 'tls', late));
      fake.addSecret(tlsSecret('rot', 'tls', v1));
      fake.addSecret(tlsSecret('wrongtype', 'tls', makeLeaf(ca, { sans: ['DNS:wrongtype.test'] }), 'Opaque'));
      fake.addSecret(tlsSecret('garbage', 'tls', { certPem: 'not a certificate', keyPem: 'not a key' }));
      fake.addSecret(
        tlsSecret('mismatch', 'tls', {
          certPem: makeLeaf(ca, { sans: ['DNS:mismatch.test'] }).certPem,
          keyPem: other.keyPem,
        }),
      );
      fake.addSecret(
        tlsSecret(
          'expired',
          'tls',
          makeLeaf(ca, { sans: ['DNS:expired.test'], notBefore: '20200101000000Z', notAfter: '20200201000000Z' }),
        ),
      );
      fake.addSecret(
        tlsSecret(
          'future',
          'tls',
          makeLeaf(ca, {
            sans: ['DNS:future.test'],
            notBefore: opensslTime(now + 10 * DAY),
            notAfter: opensslTime(now + 20 * DAY),
          }),
        ),
      );
      const big = makeLeaf(ca, { sans: ['DNS:huge.test'] });
      fake.addSecret(
        tlsSecret('huge', 'tls', { certPem: big.certPem + `${'x'.repeat(70)}\n`.repeat(200), keyPem: big.keyPem }),
      );
      fake.addSecret(tlsSecret('uncovered', 'tls', makeLeaf(ca, { sans: ['DNS:elsewhere.test'] })));
      fake.addSecret(tlsSecret('weakrsa', 'tls', makeLeaf(ca, { sans: ['DNS:weakrsa.test'], key: 'rsa:1024' })));
      fake.addSecret(tlsSecret('sha1', 'tls', makeLeaf(ca, { sans: ['DNS:sha1.test'], md: 'sha1' })));
      fake.addPod(tlsPod(scene, { name: 'ok', namespace: 'ok', hosts: 'ok.test', tlsSecret: 'tls' }));
      fake.addPod(tlsPod(scene, { name: 'rot', namespace: 'rot', hosts: 'rot.test', tlsSecret: 'tls' }));
      for (const { name } of BROKEN)
        fake.addPod(
          tlsPod(scene, {
            name,
            namespace: name,
            hosts: `${name}.test`,
            tlsSecret: name === 'missing' ? 'nothing' : 'tls',
          }),
        );
    },
    ['--max-secret-bytes', '8192'],
  );
  await waitFor(
    'ok.test on HTTPS',
    async () => (await httpsGet(s.httpsPort, 'ok.test', '/', s.ca.certPem).catch(() => null))?.backend === 'ok',
    30_000,
  );

  await t.test('each broken Secret is reported on its pod and takes only its host off HTTPS', async () => {
    for (const { name, code, reason } of BROKEN) {
      await waitFor(
        `the ${code} issue of ${name}`,
        () => s.run.logs.some((line) => line['code'] === code && line['pod'] === `${name}/${name}`),
        20_000,
      );
      await waitFor(
        `the ${reason} Event on ${name}`,
        () =>
          s.fake.events.some((e) => {
            const body = e.body as { reason?: string; involvedObject?: { namespace?: string; name?: string } };
            return (
              body.reason === reason && body.involvedObject?.namespace === name && body.involvedObject.name === name
            );
          }),
        20_000,
      );
      assert.equal(
        (await handshake(s.httpsPort, `${name}.test`, s.ca.certPem)).ok,
        false,
        `${name}.test was served over HTTPS`,
      );
      // Still served over plain HTTP, not redirected to an HTTPS that would refuse it.
      const plain = await s.run.get(`${name}.test`, '/');
      assert.equal(plain.backend, name, `${name}.test over HTTP`);
    }
    const ok = await httpsGet(s.httpsPort, 'ok.test', '/', s.ca.certPem);
    assert.equal(ok.fingerprint256, fingerprint(good.certPem));
  });

  await t.test('a Secret no pod named is fetched when a pod comes to name it', async () => {
    s.fake.addPod(tlsPod(s, { name: 'late', namespace: 'late', hosts: 'late.test', tlsSecret: 'tls' }));
    await waitFor(
      'late.test on HTTPS',
      async () =>
        (await httpsGet(s.httpsPort, 'late.test', '/', s.ca.certPem).catch(() => null))?.fingerprint256 ===
        fingerprint(late.certPem),
      20_000,
    );
    assert.ok(
      s.fake.requests.some((r) => r.path === '/api/v1/namespaces/late/secrets/tls'),
      'the Secret was fetched by GET',
    );
  });

  let v2!: Leaf;
  await t.test('a rotation under a request loop fails no request, and the old key file goes', async () => {
    await waitFor(
      'rot.test on v1',
      async () =>
        (await httpsGet(s.httpsPort, 'rot.test', '/', s.ca.certPem)).fingerprint256 === fingerprint(v1.certPem),
    );
    v2 = makeLeaf(s.ca, { sans: ['DNS:rot.test'] });
    const loop = requestLoop(s, 'rot.test');
    await waitFor('a few requests on v1', () => loop.seen.length >= 5);
    s.fake.modifySecret('rot', 'tls', { data: tlsSecret('rot', 'tls', v2).data });
    await waitFor('v2 in force', () => loop.seen.includes(fingerprint(v2.certPem)), 20_000);
    const after = loop.seen.length;
    await waitFor('more requests on v2', () => loop.seen.length >= after + 5);
    const { failures, seen } = await loop.stop();
    assert.deepEqual(failures, [], `failed requests during the rotation (${seen.length} sent)`);
    const oldFile = join(s.run.prefix, 'tls', `${chainHash(v1.certPem)}.pem`);
    await waitFor('the old key file removed', () => !existsSync(oldFile), 10_000);
    assert.ok(existsSync(join(s.run.prefix, 'tls', `${chainHash(v2.certPem)}.pem`)));
  });

  await t.test('a broken update keeps the last good certificate, reported', async () => {
    s.fake.modifySecret('rot', 'tls', {
      data: {
        'tls.crt': Buffer.from('garbage').toString('base64'),
        'tls.key': Buffer.from('garbage').toString('base64'),
      },
    });
    await waitFor(
      'the report',
      () =>
        s.run.logs.some(
          (line) =>
            line['pod'] === 'rot/rot' &&
            line['code'] === 'tls-secret-invalid' &&
            String(line['reason']).includes('last good certificate'),
        ),
      20_000,
    );
    const answer = await httpsGet(s.httpsPort, 'rot.test', '/', s.ca.certPem);
    assert.equal(answer.fingerprint256, fingerprint(v2.certPem));
    assert.equal(answer.backend, 'rot');
  });

  await t.test('the Secret watch survives dropped connections, 410 and 500s', async () => {
    const lists = (): number => s.fake.requests.filter((r) => r.path === '/api/v1/secrets' && r.kind === 'list').length;
    const before = lists();
    // While every request fails with 500, the Secret changes and its history is compacted: the watch, resuming
    // from before the change, gets 410 and must list again to see it.
    s.fake.failRequests({ forMs: 1500 }, 500);
    s.fake.dropConnections();
    const v3 = makeLeaf(s.ca, { sans: ['DNS:rot.test'] });
    s.fake.modifySecret('rot', 'tls', { data: tlsSecret('rot', 'tls', v3).data });
    s.fake.compactSecrets();
    await waitFor(
      'v3 in force after the faults',
      async () =>
        (await httpsGet(s.httpsPort, 'rot.test', '/', s.ca.certPem).catch(() => null))?.fingerprint256 ===
        fingerprint(v3.certPem),
      30_000,
    );
    assert.ok(lists() > before, 'the Secrets were listed again after 410');
    assert.ok(
      s.fake.requests.some((r) => r.path === '/api/v1/secrets' && r.status === 500),
      'no Secret request met a 500',
    );
    assert.ok(
      s.fake.requests.every(
        (r) => r.path !== '/api/v1/secrets' || r.query['fieldSelector'] === 'type=kubernetes.io/tls',
      ),
      'a Secret request without the field selector',
    );
    assert.equal((await httpsGet(s.httpsPort, 'ok.test', '/', s.ca.certPem)).backend, 'ok');
  });
});

/** Sends HTTPS requests one after another on fresh connections until stopped; records fingerprints and failures. */
function requestLoop(
  s: TlsScene,
  host: string,
): { seen: string[]; stop(): Promise<{ seen: string[]; failures: string[] }> } {
  const seen: string[] = [];
  const failures: string[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      try {
        const answer = await httpsGet(s.httpsPort, host, '/', s.ca.certPem);
        if (answer.status !== 200 || answer.backend === null) failures.push(`status ${answer.status}`);
        seen.push(answer.fingerprint256);
      } catch (error) {
        failures.push(String(error));
      }
    }
  })();
  return { seen, stop: async () => ((running = false), await done, { seen, failures }) };
}

/** The sha256 of a PEM certificate's DER: the key file's name. */
function chainHash(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

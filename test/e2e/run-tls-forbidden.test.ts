// A cluster whose RBAC grants no access to Secrets, with TLS on (the default): the Secret list fails 403 forever.
// Plain HTTP must still be served (the pipeline must not wait for a list that never comes), the error must say what
// to fix, and once access is granted the Secrets are read and HTTPS comes up without a restart.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { makeLeaf, tlsSecret, type Leaf } from '../support/certificates.js';
import { waitFor } from '../support/http-probe.js';
import { handshake, httpsGet } from '../support/tls-probe.js';
import { fingerprint, startTlsScene, tlsPod } from '../support/tls-scene.js';

it('run: Secrets forbidden by RBAC leave plain HTTP served, and HTTPS comes once they can be read', async (t) => {
  let leaf!: Leaf;
  const s = await startTlsScene(t, ['shop', 'plain'], (scene) => {
    scene.fake.forbidSecrets(true);
    leaf = makeLeaf(scene.ca, { sans: ['DNS:shop.test'] });
    scene.fake.addSecret(tlsSecret('shop', 'tls', leaf));
    scene.fake.addPod(tlsPod(scene, { name: 'shop', namespace: 'shop', hosts: 'shop.test', tlsSecret: 'tls' }));
    scene.fake.addPod(tlsPod(scene, { name: 'plain', namespace: 'plain', hosts: 'plain.test' }));
  });
  await waitFor(
    'plain.test served',
    async () => (await s.run.get('plain.test', '/').catch(() => null))?.backend === 'plain',
    30_000,
  );
  const shop = await s.run.get('shop.test', '/');
  assert.equal(shop.status, 200, 'a TLS host stays on plain HTTP, not redirected to an HTTPS that would refuse it');
  assert.equal(shop.backend, 'shop');
  assert.equal((await handshake(s.httpsPort, 'shop.test', s.ca.certPem)).ok, false);
  assert.ok(
    s.run.logs.some(
      (line) =>
        line['level'] === 'error' &&
        /TLS Secrets cannot be read \(forbidden\).*K8S_PODS_INGRESS_TLS=false/.test(String(line['message'])),
    ),
    'no error saying what to fix',
  );
  assert.ok(s.fake.requests.some((r) => r.path === '/api/v1/secrets' && r.status === 403));

  s.fake.forbidSecrets(false);
  await waitFor(
    'shop.test on HTTPS once Secrets can be read',
    async () =>
      (await httpsGet(s.httpsPort, 'shop.test', '/', s.ca.certPem).catch(() => null))?.fingerprint256 ===
      fingerprint(leaf.certPem),
    30_000,
  );
  // Old workers may answer a moment longer after the reload.
  await waitFor('plain HTTP redirected', async () => (await s.run.get('shop.test', '/x')).status === 308, 10_000);
  assert.equal((await s.run.get('plain.test', '/')).backend, 'plain');
});

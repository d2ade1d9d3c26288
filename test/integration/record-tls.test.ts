// `record` with TLS: Secrets are written redacted (no key, no certificate bytes), and `replay` of the recording
// prints exactly the configs the live run printed, key file names included.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { keyBody, makeCa, makeLeaf, tlsSecret } from '../support/certificates.js';
import { FakeApiServer } from '../support/fake-api-server.js';
import { buildPod } from '../support/fake-pods.js';
import { replayText, startLive, waitFor } from '../support/live-harness.js';

const keyFile = (certPem: string): string =>
  `tls/${createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex')}.pem`;

it('record writes Secrets redacted and replay renders the same configs from them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'record-tls-'));
  const file = join(dir, 'events.ndjson');
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
  const ca = makeCa();
  t.after(async () => {
    await fake.stop();
    ca.dispose();
    if (process.env['KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
    else console.log(file);
  });
  const v1 = makeLeaf(ca, { sans: ['DNS:shop.test'] });
  const v2 = makeLeaf(ca, { sans: ['DNS:shop.test'] });
  fake.addSecret(tlsSecret('shop', 'shop-tls', v1));
  fake.addPod(
    buildPod({
      name: 'web',
      namespace: 'shop',
      podIP: '10.0.0.1',
      labels: { microservice: 'true' },
      annotations: { trafficHosts: 'shop.test', publicPaths: '8080:/', tlsSecret: 'shop-tls' },
    }),
  );
  const live = startLive(fake, ['--out', file, '--https-port', '8443'], 'record');
  const printed = (text: string): Promise<unknown> =>
    waitFor(() => live.configs().at(-1)?.includes(text) === true, `a config with ${text}`);
  await printed(keyFile(v1.certPem));
  fake.modifySecret('shop', 'shop-tls', { data: tlsSecret('shop', 'shop-tls', v2).data });
  await printed(keyFile(v2.certPem));
  // A broken update keeps v2; deleting the Secret takes the host off HTTPS.
  fake.modifySecret('shop', 'shop-tls', {
    data: { 'tls.crt': Buffer.from('junk').toString('base64'), 'tls.key': tlsSecret('x', 'y', v2).data!['tls.key']! },
  });
  await waitFor(() => live.logs.some((line) => line['code'] === 'tls-secret-invalid'), 'the broken update reported');
  fake.deleteSecret('shop', 'shop-tls');
  await waitFor(() => live.configs().at(-1)?.includes('ssl_certificate') === false, 'the host off HTTPS');
  assert.equal(await live.stop(), 0);

  const text = readFileSync(file, 'utf8');
  const lines = text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(lines[0], { at: lines[0]!['at'], type: 'START', secrets: true });
  assert.ok(lines.some((line) => line['type'] === 'SECRET_SYNC'));
  assert.ok(lines.some((line) => line['type'] === 'SECRET_MODIFIED'));
  for (const leaf of [v1, v2])
    for (const body of keyBody(leaf.keyPem))
      assert.ok(!text.includes(body), 'a line of a private key is in the recording');
  for (const word of ['PRIVATE KEY', 'BEGIN CERTIFICATE', '"data"'])
    assert.ok(!text.includes(word), `${word} in the recording`);
  const logs = JSON.stringify(live.logs);
  for (const leaf of [v1, v2])
    for (const body of keyBody(leaf.keyPem)) assert.ok(!logs.includes(body), 'a line of a private key is in the logs');

  assert.ok(live.configs().length >= 3);
  assert.equal(
    await replayText(file, ['--window', '200', '--https-port', '8443', '--backends', 'static']),
    live.output(),
  );
});

it('--tls=false watches no Secret and renders no HTTPS, whatever pods ask', async (t) => {
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
  const ca = makeCa();
  t.after(async () => {
    await fake.stop();
    ca.dispose();
  });
  fake.addSecret(tlsSecret('shop', 'shop-tls', makeLeaf(ca, { sans: ['DNS:shop.test'] })));
  fake.addPod(
    buildPod({
      name: 'web',
      namespace: 'shop',
      podIP: '10.0.0.1',
      labels: { microservice: 'true' },
      annotations: { trafficHosts: 'shop.test', publicPaths: '8080:/', tlsSecret: 'shop-tls' },
    }),
  );
  const live = startLive(fake, ['--tls=false']);
  await waitFor(() => live.configs().at(-1)?.includes('server_name shop.test;') === true, 'the config');
  assert.equal(await live.stop(), 0);
  assert.ok(!live.configs().some((config) => config.includes('ssl')), 'an HTTPS part was rendered');
  assert.ok(
    fake.requests.every((request) => !request.path.includes('secrets')),
    'a Secret was requested',
  );
});

it("with NAMESPACES, Secrets are watched per namespace, the default Secret's namespace included", async (t) => {
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
  const ca = makeCa();
  t.after(async () => {
    await fake.stop();
    ca.dispose();
  });
  fake.addSecret(tlsSecret('shop', 'shop-tls', makeLeaf(ca, { sans: ['DNS:shop.test'] })));
  fake.addSecret(tlsSecret('elsewhere', 'shop-tls', makeLeaf(ca, { sans: ['DNS:shop.test'] })));
  fake.addPod(
    buildPod({
      name: 'web',
      namespace: 'shop',
      podIP: '10.0.0.1',
      labels: { microservice: 'true' },
      annotations: { trafficHosts: 'shop.test', publicPaths: '8080:/', tlsSecret: 'shop-tls' },
    }),
  );
  const live = startLive(fake, [
    '--namespaces',
    'shop',
    '--default-tls-secret',
    'ingress/wild',
    '--https-port',
    '8443',
  ]);
  await waitFor(() => live.configs().at(-1)?.includes('ssl_certificate tls/') === true, 'the HTTPS config');
  assert.equal(await live.stop(), 0);
  const paths = new Set(
    fake.requests.filter((request) => request.path.includes('secrets')).map((request) => request.path),
  );
  assert.deepEqual([...paths].sort(), ['/api/v1/namespaces/ingress/secrets', '/api/v1/namespaces/shop/secrets']);
});

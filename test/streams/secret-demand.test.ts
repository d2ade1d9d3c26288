// The Secret source with its demand, against the fake API server and the real client: a Secret whose key was let go
// is fetched by GET when a pod comes to reference it, and a slow GET never undoes a newer version the watch brought.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecretChange, SecretSync } from '../../src/model/events.js';
import type { RoutingState } from '../../src/model/routing-state.js';
import type { ProjectedSecret } from '../../src/model/secret.js';
import { loadKubeConfig } from '../../src/streams/load-kube-config.js';
import { kubeSecretEvents$ } from '../../src/streams/kube-secret-events.js';
import { SecretDemand } from '../../src/streams/secret-demand.js';
import { makeCa, makeLeaf, tlsSecret } from '../support/certificates.js';
import { FakeApiServer } from '../support/fake-api-server.js';
import { waitFor } from '../support/http-probe.js';
import { captureLogs } from '../support/log-capture.js';

/** A state with one pod of `namespace` naming `secret` (or none), and the Secret entries seen so far. */
function stateOf(namespace: string, secret: string | null, seen: ReadonlyMap<string, ProjectedSecret>): RoutingState {
  const pods = new Map(
    secret === null ? [] : [[`${namespace}/web`, { key: `${namespace}/web`, pod: { namespace }, tlsSecret: secret }]],
  );
  const secrets = new Map([...seen].map(([key, value]) => [key, { secret: value }]));
  return { pods, tls: { secrets } } as unknown as RoutingState;
}

test('a GET answered after the watch brought a newer version does not replace it', async (t) => {
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
  const ca = makeCa();
  t.after(async () => {
    await fake.stop();
    ca.dispose();
  });
  const [v1, v2] = [makeLeaf(ca, { sans: ['DNS:shop.test'] }), makeLeaf(ca, { sans: ['DNS:shop.test'] })];
  fake.addSecret(tlsSecret('shop', 'tls', v1));
  const { logger } = captureLogs('debug');
  const access = loadKubeConfig(fake.url);
  const demand = new SecretDemand(access, 65_536, logger);
  const seen = new Map<string, ProjectedSecret>();
  const order: string[] = [];
  const note = (secret: ProjectedSecret): void => {
    seen.set(`${secret.namespace}/${secret.name}`, secret);
    order.push(`${secret.certificate?.sha256.slice(0, 8)}${secret.withheld === true ? ' withheld' : ''}`);
  };
  // No pod references the Secret: the first state lets its key go, and the next watch event comes withheld.
  demand.update(stateOf('shop', null, seen));
  const events$ = kubeSecretEvents$({
    access,
    namespaces: [],
    watchTimeoutSeconds: 30,
    idleTimeoutSeconds: 30,
    logger,
    demand,
    maxSecretBytes: 65_536,
  });
  const subscription = events$.subscribe((event: SecretChange | SecretSync) =>
    event.type === 'SECRET_SYNC' ? event.secrets.forEach(note) : note(event.secret),
  );
  t.after(() => subscription.unsubscribe());
  await waitFor('the first list', () => seen.has('shop/tls'), 10_000);
  assert.equal(seen.get('shop/tls')!.withheld, true);

  // A pod comes to reference it: the GET goes out (and is answered slowly, with v1), the Secret changes to v2.
  const release = fake.holdSecretGets();
  demand.update(stateOf('shop', 'tls', seen));
  await fake.waitForRequest((r) => r.path === '/api/v1/namespaces/shop/secrets/tls', 5_000);
  fake.modifySecret('shop', 'tls', { data: tlsSecret('shop', 'tls', v2).data });
  await waitFor(
    'v2 from the watch',
    () =>
      seen.get('shop/tls')!.withheld !== true && seen.get('shop/tls')!.certificate!.sha256 !== order[0]!.split(' ')[0],
    10_000,
  );
  const v2Sha = seen.get('shop/tls')!.certificate!.sha256;
  release();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(seen.get('shop/tls')!.certificate!.sha256, v2Sha, `the slow GET's v1 replaced v2: ${order.join(', ')}`);
  assert.ok(seen.get('shop/tls')!.material !== null);
});

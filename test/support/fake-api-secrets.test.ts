// The fake API server's Secrets, driven through the real @kubernetes/client-node: list and watch with field
// selectors, resourceVersions, 410 in both forms and injected 500s, as the Secret source meets them.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CoreV1Api, Watch, type KubeConfig } from '@kubernetes/client-node';
import { FakeApiServer, type FakeApiServerOptions, type FakeSecret } from './fake-api-server.js';
import { kubeConfigFor } from './fake-kube-config.js';

const TLS = 'type=kubernetes.io/tls';

const secret = (namespace: string, name: string, type = 'kubernetes.io/tls'): FakeSecret => ({
  metadata: { namespace, name },
  type,
  data: {
    'tls.crt': Buffer.from(`crt of ${name}`).toString('base64'),
    'tls.key': Buffer.from(`key of ${name}`).toString('base64'),
  },
});

async function started(
  t: TestContext,
  options: FakeApiServerOptions = {},
): Promise<{ server: FakeApiServer; kc: KubeConfig }> {
  const server = await FakeApiServer.start(options);
  t.after(() => server.stop());
  return { server, kc: kubeConfigFor(server.url) };
}

interface Line {
  readonly type: string;
  readonly object: {
    kind?: string;
    type?: string;
    code?: number;
    metadata?: { name?: string; resourceVersion?: string };
  };
}

function openWatch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | boolean | number>,
): { lines: Line[]; done: Promise<unknown>; controller: Promise<AbortController> } {
  const lines: Line[] = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  const controller = new Watch(kc).watch(
    path,
    query,
    (type, object: Line['object']) => lines.push({ type, object }),
    (err: unknown) => finish(err),
  );
  return { lines, done, controller };
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('fake API server: Secrets', () => {
  it('lists Secrets by field selector as a SecretList, per namespace or all', async (t) => {
    const { server, kc } = await started(t);
    server.addSecret(secret('a', 'web-tls'));
    server.addSecret(secret('b', 'api-tls'));
    server.addSecret(secret('a', 'password', 'Opaque'));
    const api = kc.makeApiClient(CoreV1Api);
    const all = await api.listSecretForAllNamespaces({ fieldSelector: TLS });
    assert.deepEqual(
      all.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`),
      ['a/web-tls', 'b/api-tls'],
    );
    assert.equal(all.items[0]?.data?.['tls.crt'], Buffer.from('crt of web-tls').toString('base64'));
    const inA = await api.listNamespacedSecret({ namespace: 'a', fieldSelector: 'type!=kubernetes.io/tls' });
    assert.deepEqual(
      inA.items.map((s) => s.metadata?.name),
      ['password'],
    );
    assert.equal((await api.listSecretForAllNamespaces({})).items.length, 3);
    const raw = (await (
      await fetch(`${server.url}/api/v1/secrets?fieldSelector=${encodeURIComponent(TLS)}`)
    ).json()) as { kind: string };
    assert.equal(raw.kind, 'SecretList');
    await assert.rejects(
      api.listSecretForAllNamespaces({ fieldSelector: 'spec.bogus=1' }),
      (err: { code?: number }) => err.code === 400,
    );
  });

  it('watches only the Secrets the field selector lets through, with their kind', async (t) => {
    const { server, kc } = await started(t);
    const listed =
      (await kc.makeApiClient(CoreV1Api).listSecretForAllNamespaces({ fieldSelector: TLS })).metadata
        ?.resourceVersion ?? '';
    const run = openWatch(kc, '/api/v1/secrets', {
      fieldSelector: TLS,
      resourceVersion: listed,
      allowWatchBookmarks: true,
      timeoutSeconds: 30,
    });
    await server.waitForWatches(1);
    server.addSecret(secret('a', 'opaque', 'Opaque'));
    server.addSecret(secret('a', 'web-tls'));
    server.modifySecret('a', 'web-tls', { data: { 'tls.crt': 'eA==', 'tls.key': 'eQ==' } });
    server.modifySecret('a', 'opaque', { data: {} });
    server.deleteSecret('a', 'web-tls');
    await until(() => run.lines.filter((l) => l.type !== 'BOOKMARK').length === 3);
    const events = run.lines.filter((l) => l.type !== 'BOOKMARK');
    assert.deepEqual(
      events.map((l) => `${l.type} ${l.object.metadata?.name}`),
      ['ADDED web-tls', 'MODIFIED web-tls', 'DELETED web-tls'],
    );
    assert.ok(events.every((l) => l.object.kind === 'Secret' && l.object.type === 'kubernetes.io/tls'));
    (await run.controller).abort();
    await run.done;
  });

  it('answers a watch from a compacted resourceVersion with 410, as an event or an HTTP status', async (t) => {
    for (const form of ['event', 'http'] as const) {
      const { server, kc } = await started(t, { expiredForm: form });
      server.addSecret(secret('a', 'one'));
      const old = server.resourceVersion;
      server.addSecret(secret('a', 'two'));
      server.compactSecrets();
      const run = openWatch(kc, '/api/v1/secrets', { fieldSelector: TLS, resourceVersion: Number(old) - 1 });
      const err = (await run.done) as { statusCode?: number } | null;
      if (form === 'event') {
        assert.equal(err, null);
        assert.equal(run.lines[0]?.type, 'ERROR');
        assert.equal(run.lines[0]?.object.code, 410);
      } else {
        assert.equal(err?.statusCode, 410);
      }
    }
  });

  it('fails Secret requests with injected 500s, then recovers', async (t) => {
    const { server, kc } = await started(t);
    const api = kc.makeApiClient(CoreV1Api);
    server.failRequests(1, 500, 'list');
    await assert.rejects(
      api.listSecretForAllNamespaces({ fieldSelector: TLS }),
      (err: { code?: number }) => err.code === 500,
    );
    assert.equal((await api.listSecretForAllNamespaces({ fieldSelector: TLS })).items.length, 0);
  });
});

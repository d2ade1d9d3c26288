// The TLS model, table-driven: which names a certificate covers, which Secret serves a host (owner namespace,
// oldest pod), every broken case as an Issue, the last good certificate, validity on the pipeline's clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodEvent } from '../../src/model/events.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE, type RoutingState } from '../../src/model/routing-state.js';
import { buildRoutingTable } from '../../src/model/routing-table.js';
import { keyMaterial, nameCovers, type ProjectedSecret } from '../../src/model/secret.js';
import { nextSecretChange } from '../../src/model/secret-state.js';
import { planTls, type TlsPlan } from '../../src/model/tls.js';
import { aPod, sync } from '../support/pods.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

test('certificate names cover hosts as TLS defines it', () => {
  const cases: [string, string, string, boolean][] = [
    ['exact', 'shop.test', 'shop.test', true],
    ['other name', 'shop.test', 'www.shop.test', false],
    ['wildcard, one label', '*.shop.test', 'www.shop.test', true],
    ['wildcard, not the apex', '*.shop.test', 'shop.test', false],
    ['wildcard, not two labels', '*.shop.test', 'a.b.shop.test', false],
    ['wildcard host, same wildcard', '*.shop.test', '*.shop.test', true],
    ['wildcard host, exact name', 'a.shop.test', '*.shop.test', false],
    ['suffix trick', '*.shop.test', 'evilshop.test', false],
    ['IP', '127.0.0.1', '127.0.0.1', true],
  ];
  for (const [name, certName, host, covered] of cases) assert.equal(nameCovers(certName, host), covered, name);
});

function secret(
  namespace: string,
  name: string,
  fields: Partial<ProjectedSecret> & { names?: string[]; from?: number; until?: number; sha?: string } = {},
): ProjectedSecret {
  const { names = ['shop.test'], from = NOW - DAY, until = NOW + 30 * DAY, sha = 'a'.repeat(64), ...rest } = fields;
  return {
    namespace,
    name,
    type: 'kubernetes.io/tls',
    certificate: { sha256: sha, names, notBefore: from, notAfter: until },
    problem: null,
    material: keyMaterial(() => `pem of ${sha}`),
    ...rest,
  };
}

const pod = (
  name: string,
  namespace: string,
  hosts: string,
  tlsSecret: string | null,
  created = 1_000,
  path = '/',
): ProjectedPod => aPod(name, { namespace, hosts, paths: `8080:${path}`, tlsSecret, created });

function fold(
  batches: PodEvent[][],
  at = NOW,
  ownership: 'host' | 'route' = 'host',
  keepSecrets: string[] = [],
): RoutingState {
  return batches.reduce(
    (state, batch, i) => applyEvents(state, batch, at + i, { ...DEFAULT_REDUCE_OPTIONS, ownership, keepSecrets }),
    EMPTY_STATE,
  );
}

function plan(state: RoutingState, defaultSecret: string | null = null, ownership: 'host' | 'route' = 'host'): TlsPlan {
  return planTls(state, buildRoutingTable(state, ownership), { defaultSecret });
}

const secrets = (...list: ProjectedSecret[]): PodEvent => ({ type: 'SECRET_SYNC', secrets: list });
const summary = (p: TlsPlan): { hosts: string[]; codes: string[] } => ({
  hosts: [...p.hosts].map(([host, tls]) => `${host}=${tls.secret}`).sort(),
  codes: p.issues.map((issue) => `${issue.pod} ${issue.code}`).sort(),
});

test('which Secret serves a host, and what is reported', () => {
  const cases: {
    name: string;
    events: PodEvent[];
    defaultSecret?: string;
    ownership?: 'host' | 'route';
    hosts: string[];
    codes: string[];
  }[] = [
    {
      name: 'a good Secret',
      events: [sync(pod('web', 'shop', 'shop.test', 'tls')), secrets(secret('shop', 'tls'))],
      hosts: ['shop.test=shop/tls'],
      codes: [],
    },
    {
      name: 'no annotation, no HTTPS',
      events: [sync(pod('web', 'shop', 'shop.test', null)), secrets(secret('shop', 'tls'))],
      hosts: [],
      codes: [],
    },
    {
      name: 'missing Secret',
      events: [sync(pod('web', 'shop', 'shop.test', 'nope')), secrets()],
      hosts: [],
      codes: ['shop/web tls-secret-missing'],
    },
    {
      name: 'a Secret of the same name in another namespace does not count',
      events: [sync(pod('web', 'shop', 'shop.test', 'tls')), secrets(secret('other', 'tls'))],
      hosts: [],
      codes: ['shop/web tls-secret-missing'],
    },
    {
      name: 'ns/name is refused',
      events: [sync(pod('web', 'shop', 'shop.test', 'other/tls')), secrets(secret('other', 'tls'))],
      hosts: [],
      codes: ['shop/web invalid-tls-secret'],
    },
    {
      name: 'hostile name is refused',
      events: [sync(pod('web', 'shop', 'shop.test', 'tls;\nssl_certificate /etc/shadow')), secrets()],
      hosts: [],
      codes: ['shop/web invalid-tls-secret'],
    },
    {
      name: 'broken Secret',
      events: [
        sync(pod('web', 'shop', 'shop.test', 'tls')),
        secrets(
          secret('shop', 'tls', {
            certificate: null,
            material: null,
            problem: { code: 'tls-key-mismatch', message: 'x' },
          }),
        ),
      ],
      hosts: [],
      codes: ['shop/web tls-key-mismatch'],
    },
    {
      name: 'expired',
      events: [
        sync(pod('web', 'shop', 'shop.test', 'tls')),
        secrets(secret('shop', 'tls', { from: NOW - 9 * DAY, until: NOW - DAY })),
      ],
      hosts: [],
      codes: ['shop/web tls-certificate-expired'],
    },
    {
      name: 'not yet valid',
      events: [sync(pod('web', 'shop', 'shop.test', 'tls')), secrets(secret('shop', 'tls', { from: NOW + DAY }))],
      hosts: [],
      codes: ['shop/web tls-certificate-not-yet-valid'],
    },
    {
      name: 'not covering one of two hosts',
      events: [sync(pod('web', 'shop', 'shop.test api.test', 'tls')), secrets(secret('shop', 'tls'))],
      hosts: ['shop.test=shop/tls'],
      codes: ['shop/web tls-host-not-covered'],
    },
    {
      name: 'CN-only names are used when there is no SAN',
      events: [sync(pod('web', 'shop', 'shop.test', 'tls')), secrets(secret('shop', 'tls', { names: ['shop.test'] }))],
      hosts: ['shop.test=shop/tls'],
      codes: [],
    },
    {
      name: "two pods of the owner namespace: the oldest pod's Secret wins",
      events: [
        sync(pod('old', 'shop', 'shop.test', 'a', 1), pod('new', 'shop', 'shop.test', 'b', 2, '/x')),
        secrets(secret('shop', 'a'), secret('shop', 'b')),
      ],
      hosts: ['shop.test=shop/a'],
      codes: ['shop/new tls-secret-conflict'],
    },
    {
      name: 'another namespace cannot put its certificate on a host it does not own',
      events: [
        sync(pod('web', 'shop', 'shop.test', null, 1), pod('evil', 'evil', 'shop.test', 'tls', 2)),
        secrets(secret('evil', 'tls')),
      ],
      hosts: [],
      codes: ['evil/evil host-conflict'],
    },
    {
      name: "route policy: the certificate comes from the oldest claimant's namespace",
      ownership: 'route',
      events: [
        sync(pod('web', 'shop', 'shop.test', 'tls', 1), pod('blog', 'blog', 'shop.test', 'tls', 2, '/blog')),
        secrets(secret('shop', 'tls'), secret('blog', 'tls', { sha: 'b'.repeat(64) })),
      ],
      hosts: ['shop.test=shop/tls'],
      codes: ['blog/blog tls-secret-conflict'],
    },
    {
      name: 'default Secret covers a host naming none',
      defaultSecret: 'ingress/wild',
      events: [
        sync(pod('web', 'shop', 'a.apps.test', null)),
        secrets(secret('ingress', 'wild', { names: ['*.apps.test'] })),
      ],
      hosts: ['a.apps.test=ingress/wild'],
      codes: [],
    },
    {
      name: 'an IP host gets no HTTPS: clients send no SNI for an address',
      events: [
        sync(pod('web', 'shop', '10.1.2.3 shop.test', 'tls')),
        secrets(secret('shop', 'tls', { names: ['10.1.2.3', 'shop.test'] })),
      ],
      hosts: ['shop.test=shop/tls'],
      codes: ['shop/web tls-host-is-ip'],
    },
    {
      name: 'the default Secret does not serve an IP host either',
      defaultSecret: 'ingress/ip',
      events: [sync(pod('web', 'shop', '10.1.2.3', null)), secrets(secret('ingress', 'ip', { names: ['10.1.2.3'] }))],
      hosts: [],
      codes: [],
    },
    {
      name: 'default Secret does not cover other hosts',
      defaultSecret: 'ingress/wild',
      events: [
        sync(pod('web', 'shop', 'b.c.apps.test', null)),
        secrets(secret('ingress', 'wild', { names: ['*.apps.test'] })),
      ],
      hosts: [],
      codes: [],
    },
  ];
  for (const c of cases) {
    const state = fold([c.events], NOW, c.ownership ?? 'host', c.defaultSecret === undefined ? [] : [c.defaultSecret]);
    const { hosts, codes } = summary(plan(state, c.defaultSecret ?? null, c.ownership ?? 'host'));
    const all = [...codes, ...buildRoutingTable(state, c.ownership ?? 'host').issues.map((i) => `${i.pod} ${i.code}`)]
      .filter((v, i, a) => a.indexOf(v) === i)
      .sort();
    assert.deepEqual(hosts, c.hosts, c.name);
    assert.deepEqual(all, c.codes, c.name);
  }
});

test('an update to something broken keeps the last good certificate in force, and says so', () => {
  const good = secret('shop', 'tls', { sha: 'c'.repeat(64) });
  const broken = secret('shop', 'tls', {
    certificate: null,
    material: null,
    problem: { code: 'tls-secret-invalid', message: 'tls.crt holds no PEM certificate' },
  });
  const state = fold([
    [sync(pod('web', 'shop', 'shop.test', 'tls')), secrets(good)],
    [{ type: 'SECRET_MODIFIED', secret: broken }],
  ]);
  const p = plan(state);
  assert.equal(p.hosts.get('shop.test')?.file, `tls/${'c'.repeat(64)}.pem`);
  assert.equal(p.issues.length, 1);
  assert.match(
    p.issues[0]!.message,
    /last good certificate \(sha256 cccccccccccccccc…, valid until .*\) stays in force/,
  );
  // A later good version replaces it; deleting the Secret takes the host off HTTPS.
  const fixed = applyEvents(
    state,
    [{ type: 'SECRET_MODIFIED', secret: secret('shop', 'tls', { sha: 'd'.repeat(64) }) }],
    NOW + 10,
  );
  assert.equal(plan(fixed).hosts.get('shop.test')?.file, `tls/${'d'.repeat(64)}.pem`);
  const gone = applyEvents(fixed, [{ type: 'SECRET_DELETED', secret: secret('shop', 'tls') }], NOW + 20);
  assert.equal(plan(gone).hosts.size, 0);
});

test("validity is judged on the pipeline's clock, and the reducer knows when to look again", () => {
  const until = NOW + DAY;
  const state = fold([[sync(pod('web', 'shop', 'shop.test', 'tls')), secrets(secret('shop', 'tls', { until }))]]);
  assert.equal(plan(state).hosts.size, 1);
  assert.equal(nextSecretChange(state.tls!, NOW), until + 1);
  const later = applyEvents(state, [], until + 1);
  assert.notEqual(later, state);
  assert.deepEqual(summary(plan(later)).codes, ['shop/web tls-certificate-expired']);
  // Nothing moves in between: the same state.
  assert.equal(applyEvents(state, [], NOW + 1000), state);
});

test('a relist of unchanged Secrets keeps the state, and key material never shows in JSON', () => {
  const first = fold([[sync(pod('web', 'shop', 'shop.test', 'tls')), secrets(secret('shop', 'tls'))]]);
  assert.equal(applyEvents(first, [secrets(secret('shop', 'tls'))], NOW + 5), first);
  const text = JSON.stringify([...first.tls!.secrets.values()]);
  assert.ok(!text.includes('pem of'), text);
  assert.ok(text.includes('[redacted]'));
});

test('keys are kept only for Secrets some pod names (or kept on purpose); the others are withheld', () => {
  const state = fold([
    [
      sync(pod('web', 'shop', 'shop.test', 'tls')),
      secrets(secret('shop', 'tls'), secret('shop', 'unused'), secret('ingress', 'wild')),
    ],
  ]);
  const entry = (key: string) => state.tls!.secrets.get(key)!;
  assert.notEqual(entry('shop/tls').secret.material, null);
  assert.equal(entry('shop/unused').secret.material, null);
  assert.equal(entry('shop/unused').secret.withheld, true);
  const kept = applyEvents(
    EMPTY_STATE,
    [sync(pod('web', 'shop', 'shop.test', 'tls')), secrets(secret('ingress', 'wild'))],
    NOW,
    { ...DEFAULT_REDUCE_OPTIONS, keepSecrets: ['ingress/wild'] },
  );
  assert.notEqual(kept.tls!.secrets.get('ingress/wild')!.secret.material, null);
  // A pod that comes to name a withheld Secret gets no HTTPS until its key is fetched (no Issue meanwhile).
  const later = applyEvents(state, [{ type: 'ADDED', pod: pod('other', 'shop', 'other.test', 'unused') }], NOW + 1);
  assert.deepEqual(summary(plan(later)), { hosts: ['shop.test=shop/tls'], codes: [] });
  const fetched = applyEvents(
    later,
    [{ type: 'SECRET_MODIFIED', secret: secret('shop', 'unused', { names: ['other.test'] }) }],
    NOW + 2,
  );
  assert.deepEqual(summary(plan(fetched)).hosts, ['other.test=shop/unused', 'shop.test=shop/tls']);
  // The pod goes: the key goes with it.
  const gone = applyEvents(fetched, [{ type: 'DELETED', pod: pod('other', 'shop', 'other.test', 'unused') }], NOW + 3);
  assert.equal(gone.tls!.secrets.get('shop/unused')!.secret.material, null);
});

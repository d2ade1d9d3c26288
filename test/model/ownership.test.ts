// The ownership rules on their own: who holds a host (or route) after a change, wildcard cover, grace periods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  claimKeys,
  compareAges,
  coveringHold,
  hasVacancy,
  nextExpiry,
  ownershipKey,
  settleHolds,
  wildcardHolds,
  type Hold,
  type OwnershipOptions,
  type OwnershipPolicy,
} from '../../src/model/ownership.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import { readPod, type PodRecord } from '../../src/model/pod-record.js';
import { projected } from '../support/render-pods.js';

const GRACE = 60_000;
const HOST: OwnershipOptions = { ownership: 'host', ownershipGraceMs: GRACE };
const ROUTE: OwnershipOptions = { ownership: 'route', ownershipGraceMs: GRACE };

/** A claiming pod: `ns/name`, created at `created`, claiming `hosts` on `paths` (80:/ by default). */
const pod = (
  key: string,
  created: number,
  hosts: string,
  paths = '80:/',
  more: Partial<ProjectedPod> = {},
): ProjectedPod => {
  const [namespace, name] = key.split('/') as [string, string];
  return projected({ namespace, name, created, hosts, paths, ...more });
};
const records = (...pods: ProjectedPod[]): Map<string, PodRecord> =>
  new Map(pods.map((p) => [`${p.namespace}/${p.name}`, readPod(p)]));
const hold = (namespace: string, created: number, pod: string, vacantSince: number | null = null): Hold => ({
  namespace,
  since: { created, pod },
  vacantSince,
});
const holds = (entries: Record<string, Hold>): Map<string, Hold> => new Map(Object.entries(entries));
/** Holds as `key=namespace` (plus `vacant@T`), sorted: the whole outcome in one comparable line each. */
const summary = (settled: ReadonlyMap<string, Hold>): string[] =>
  [...settled]
    .map(
      ([key, h]) =>
        `${key}=${h.namespace} since ${h.since.created} ${h.since.pod}${h.vacantSince === null ? '' : ` vacant@${h.vacantSince}`}`,
    )
    .sort();

describe('settleHolds', () => {
  const cases: [
    name: string,
    before: Map<string, Hold>,
    pods: Map<string, PodRecord>,
    now: number,
    options: OwnershipOptions,
    expected: string[],
  ][] = [
    [
      'a first claim takes the host',
      holds({}),
      records(pod('a/web', 1_000, 'shop.example.com')),
      0,
      HOST,
      ['shop.example.com=a since 1000 a/web'],
    ],
    [
      'both claims at once: the older namespace owns it',
      holds({}),
      records(pod('b/web', 2_000, 'shop.example.com'), pod('a/web', 1_000, 'shop.example.com')),
      0,
      HOST,
      ['shop.example.com=a since 1000 a/web'],
    ],
    [
      'the younger claim came first: the older one still takes the host',
      holds({ 'shop.example.com': hold('b', 2_000, 'b/web') }),
      records(pod('b/web', 2_000, 'shop.example.com'), pod('a/web', 1_000, 'shop.example.com')),
      5_000,
      HOST,
      ['shop.example.com=a since 1000 a/web'],
    ],
    [
      'the older claim came first: a younger one changes nothing',
      holds({ 'shop.example.com': hold('a', 1_000, 'a/web') }),
      records(pod('a/web', 1_000, 'shop.example.com'), pod('b/web', 2_000, 'shop.example.com')),
      5_000,
      HOST,
      ['shop.example.com=a since 1000 a/web'],
    ],
    [
      'same creation time: the pod key decides (namespace, then name)',
      holds({}),
      records(pod('b/web', 1_000, 'shop.example.com'), pod('a/zzz', 1_000, 'shop.example.com')),
      0,
      HOST,
      ['shop.example.com=a since 1000 a/zzz'],
    ],
    [
      'same-name pods in two namespaces: namespace order breaks the tie',
      holds({}),
      records(pod('team-b/web', 1_000, 'shop.example.com'), pod('team-a/web', 1_000, 'shop.example.com')),
      0,
      HOST,
      ['shop.example.com=team-a since 1000 team-a/web'],
    ],
    [
      'a rolling restart keeps the host though the new pod is younger than the rival',
      holds({ 'shop.example.com': hold('a', 1_000, 'a/web-1') }),
      records(pod('a/web-2', 9_000, 'shop.example.com'), pod('b/web', 2_000, 'shop.example.com')),
      9_000,
      HOST,
      ['shop.example.com=a since 1000 a/web-1'],
    ],
    [
      "the owner's last pod went: the hold turns vacant, the rival waits",
      holds({ 'shop.example.com': hold('a', 1_000, 'a/web') }),
      records(pod('b/web', 2_000, 'shop.example.com')),
      10_000,
      HOST,
      ['shop.example.com=a since 1000 a/web vacant@10000'],
    ],
    [
      'still within the grace period: nothing changes',
      holds({ 'shop.example.com': hold('a', 1_000, 'a/web', 10_000) }),
      records(pod('b/web', 2_000, 'shop.example.com')),
      10_000 + GRACE - 1,
      HOST,
      ['shop.example.com=a since 1000 a/web vacant@10000'],
    ],
    [
      'the grace period is over: the oldest remaining claim takes the host',
      holds({ 'shop.example.com': hold('a', 1_000, 'a/web', 10_000) }),
      records(pod('c/web', 3_000, 'shop.example.com'), pod('b/web', 2_000, 'shop.example.com')),
      10_000 + GRACE,
      HOST,
      ['shop.example.com=b since 2000 b/web'],
    ],
    [
      'the grace period is over and nobody claims it: the hold goes',
      holds({ 'shop.example.com': hold('a', 1_000, 'a/web', 10_000) }),
      records(),
      10_000 + GRACE,
      HOST,
      [],
    ],
    [
      'the owner came back within the grace period: the vacancy ends, its age stays',
      holds({ 'shop.example.com': hold('a', 1_000, 'a/web', 10_000) }),
      records(pod('a/web', 20_000, 'shop.example.com'), pod('b/web', 2_000, 'shop.example.com')),
      20_000,
      HOST,
      ['shop.example.com=a since 1000 a/web'],
    ],
    [
      'grace 0: the host passes at once',
      holds({ 'shop.example.com': hold('a', 1_000, 'a/web') }),
      records(pod('b/web', 2_000, 'shop.example.com')),
      10_000,
      { ownership: 'host', ownershipGraceMs: 0 },
      ['shop.example.com=b since 2000 b/web'],
    ],
    [
      'route policy: each (host, path) is held on its own',
      holds({}),
      records(pod('a/web', 1_000, 'shop.example.com', '80:/'), pod('b/api', 2_000, 'shop.example.com', '80:/api 80:/')),
      0,
      ROUTE,
      ['shop.example.com /=a since 1000 a/web', 'shop.example.com /api=b since 2000 b/api'],
    ],
    [
      'an IPv4 literal is owned like any name',
      holds({}),
      records(pod('b/web', 2_000, '10.0.0.9'), pod('a/web', 1_000, '10.0.0.9 localhost')),
      0,
      HOST,
      ['10.0.0.9=a since 1000 a/web', 'localhost=a since 1000 a/web'],
    ],
    [
      'a pod with no paths claims nothing',
      holds({}),
      records(pod('a/web', 1_000, 'shop.example.com', '')),
      0,
      HOST,
      [],
    ],
    [
      'a wildcard is held like a name',
      holds({}),
      records(pod('a/web', 1_000, '*.example.com')),
      0,
      HOST,
      ['*.example.com=a since 1000 a/web'],
    ],
  ];
  for (const [name, before, pods, now, options, expected] of cases) {
    it(name, () => assert.deepEqual(summary(settleHolds(before, pods, now, options)), expected));
  }

  it('returns the very same map when nothing changed', () => {
    const before = holds({ 'shop.example.com': hold('a', 1_000, 'a/web') });
    assert.equal(settleHolds(before, records(pod('a/web', 1_000, 'shop.example.com')), 5_000, HOST), before);
  });

  it('with touched keys, settles only those (and vacant holds)', () => {
    const before = holds({ 'a.example.com': hold('b', 2_000, 'b/web'), 'v.example.com': hold('c', 1_000, 'c/web', 0) });
    const pods = records(pod('a/web', 1_000, 'a.example.com b.example.com'), pod('b/web', 2_000, 'a.example.com'));
    assert.deepEqual(summary(settleHolds(before, pods, GRACE, HOST, new Set(['b.example.com']))), [
      'a.example.com=b since 2000 b/web', // untouched: left as it was
      'b.example.com=a since 1000 a/web',
    ]);
  });
});

describe('coveringHold', () => {
  const index = wildcardHolds(
    holds({
      '*.example.com': hold('a', 1_000, 'a/wild'),
      '*.apps.example.com': hold('b', 5_000, 'b/wild'),
      'plain.example.com': hold('c', 500, 'c/web'),
    }),
  );
  const cases: [name: string, host: string, mine: Hold, expected: string | null][] = [
    [
      'an older foreign wildcard covers a younger name under it',
      'shop.example.com',
      hold('b', 2_000, 'b/web'),
      '*.example.com a',
    ],
    ['it covers names deeper down', 'x.y.example.com', hold('b', 2_000, 'b/web'), '*.example.com a'],
    ['it covers a narrower wildcard', '*.shop.example.com', hold('b', 2_000, 'b/web'), '*.example.com a'],
    ['a name older than the wildcard keeps its traffic', 'old.example.com', hold('c', 500, 'c/web'), null],
    ["the wildcard's own namespace is not refused", 'shop.example.com', hold('a', 2_000, 'a/web'), null],
    ['the apex is not under its wildcard', 'example.com', hold('b', 2_000, 'b/web'), null],
    ['a wildcard does not cover itself', '*.example.com', hold('b', 2_000, 'b/web'), null],
    [
      'the younger of two wildcards does not protect a name older than it',
      'x.apps.example.com',
      hold('c', 3_000, 'c/web'),
      '*.example.com a',
    ],
    [
      'the nearer wildcard covers when it is the older one',
      'x.apps.example.com',
      hold('a', 6_000, 'a/web'),
      '*.apps.example.com b',
    ],
    ['an unrelated domain', 'shop.example.org', hold('b', 2_000, 'b/web'), null],
  ];
  for (const [name, host, mine, expected] of cases) {
    it(name, () => {
      const cover = coveringHold(index, host, mine);
      assert.equal(cover === null ? null : `${cover.wildcard} ${cover.namespace}`, expected);
    });
  }

  it('indexes wildcard holds by host under either policy', () => {
    const index2 = wildcardHolds(
      holds({
        '*.example.com /': hold('a', 1, 'a/w'),
        '*.example.com /api': hold('b', 2, 'b/w'),
        'x.example.com /': hold('c', 0, 'c/w'),
      }),
    );
    assert.deepEqual(
      [...index2].map(([host, list]) => `${host}: ${list.map((h) => h.namespace).join(',')}`),
      ['*.example.com: a,b'],
    );
  });
});

describe('keys, ages and vacancies', () => {
  const keyCases: [name: string, policy: OwnershipPolicy, expected: string[]][] = [
    ['host policy: one key a host', 'host', ['a.example.com', 'b.example.com']],
    [
      'route policy: one key a (host, path)',
      'route',
      ['a.example.com /', 'a.example.com /api', 'b.example.com /', 'b.example.com /api'],
    ],
  ];
  for (const [name, policy, expected] of keyCases) {
    it(name, () => {
      const record = readPod(pod('a/web', 1, 'a.example.com b.example.com', '80:/ 80:/api'));
      assert.deepEqual(claimKeys(record, policy).sort(), expected);
      assert.equal(
        ownershipKey(policy, 'a.example.com', '/api'),
        policy === 'host' ? 'a.example.com' : 'a.example.com /api',
      );
    });
  }

  const ageCases: [name: string, a: [number, string], b: [number, string], sign: number][] = [
    ['older creation first', [1, 'z/z'], [2, 'a/a'], -1],
    ['same creation: pod key order', [1, 'a/b'], [1, 'a/c'], -1],
    ['equal', [1, 'a/b'], [1, 'a/b'], 0],
    ['younger after', [3, 'a/a'], [2, 'z/z'], 1],
  ];
  for (const [name, [ca, pa], [cb, pb], sign] of ageCases) {
    it(`compareAges: ${name}`, () =>
      assert.equal(Math.sign(compareAges({ created: ca, pod: pa }, { created: cb, pod: pb })), sign));
  }

  const vacancyCases: [name: string, held: Map<string, Hold>, vacant: boolean, expiry: number | null][] = [
    ['none held', holds({}), false, null],
    ['all occupied', holds({ x: hold('a', 1, 'a/w') }), false, null],
    [
      'the earliest vacancy decides the expiry',
      holds({ x: hold('a', 1, 'a/w', 500), y: hold('b', 1, 'b/w', 100), z: hold('c', 1, 'c/w') }),
      true,
      100 + GRACE,
    ],
  ];
  for (const [name, held, vacant, expiry] of vacancyCases) {
    it(`vacancies: ${name}`, () => {
      assert.equal(hasVacancy(held), vacant);
      assert.equal(nextExpiry(held, GRACE), expiry);
    });
  }
});

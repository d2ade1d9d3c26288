// Invariants over generated inputs (fast-check, seeded so failures reproduce).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { PodEvent } from '../../src/model/events.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import {
  applyEvents,
  DEFAULT_REDUCE_OPTIONS,
  EMPTY_STATE,
  type ReduceOptions,
  type RoutingState,
} from '../../src/model/routing-state.js';
import { buildView, ViewBuilder } from '../../src/model/config-view.js';
import { buildMembership, MembershipBuilder } from '../../src/model/membership.js';
import { buildRoutingTable, RoutingTableBuilder } from '../../src/model/routing-table.js';
import { ClaimIndex } from '../../src/model/ownership.js';
import { ViewChecker } from '../../src/render/check-view.js';
import { renderState, StateRenderer } from '../../src/render/render-config.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { aPod } from '../support/pods.js';

const template = loadTemplate();
const SEED = 20261128;
const render = (events: PodEvent[][], options: ReduceOptions = DEFAULT_REDUCE_OPTIONS): string => {
  const state = events.reduce((s, batch, i) => applyEvents(s, batch, i * 2000, options), EMPTY_STATE);
  return renderState(state, template, { port: 80, ownership: options.ownership }).text;
};

const hostPool = ['a.example.com', 'b.example.com', '*.example.com', 'c.test', '10.1.2.3', 'BAD;host'];
const pathPool = ['/', '/api', '/api/v1', '/nodejs', '/x%C3%A9', '/bad{'];
// Two hosts whose routes on /api have the same FNV-1a-32 base id: their ids must be made unique, in table order.
const collidingHostPool = ['nsxwkkbo.test', 'znbnaubq.test', 'a.example.com'];
const collidingPathPool = ['/api', '/'];
const aPodArb = (index: number, hosts = hostPool, paths = pathPool) =>
  fc
    .record({
      namespace: fc.constantFrom('team-a', 'team-b', 'team-c'),
      created: fc.integer({ min: 0, max: 5 }),
      hosts: fc.uniqueArray(fc.constantFrom(...hosts), { minLength: 1, maxLength: 3 }),
      paths: fc.uniqueArray(fc.tuple(fc.constantFrom(80, 3000, 8080), fc.constantFrom(...paths)), {
        minLength: 1,
        maxLength: 3,
        selector: ([, p]) => p,
      }),
      ready: fc.boolean(),
      ipv6: fc.boolean(),
    })
    .map((p): ProjectedPod =>
      aPod(`pod-${index}`, {
        namespace: p.namespace,
        created: p.created * 60_000,
        hosts: p.hosts.join(' '),
        paths: p.paths.map(([port, path]) => `${port}:${path}`).join(' '),
        ready: p.ready,
        ip: p.ipv6 ? `fd00::${index + 1}` : `10.0.0.${index + 1}`,
      }),
    );
const podsArb = fc
  .integer({ min: 0, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => aPodArb(i))));
const collidingPodsArb = fc
  .integer({ min: 0, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => aPodArb(i, collidingHostPool, collidingPathPool))));
const shuffledPodsArb = podsArb.chain((pods) =>
  fc.tuple(fc.constant(pods), fc.shuffledSubarray(pods, { minLength: pods.length })),
);

/** Splits events into consecutive batches at the given cut points. */
function batches<T>(items: T[], cuts: number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const result: T[][] = [];
  let from = 0;
  for (const point of [...points, items.length]) {
    result.push(items.slice(from, point));
    from = point;
  }
  return result;
}

test('any order and batching of the same pods gives byte-identical output (conflicts included)', () => {
  fc.assert(
    fc.property(
      shuffledPodsArb,
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.constantFrom('host', 'route'),
      ([pods, shuffled], cuts, ownership) => {
        const options = { ...DEFAULT_REDUCE_OPTIONS, ownership: ownership as 'host' | 'route' };
        const reference = render([[{ type: 'SYNC', pods }]], options);
        const events: PodEvent[] = shuffled.map((pod) => ({ type: 'ADDED', pod }));
        assert.equal(render([[{ type: 'SYNC', pods: [] }], ...batches(events, cuts)], options), reference);
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});

test('within one namespace, any interleaving of per-pod histories (flaps, deletions) ends at the fresh-list output', () => {
  fc.assert(
    fc.property(
      podsArb,
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (raw, picks, cuts) => {
        const pods = raw.map((p) => ({ ...p, namespace: 'team-a' }));
        // Each pod's history: ADDED not ready, MODIFIED to its final readiness, and every third pod DELETED.
        const histories: PodEvent[][] = pods.map((pod, i) => [
          { type: 'ADDED', pod: { ...pod, ready: false } },
          { type: 'MODIFIED', pod },
          ...(i % 3 === 2 ? [{ type: 'DELETED' as const, pod }] : []),
        ]);
        const survivors = pods.filter((_, i) => i % 3 !== 2);
        const merged: PodEvent[] = [];
        let pick = 0;
        while (histories.some((h) => h.length > 0)) {
          const open = histories.filter((h) => h.length > 0);
          merged.push(open[(picks[pick++] ?? 0) % open.length]!.shift()!);
        }
        const expected = render([[{ type: 'SYNC', pods: survivors }]]);
        assert.equal(render([[{ type: 'SYNC', pods: [] }], ...batches(merged, cuts)]), expected);
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});

// Every line the shipped template can produce, with allow-listed values in the holes.
const VALUE = String.raw`[A-Za-z0-9._~\-/:\[\]*\u0080-\u{10FFFF}]+`;
const LINE_SHAPES = [
  String.raw`#.*`, // header comments are template text; checked separately below
  String.raw`pid nginx\.pid;`,
  String.raw`error_log stderr;`,
  String.raw`worker_processes (auto|[0-9]+);`,
  String.raw`events \{`,
  String.raw`worker_connections 1024;`,
  String.raw`http \{`,
  String.raw`types_hash_max_size 2048;`,
  String.raw`server_names_hash_max_size [0-9]+;`,
  String.raw`server_names_hash_bucket_size [0-9]+;`,
  String.raw`access_log off;`,
  String.raw`(client_body|proxy|fastcgi|uwsgi|scgi)_temp_path [a-z_]+;`,
  String.raw`map \$http_upgrade \$connection_upgrade \{`,
  String.raw`default upgrade;`,
  String.raw`'' close;`,
  String.raw`upstream microservice[0-9]+(-[0-9]+)? \{`,
  String.raw`server ${VALUE}; # Pod [a-z0-9.-]+ \([a-z0-9-]+\)`,
  String.raw`server \{`,
  String.raw`listen ([0-9.]+|\[[0-9a-f:]+\]):[0-9]+( default_server)?( ipv6only=on)?;`,
  String.raw`client_max_body_size [0-9]+[kmg]?;`,
  String.raw`proxy_(connect|read|send)_timeout [0-9]+s;`,
  String.raw`server_name ${VALUE};`,
  String.raw`location (= )?${VALUE} \{`,
  String.raw`return (503|444);`,
  String.raw`proxy_pass http://${VALUE};`,
  String.raw`proxy_http_version 1\.1;`,
  String.raw`proxy_set_header [A-Za-z-]+ \$[a-z_]+;`,
  String.raw`\}`,
  '',
].map((shape) => new RegExp(`^\\s*(?:${shape})$`, 'u'));
const COMMENTS = [
  /^\s*# Rendered by k8s-pods-ingress/,
  /^\s*# Relative paths resolve/,
  /^\s*# Pod [a-z0-9.-]+ \([a-z0-9-]+\)( is not ready)?$/,
];

test('no annotation value, however crafted, adds a directive, block or comment', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...'abc./:%0123;{}#"\'$\\ \t\r\n\u0000\u2028*=~'.split('')), maxLength: 40 }),
    fc
      .array(fc.constantFrom('a.com', '80:/x', ';', '}', '{', '#', '\n', 'return 200', '$host', '"', '%0a', '%2e%2e'), {
        maxLength: 8,
      })
      .map((parts) => parts.join('')),
  );
  fc.assert(
    fc.property(anyText, anyText, (hosts, paths) => {
      const victim = aPod('victim', { hosts: 'victim.example.com', paths: '80:/' });
      const hostile = aPod('hostile', { namespace: 'evil', hosts, paths, ip: '10.6.6.6' });
      const text = render([[{ type: 'SYNC', pods: [victim, hostile] }]]);
      for (const line of text.split('\n')) {
        assert.ok(
          LINE_SHAPES.some((shape) => shape.test(line)),
          `unexpected line ${JSON.stringify(line)}`,
        );
        if (/^\s*#/.test(line))
          assert.ok(
            COMMENTS.some((c) => c.test(line)),
            `unexpected comment ${JSON.stringify(line)}`,
          );
      }
      assert.equal(text.split('{').length, text.split('}').length, 'braces balance');
      assert.match(
        text,
        /server_name victim\.example\.com;\n\n\s+location \/ \{\n\s+# Pod victim \(default\)\n\s+proxy_pass http:\/\/10\.0\.0\.1:80;/,
      );
    }),
    { seed: SEED, numRuns: 1500 },
  );
});

// A window's changes to the pods of a cluster: add, flip readiness, move to other hosts and paths, delete.
const changeArb = (pod = aPodArb(0)) =>
  fc.record({ index: fc.nat({ max: 11 }), kind: fc.constantFrom('add', 'flip', 'move', 'delete'), pod });
type Change = { index: number; kind: string; pod: ProjectedPod };
// Up to eight windows of up to four changes, and either ownership policy.
const batchesArb = fc.array(fc.array(changeArb(), { maxLength: 4 }), { maxLength: 8 });
const collidingBatchesArb = fc.array(
  fc.array(changeArb(aPodArb(0, collidingHostPool, collidingPathPool)), { maxLength: 4 }),
  { maxLength: 8 },
);
const policyArb = fc.constantFrom<'host' | 'route'>('host', 'route');

function eventsOf(batch: readonly Change[], state: RoutingState): PodEvent[] {
  return batch.map(({ index, kind, pod }) => {
    const name = `pod-${index}`;
    const known = [...state.pods.values()].find((r) => r.pod.name === name)?.pod;
    const base = known ?? { ...pod, name, uid: `uid-${name}` };
    if (kind === 'delete') return { type: 'DELETED', pod: base };
    if (kind === 'flip') return { type: 'MODIFIED', pod: { ...base, ready: !base.ready } };
    if (kind === 'move')
      return { type: 'MODIFIED', pod: { ...base, hosts: pod.hosts, paths: pod.paths, namespace: base.namespace } };
    return { type: 'ADDED', pod: base };
  });
}

/**
 * Runs `check` on the state after the list and after each batch of changes (windows 2 s apart). The states are
 * folded as the reducer folds them, with a claim index kept from batch to batch, and each one's owners are checked
 * against a fold without it.
 */
function eachState(
  pods: ProjectedPod[],
  batches: readonly (readonly Change[])[],
  options: ReduceOptions,
  check: (state: RoutingState) => void,
): void {
  const claims = new ClaimIndex(options.ownership);
  let state = applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods }], 0, options, claims);
  check(state);
  batches.forEach((batch, i) => {
    const events = eventsOf(batch, state);
    const previous = state;
    state = applyEvents(previous, events, (i + 1) * 2000, options, claims);
    const sorted = (s: RoutingState) => [...s.holds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(sorted(state), sorted(applyEvents(previous, events, (i + 1) * 2000, options)));
    check(state);
  });
}

test('rendering states one after another (reusing unchanged hosts) always equals rendering each afresh', () => {
  fc.assert(
    fc.property(podsArb, batchesArb, policyArb, (pods, batches, ownership) => {
      const options = { ...DEFAULT_REDUCE_OPTIONS, ownership, ownershipGraceMs: 0 };
      const renderer = new StateRenderer(template, { port: 80, ownership: options.ownership });
      eachState(pods, batches, options, (state) =>
        assert.equal(
          renderer.render(state).text,
          renderState(state, template, { port: 80, ownership: options.ownership }).text,
        ),
      );
    }),
    { seed: SEED, numRuns: 300 },
  );
});

/** Freezes an object and everything it holds (arrays and plain objects), so a later write throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
  return value;
}

for (const [name, pods$, batches$] of [
  ['', podsArb, batchesArb],
  [', with colliding route ids', collidingPodsArb, collidingBatchesArb],
] as const) {
  test(`the builders never change what they returned: frozen tables, memberships and views, each equal to a fresh build${name}`, () => {
    fc.assert(
      fc.property(pods$, batches$, policyArb, fc.boolean(), (pods, batches, policy, dynamic) => {
        const options = { ...DEFAULT_REDUCE_OPTIONS, ownership: policy, ownershipGraceMs: 0 };
        const viewOptions = {
          port: 80,
          dynamic: dynamic
            ? { modulesDir: '/m', membersSocket: '/run/m.sock', keepalive: 8, membersBytes: 10 }
            : undefined,
        };
        const tables = new RoutingTableBuilder();
        const memberships = new MembershipBuilder();
        const views = new ViewBuilder();
        const checker = new ViewChecker();
        // Everything a builder returns is frozen at once: the objects it reuses next time must not be written to.
        eachState(pods, batches, options, (state) => {
          const table = deepFreeze(tables.build(state, policy));
          const fresh = buildRoutingTable(state, policy);
          assert.deepEqual(table, fresh);
          assert.deepEqual(deepFreeze(memberships.build(table)), buildMembership(fresh));
          const view = deepFreeze(views.build(table, viewOptions));
          checker.check(view);
          assert.deepEqual(view, buildView(fresh, viewOptions));
        });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
}

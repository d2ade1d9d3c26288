// The membership product and its two text forms; and that a change of members alone changes no byte of nginx.conf.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { membersBody, membersBodyBytes, membersText } from '../../src/model/members-text.js';
import { buildMembership, sameMembership, unionMembership, type Membership } from '../../src/model/membership.js';
import { applyEvents, DEFAULT_REDUCE_OPTIONS, EMPTY_STATE } from '../../src/model/routing-state.js';
import { buildRoutingTable } from '../../src/model/routing-table.js';
import { StateRenderer } from '../../src/render/render-config.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import { aPod } from '../support/pods.js';

const membershipOf = (...pods: ProjectedPod[]): Membership =>
  buildMembership(
    buildRoutingTable(applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods }], 0, DEFAULT_REDUCE_OPTIONS), 'host'),
  );
const DYNAMIC = {
  port: 80,
  ownership: 'host' as const,
  dynamic: { modulesDir: '/usr/lib/nginx/modules', membersSocket: '/srv/run/members.sock' },
};

test('every route gets an id of the upstream scheme, whatever its pod count, with its ready pods sorted', () => {
  const cases: [string, ProjectedPod[], string[]][] = [
    ['no pod', [], []],
    [
      'one pod: still an id (the original named only upstreams)',
      [aPod('a', { ip: '10.0.0.1' })],
      ['microservice1866206336 test.k8s.local /nodejs 10.0.0.1:3000'],
    ],
    [
      'pods sorted by namespace, name',
      [aPod('b', { ip: '10.0.0.2' }), aPod('a', { ip: '10.0.0.1' })],
      ['microservice1866206336 test.k8s.local /nodejs 10.0.0.1:3000 10.0.0.2:3000'],
    ],
    ['not ready: none', [aPod('a', { ready: false })], ['microservice1866206336 test.k8s.local /nodejs']],
    [
      'IPv6 bracketed',
      [aPod('a', { ip: 'fd00::1' })],
      ['microservice1866206336 test.k8s.local /nodejs [fd00::1]:3000'],
    ],
    ['hostile host refused upstream: no route', [aPod('a', { hosts: 'evil;host' })], []],
  ];
  for (const [name, pods, expected] of cases) {
    const lines = membershipOf(...pods).routes.map((r) =>
      [r.id, r.host, r.path, ...r.backends.map((b) => b.address)].join(' '),
    );
    assert.deepEqual(lines, expected, name);
  }
});

test('the pushed body and the printed lines', () => {
  const members = membershipOf(aPod('a', { ip: '10.0.0.1' }), aPod('w', { hosts: 'w.test', ready: false }));
  assert.equal(
    membersBody(members, 7),
    'k8s-pods-ingress members 1\nversion 7\nmicroservice1866206336 10.0.0.1:3000\nmicroservice320050086\n',
  );
  assert.equal(
    membersText(members, 3, 'ab'.repeat(32)),
    '# members 3 sha256:abababababababab routes=2 backends=1\n# microservice1866206336 test.k8s.local /nodejs 10.0.0.1:3000(a default)\n# microservice320050086 w.test /nodejs none waiting(w default)\n',
  );
});

test('membersBodyBytes is the byte length of the body, for versions of that many digits', () => {
  const cases: [string, Membership][] = [
    ['no route', membershipOf()],
    ['one route, one pod', membershipOf(aPod('a', { ip: '10.0.0.1' }))],
    [
      'a route without pods, IPv6',
      membershipOf(aPod('a', { ip: 'fd00::1' }), aPod('w', { hosts: 'w.test', ready: false })),
    ],
  ];
  for (const [name, members] of cases)
    for (const version of [7, 42, 999_999_999_999_999])
      assert.equal(
        membersBodyBytes(members, String(version).length),
        Buffer.byteLength(membersBody(members, version)),
        `${name}, version ${version}`,
      );
});

test('sameMembership and unionMembership', () => {
  const one = membershipOf(aPod('a', { ip: '10.0.0.1' }));
  const two = membershipOf(aPod('a', { ip: '10.0.0.1' }), aPod('b', { ip: '10.0.0.2' }));
  const other = membershipOf(aPod('x', { hosts: 'x.test', ip: '10.0.0.9' }));
  assert.equal(sameMembership(one, membershipOf(aPod('a', { ip: '10.0.0.1' }))), true);
  assert.equal(sameMembership(one, two), false);
  assert.equal(sameMembership(one, membershipOf(aPod('a', { ip: '10.0.0.3' }))), false);
  assert.equal(unionMembership(one, two), two, 'same routes: the new members');
  assert.deepEqual(
    unionMembership(one, other).routes.map((r) => r.id),
    [one.routes[0]!.id, other.routes[0]!.id].sort(),
  );
});

test('dynamic mode: a change of members alone changes no byte of nginx.conf; static mode has no membership', () => {
  const template = loadTemplate();
  for (const [mode, options] of [
    ['dynamic', DYNAMIC],
    ['static', { port: 80, ownership: 'host' as const }],
  ] as const) {
    const renderer = new StateRenderer(template, options);
    let state = applyEvents(
      EMPTY_STATE,
      [{ type: 'SYNC', pods: [aPod('a', { ip: '10.0.0.1' })] }],
      0,
      DEFAULT_REDUCE_OPTIONS,
    );
    const first = renderer.render(state);
    state = applyEvents(
      state,
      [
        { type: 'ADDED', pod: aPod('b', { ip: '10.0.0.2' }) },
        { type: 'MODIFIED', pod: aPod('a', { ip: '10.0.0.1', ready: false }) },
      ],
      1,
      DEFAULT_REDUCE_OPTIONS,
    );
    const second = renderer.render(state);
    assert.equal(first.text === second.text, mode === 'dynamic', mode);
    if (mode === 'static') {
      assert.equal(second.members, undefined, 'static: the pods are in the text');
      assert.equal(second.membersHash, undefined);
      continue;
    }
    assert.notEqual(first.membersHash, second.membersHash, mode);
    assert.equal(sameMembership(first.members!, second.members!), false, mode);
  }
});

test('the shared dict is sized from the members: a power of two, at least 1 MiB, 4x the body', () => {
  const template = loadTemplate();
  const pods = Array.from({ length: 3000 }, (_, i) =>
    aPod(`p${i}`, {
      ip: `10.${Math.floor(i / 250)}.${i % 250}.1`,
      hosts: `h${i % 500}.test`,
      paths: '8080:/ 8080:/a 8080:/b 8080:/c 8080:/d 8080:/e 8080:/f 8080:/g',
    }),
  );
  const small = new StateRenderer(template, DYNAMIC).render(
    applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods: pods.slice(0, 1) }], 0, DEFAULT_REDUCE_OPTIONS),
  );
  const large = new StateRenderer(template, DYNAMIC).render(
    applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods }], 0, DEFAULT_REDUCE_OPTIONS),
  );
  const size = (text: string): number => Number(/lua_shared_dict k8s_pods_ingress (\d+)k;/.exec(text)![1]);
  assert.equal(size(small.text), 1024);
  assert.ok(size(large.text) > 1024, 'the large case grows past the minimum');
  const body = Buffer.byteLength(membersBody(large.members!, 999_999_999_999_999));
  assert.ok(
    size(large.text) * 1024 >= 4 * body && size(large.text) * 1024 < 8 * body,
    `${size(large.text)}k for a ${body}-byte body`,
  );
  assert.equal(Math.log2(size(large.text)) % 1, 0);
  assert.match(large.text, new RegExp(`client_max_body_size ${size(large.text) / 2}k;`));
});

// The routing table on its own: what nginx must serve from a state, with every claim ownership refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodEvent } from '../../src/model/events.js';
import type { OwnershipPolicy } from '../../src/model/ownership.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import { buildRoutingTable, type RoutingTable } from '../../src/model/routing-table.js';
import { applyBatches, projected } from '../support/render-pods.js';

const GRACE = 60_000;

/** A pod `ns/name` created at `created`, claiming `hosts` x `paths`, ready at `ip` unless `more` says otherwise. */
const pod = (
  key: string,
  created: number,
  hosts: string,
  paths: string,
  more: Partial<ProjectedPod> = {},
): ProjectedPod => {
  const [namespace, name] = key.split('/') as [string, string];
  return projected({ namespace, name, created, hosts, paths, ...more });
};
const added = (p: ProjectedPod): PodEvent => ({ type: 'ADDED', pod: p });
const deleted = (p: ProjectedPod): PodEvent => ({ type: 'DELETED', pod: p });
const sync = (...pods: ProjectedPod[]): PodEvent => ({ type: 'SYNC', pods });

type Batch = { readonly at: number; readonly events: readonly PodEvent[] };
const once = (...events: PodEvent[]): Batch[] => [{ at: 0, events }];

/** The whole table in lines: `host path -> backends | waiting`, then `! pod code` for each issue. */
function summary(table: RoutingTable): string[] {
  const routes = table.hosts.flatMap((h) =>
    h.routes.map((r) => {
      const backends = r.backends.map((b) => `${b.namespace}/${b.name}@${b.address}`).join(' ');
      const waiting = r.waiting.map((w) => `${w.namespace}/${w.name}`).join(' ');
      return `${h.host} ${r.path} -> ${backends === '' ? '(none)' : backends}${waiting === '' ? '' : ` | waiting ${waiting}`}`;
    }),
  );
  return [...routes, ...table.issues.map((i) => `! ${i.pod} ${i.code}`)];
}

const A_OLD = pod('team-a/web', 1_000, 'shop.example.com', '80:/', { ip: '10.0.0.1' });
const B_YOUNG = pod('team-b/web', 2_000, 'shop.example.com', '80:/ 80:/admin', { ip: '10.0.0.2' });

describe('buildRoutingTable', () => {
  const cases: [name: string, batches: Batch[], policy: OwnershipPolicy, expected: string[]][] = [
    [
      'hosts x paths, hosts and paths sorted',
      once(sync(pod('a/web', 1, 'b.example.com a.example.com', '3000:/nodejs 80:/', { ip: '10.0.0.5' }))),
      'host',
      [
        'a.example.com / -> a/web@10.0.0.5:80',
        'a.example.com /nodejs -> a/web@10.0.0.5:3000',
        'b.example.com / -> a/web@10.0.0.5:80',
        'b.example.com /nodejs -> a/web@10.0.0.5:3000',
      ],
    ],
    [
      'pods of one route merge, sorted by namespace, name, address; ports may differ',
      once(
        sync(
          pod('a/web-2', 1, 'shop.example.com', '8080:/', { ip: '10.0.0.3' }),
          pod('a/web-1', 1, 'shop.example.com', '80:/', { ip: '10.0.0.9' }),
        ),
      ),
      'host',
      ['shop.example.com / -> a/web-1@10.0.0.9:80 a/web-2@10.0.0.3:8080'],
    ],
    [
      'a pod that cannot serve waits: the route stays (503)',
      once(
        sync(
          pod('a/web', 1, 'shop.example.com', '80:/', { ready: false }),
          pod('a/pending', 1, 'shop.example.com', '80:/', { phase: 'Pending', ip: null, ready: false }),
        ),
      ),
      'host',
      ['shop.example.com / -> (none) | waiting a/pending a/web'],
    ],
    [
      'an IPv6 backend is bracketed',
      once(sync(pod('a/web', 1, 'shop.example.com', '80:/', { ip: 'fd00::2' }))),
      'host',
      ['shop.example.com / -> a/web@[fd00::2]:80'],
    ],
    [
      'claims in one list: the older namespace serves, the younger is refused, sub-paths too',
      once(sync(B_YOUNG, A_OLD)),
      'host',
      ['shop.example.com / -> team-a/web@10.0.0.1:80', '! team-b/web host-conflict'],
    ],
    [
      'claims in that order, one window apart: the same table',
      [
        { at: 0, events: [added(A_OLD)] },
        { at: 10, events: [added(B_YOUNG)] },
        { at: 20, events: [sync(A_OLD, B_YOUNG)] },
      ],
      'host',
      ['shop.example.com / -> team-a/web@10.0.0.1:80', '! team-b/web host-conflict'],
    ],
    [
      'claims in the other order: the older one still wins',
      [
        { at: 0, events: [added(B_YOUNG)] },
        { at: 10, events: [added(A_OLD)] },
        { at: 20, events: [sync(B_YOUNG, A_OLD)] },
      ],
      'host',
      ['shop.example.com / -> team-a/web@10.0.0.1:80', '! team-b/web host-conflict'],
    ],
    [
      'same-name pods in two namespaces on their own hosts both serve',
      once(
        sync(
          pod('team-a/web', 1, 'a.example.com', '80:/', { ip: '10.0.0.1' }),
          pod('team-b/web', 1, 'b.example.com', '80:/', { ip: '10.0.0.2' }),
        ),
      ),
      'host',
      ['a.example.com / -> team-a/web@10.0.0.1:80', 'b.example.com / -> team-b/web@10.0.0.2:80'],
    ],
    [
      'same-name pods in two namespaces on one host: the namespace order breaks the tie',
      once(
        sync(
          pod('team-b/web', 1, 'shop.example.com', '80:/', { ip: '10.0.0.2' }),
          pod('team-a/web', 1, 'shop.example.com', '80:/', { ip: '10.0.0.1' }),
        ),
      ),
      'host',
      ['shop.example.com / -> team-a/web@10.0.0.1:80', '! team-b/web host-conflict'],
    ],
    [
      'route policy: namespaces share a host; the path both claim goes to the older',
      once(sync(A_OLD, B_YOUNG)),
      'route',
      [
        'shop.example.com / -> team-a/web@10.0.0.1:80',
        'shop.example.com /admin -> team-b/web@10.0.0.2:80',
        '! team-b/web route-conflict',
      ],
    ],
    [
      'an older wildcard protects the names under it',
      once(
        sync(
          pod('team-a/wild', 1_000, '*.example.com', '80:/', { ip: '10.0.0.1' }),
          pod('team-b/web', 2_000, 'shop.example.com *.shop.example.com', '80:/', { ip: '10.0.0.2' }),
        ),
      ),
      'host',
      ['*.example.com / -> team-a/wild@10.0.0.1:80', '! team-b/web host-conflict', '! team-b/web host-conflict'],
    ],
    [
      'a name older than the wildcard keeps its traffic',
      once(
        sync(
          pod('team-a/wild', 2_000, '*.example.com', '80:/', { ip: '10.0.0.1' }),
          pod('team-b/web', 1_000, 'shop.example.com', '80:/', { ip: '10.0.0.2' }),
        ),
      ),
      'host',
      ['*.example.com / -> team-a/wild@10.0.0.1:80', 'shop.example.com / -> team-b/web@10.0.0.2:80'],
    ],
    [
      'route policy: an older wildcard still protects the names under it',
      once(
        sync(
          pod('team-a/wild', 1_000, '*.example.com', '80:/', { ip: '10.0.0.1' }),
          pod('team-b/web', 2_000, 'shop.example.com', '80:/api', { ip: '10.0.0.2' }),
        ),
      ),
      'route',
      ['*.example.com / -> team-a/wild@10.0.0.1:80', '! team-b/web route-conflict'],
    ],
    [
      'IPv4 literal hosts are owned like names',
      once(
        sync(
          pod('team-b/web', 2_000, '10.0.0.9', '80:/', { ip: '10.0.0.2' }),
          pod('team-a/web', 1_000, '10.0.0.9', '80:/x', { ip: '10.0.0.1' }),
        ),
      ),
      'host',
      ['10.0.0.9 /x -> team-a/web@10.0.0.1:80', '! team-b/web host-conflict'],
    ],
    [
      "the owner's last pod went: within the grace period nobody serves the host",
      [
        { at: 0, events: [sync(A_OLD, B_YOUNG)] },
        { at: 1_000, events: [deleted(A_OLD)] },
        { at: 1_000 + GRACE - 1, events: [] },
      ],
      'host',
      ['! team-b/web host-conflict'],
    ],
    [
      'after the grace period the rival serves, with no further event',
      [
        { at: 0, events: [sync(A_OLD, B_YOUNG)] },
        { at: 1_000, events: [deleted(A_OLD)] },
        { at: 1_000 + GRACE, events: [] },
      ],
      'host',
      ['shop.example.com / -> team-b/web@10.0.0.2:80', 'shop.example.com /admin -> team-b/web@10.0.0.2:80'],
    ],
    [
      'delete then create within the grace period keeps the host',
      [
        { at: 0, events: [sync(A_OLD, B_YOUNG)] },
        { at: 1_000, events: [deleted(A_OLD)] },
        { at: 5_000, events: [added(pod('team-a/web-2', 5_000, 'shop.example.com', '80:/', { ip: '10.0.0.3' }))] },
        { at: 1_000 + GRACE, events: [] },
      ],
      'host',
      ['shop.example.com / -> team-a/web-2@10.0.0.3:80', '! team-b/web host-conflict'],
    ],
    [
      "a pod's own issues are listed with the refusals, sorted",
      once(sync(pod('a/web', 1, 'shop.example.com bad_host', '80:/ 99999:/x', { ip: '10.0.0.1' }))),
      'host',
      ['shop.example.com / -> a/web@10.0.0.1:80', '! a/web invalid-host', '! a/web invalid-port'],
    ],
    ['no pods, no routes', once(sync()), 'host', []],
  ];
  for (const [name, batches, policy, expected] of cases) {
    it(name, () => {
      const state = applyBatches(batches, { ownership: policy, graceMs: GRACE });
      assert.deepEqual(summary(buildRoutingTable(state, policy)), expected);
    });
  }
});

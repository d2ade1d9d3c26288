// The golden cases as code: each is a recorded event stream (replay format) plus optional flags. `UPDATE_GOLDEN=1`
// writes them to test/golden/<name>/events.ndjson next to the expected config, for review in the diff.
import { buildPod, markPodTerminating, type FakePod, type PodOptions } from '../support/fake-pods.js';

/** One line of a replay file. */
export type Line = { at: string; type: string; object?: unknown };

/** A golden case: its event stream and the flags it replays with. */
export interface GoldenCase {
  readonly lines: readonly Line[];
  readonly flags?: readonly string[];
}

const BASE = Date.parse('2026-11-20T10:00:00Z');
const at = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();
const ROUTING = { microservice: 'true' };

let serial = 0;
function pod(name: string, options: Partial<PodOptions> & { hosts?: string; paths?: string } = {}): FakePod {
  const { hosts = 'test.k8s.local', paths = '3000:/nodejs', ...rest } = options;
  serial++;
  const built = buildPod({
    name,
    uid: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    creationTimestamp: new Date(BASE - 3600_000 + serial * 1000),
    labels: { app: name.replace(/-[a-z0-9]{5}$/, ''), ...ROUTING },
    annotations: { trafficHosts: hosts, publicPaths: paths },
    podIP: `10.244.0.${serial + 10}`,
    ...rest,
  });
  return { kind: 'Pod', apiVersion: 'v1', ...built };
}

const list = (...pods: FakePod[]): Line => ({
  at: at(0.1),
  type: 'SYNC',
  object: { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1000' }, items: pods.map(({ kind: _k, apiVersion: _a, ...item }) => item) },
});
const start: Line = { at: at(0), type: 'START' };
const event = (seconds: number, type: string, object: FakePod): Line => ({ at: at(seconds), type, object: structuredClone(object) });
const terminating = (p: FakePod): FakePod => {
  const copy = structuredClone(p);
  markPodTerminating(copy, new Date(BASE + 60_000));
  return copy;
};
const edit = (p: FakePod, change: (copy: FakePod) => void): FakePod => {
  const copy = structuredClone(p);
  change(copy);
  return copy;
};

function cases(): Record<string, GoldenCase> {
  serial = 0;
  const web = [pod('nodejs-k8s-env-7xq2m'), pod('nodejs-k8s-env-kd9wz', { phase: 'Pending', podIP: null, ready: false }), pod('nodejs-k8s-env-tq4rn', { phase: 'Pending', podIP: null, ready: false })];
  const runningWeb = [web[0]!, pod('nodejs-k8s-env-kd9wz', { uid: web[1]!.metadata.uid }), pod('nodejs-k8s-env-tq4rn', { uid: web[2]!.metadata.uid })];
  const a = pod('app-a-1', { hosts: 'a.example.com' });
  const b = pod('app-b-1', { hosts: 'b.example.com' });
  const owner = pod('shop-1', { namespace: 'team-a', hosts: 'shop.example.com', paths: '8080:/' });
  const attacker = pod('grab-1', { namespace: 'team-b', hosts: 'shop.example.com www.team-b.example.com', paths: '8080:/admin 8080:/' });
  return {
    'empty-cluster': { lines: [start, list()] },
    'one-pod': { lines: [start, list(web[0]!)] },
    'scale-1-to-3': {
      lines: [start, list(web[0]!), event(30, 'ADDED', web[1]!), event(30.1, 'ADDED', web[2]!), event(33, 'MODIFIED', runningWeb[1]!), event(35, 'MODIFIED', runningWeb[2]!)],
    },
    'scale-3-to-1': {
      lines: [start, list(...runningWeb), event(30, 'MODIFIED', terminating(runningWeb[1]!)), event(30.2, 'MODIFIED', terminating(runningWeb[2]!)), event(61, 'DELETED', terminating(runningWeb[1]!)), event(61.5, 'DELETED', terminating(runningWeb[2]!))],
    },
    'pod-deleted': { lines: [start, list(a, b), event(10, 'DELETED', b)] },
    'label-removed': { lines: [start, list(a, b), event(10, 'MODIFIED', edit(b, (p) => delete p.metadata.labels!['microservice']))] },
    'annotations-edited': {
      lines: [start, list(a), event(10, 'MODIFIED', edit(a, (p) => Object.assign(p.metadata.annotations!, { trafficHosts: 'a.example.com a2.example.com', publicPaths: '3000:/nodejs 8080:/admin' })))],
    },
    'two-hosts-two-paths': {
      lines: [start, list(pod('api-1', { hosts: 'test.k8s.local api.example.com', paths: '80:/ 3000:/nodejs' }), pod('api-2', { hosts: 'test.k8s.local api.example.com', paths: '80:/ 3000:/nodejs' }))],
    },
    'not-ready-pods': {
      lines: [start, list(pod('slow-1', { hosts: 'slow.example.com', ready: false }), pod('slow-2', { hosts: 'slow.example.com', phase: 'Pending', podIP: null, ready: false }), pod('fast-1', { hosts: 'fast.example.com' }))],
    },
    'terminating-pod': { lines: [start, list(...runningWeb.slice(0, 2)), event(10, 'MODIFIED', terminating(runningWeb[1]!))] },
    'cross-namespace-conflict': { lines: [start, list(owner), event(10, 'ADDED', attacker)] },
    'same-name-two-namespaces': {
      lines: [start, list(pod('web', { namespace: 'blue', hosts: 'blue.example.com' }), pod('web', { namespace: 'green', hosts: 'green.example.com' }))],
    },
    'hostile-values': {
      lines: [start, list(
        pod('good-1', { hosts: 'good.example.com', paths: '80:/' }),
        pod('mixed-1', {
          hosts: 'ok.example.com evil.com;return\t"x" ${host} EVIL.example.com.\nserver_name',
          paths: '80:/ok 80:/x{ 80:/../etc 80:/a%0a 80:/b#c 0:/zero 8o:/p 80://double 80:/caf%C3%A9',
        }),
      )],
    },
    'ipv6-pod': { lines: [start, list(pod('v6-1', { hosts: 'v6.example.com', podIP: 'fd00:10:244::5' }), pod('v6-2', { hosts: 'v6.example.com', podIP: 'fd00:10:244::6' }))] },
    'long-hostname': { lines: [start, list(pod('long-1', { hosts: 'a-really-long-hostname-for-the-billing-service.eu-west-1.internal.example.com' }))] },
    'route-policy-shared-host': { lines: [start, list(owner, attacker)], flags: ['--ownership', 'route'] },
  };
}

/** Returns every golden case by name (built fresh, deterministically). */
export function goldenCases(): Record<string, GoldenCase> {
  return cases();
}

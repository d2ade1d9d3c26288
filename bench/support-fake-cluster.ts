// The benchmarks' cluster: the fake Kubernetes API server (test/support) holding a generated cluster of real-shaped
// pods (bench/cluster.ts's services: many hosts, a few paths, 1-5 pods per route). Every pod IP is a loopback address
// (127.1.0.0 and up), so whatever nginx ever connects to stays on 127.0.0.0/8; only the few pods a benchmark requests
// have a backend behind their address (test/support/backend-servers.ts, on 127.0.0.x).
import { FakeApiServer } from '../test/support/fake-api-server.js';
import { buildPod, type FakePod } from '../test/support/fake-pods.js';
import type { PodStore } from '../test/support/pod-store.js';
import { random, services } from './cluster.js';

/** The label every routed pod carries (the controller's default selector). */
export const ROUTED = { microservice: 'true' } as const;

/** Returns the loopback address of generated pod number `n` (127.1.0.0 onwards; never one of the backends' 127.0.0.x). */
export function loopbackIp(n: number): string {
  return `127.${1 + ((n >> 16) & 127)}.${(n >> 8) & 255}.${n & 255}`;
}

/** Builds `count` pods of a generated cluster (seeded): about 90% ready, all Running with a loopback IP. */
export function clusterFakePods(count: number, seed = 1): FakePod[] {
  const next = random(seed + 1);
  const pods: FakePod[] = [];
  const created = Date.parse('2026-11-01T00:00:00Z');
  for (const service of services(count, seed)) {
    for (let r = 0; r < service.replicas; r++) {
      const n = pods.length;
      pods.push(
        buildPod({
          name: `${service.name}-${r}`,
          namespace: service.namespace,
          labels: { ...ROUTED, app: service.name },
          annotations: { trafficHosts: service.hosts, publicPaths: service.paths },
          podIP: loopbackIp(n),
          ready: next() > 0.1,
          creationTimestamp: new Date(created + n * 1000),
        }),
      );
    }
  }
  return pods;
}

/** Builds a ready pod routed at `host` (path `/` on `port`) with the given IP. */
export function routedPod(name: string, namespace: string, host: string, port: number, ip: string): FakePod {
  return buildPod({
    name,
    namespace,
    labels: { ...ROUTED },
    annotations: { trafficHosts: host, publicPaths: `${port}:/` },
    podIP: ip,
  });
}

/** The merge patch that sets a pod's Ready and ContainersReady conditions (a merge patch replaces the list whole). */
export function readinessPatch(ready: boolean): Record<string, unknown> {
  return { status: { conditions: buildPod({ name: 'conditions', ready }).status?.conditions } };
}

/** Starts a fake API server holding `pods`, with history bounded so a long run does not grow without limit. */
export async function startFakeCluster(pods: readonly FakePod[]): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start({ historyLimit: 50_000, bookmarkIntervalMs: 60_000 });
  for (const pod of pods) fake.addPod(pod);
  memoizeList(fake);
  return fake;
}

/**
 * Keeps the fake's pod list between writes. The fake clones and sorts every stored pod for each page it serves, so
 * the controller's paged list (500 a page) of 10k pods cost the fake ~25 s on the 2-core bench machine, measuring
 * the fake rather than the controller (a real API server answers pages from its watch cache or etcd's range read).
 * Replies only serialise the items, so sharing them between pages is safe; any write drops the copy.
 */
function memoizeList(fake: FakeApiServer): void {
  // The store is private to the fake; reaching in is confined to this bench helper.
  const store = (fake as unknown as { readonly store: PodStore }).store;
  const list = store.list.bind(store);
  const kept = new Map<string, FakePod[]>();
  store.subscribe(() => kept.clear());
  store.list = (namespace?: string): FakePod[] => {
    const key = namespace ?? '';
    let pods = kept.get(key);
    if (pods === undefined) kept.set(key, (pods = list(namespace)));
    return pods;
  };
}

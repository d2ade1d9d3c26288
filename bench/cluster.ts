// Generates realistic clusters and event streams for the benchmarks: many hosts, a few paths each, 1-5 pods per
// route, some pods not ready. Seeded, so every run measures the same data.
import type { ProjectedPod } from '../src/model/pod.js';

/** A small deterministic PRNG (mulberry32), so generated clusters are the same on every run. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated service: its hosts, paths and how many replicas it runs. */
export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly hosts: string;
  readonly paths: string;
  readonly replicas: number;
}

/** Generates services until they hold `pods` replicas in all. */
export function services(pods: number, seed = 1): Service[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const result: Service[] = [];
  let total = 0;
  for (let i = 0; total < pods; i++) {
    const namespace = `team-${i % 97}`;
    const name = `svc-${i}`;
    const hostCount = next() < 0.8 ? 1 : 2;
    const hosts = Array.from(
      { length: hostCount },
      (_, h) => `${name}${h === 0 ? '' : '-alt'}.${pick(['example.com', 'apps.internal.example.net', 'k8s.local'])}`,
    );
    const pathCount = 1 + Math.floor(next() * 3);
    const paths = Array.from(
      { length: pathCount },
      (_, p) =>
        `${pick([80, 3000, 8080])}:${p === 0 ? '/' : pick(['/api', '/static', '/v1/users', '/health'])}${p > 1 ? p : ''}`,
    );
    const replicas = Math.min(1 + Math.floor(next() * 5), pods - total);
    result.push({ namespace, name, hosts: hosts.join(' '), paths: [...new Set(paths)].join(' '), replicas });
    total += replicas;
  }
  return result;
}

/** Projects a generated cluster onto pods: IPs unique, about 10% not ready. */
export function clusterPods(pods: number, seed = 1): ProjectedPod[] {
  const next = random(seed + 1);
  const result: ProjectedPod[] = [];
  for (const service of services(pods, seed)) {
    for (let r = 0; r < service.replicas; r++) {
      const n = result.length;
      result.push({
        uid: `uid-${n}`,
        namespace: service.namespace,
        name: `${service.name}-${r}`,
        created: 1_700_000_000_000 + n * 1000,
        phase: 'Running',
        ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
        ready: next() > 0.1,
        deleting: false,
        hosts: service.hosts,
        paths: service.paths,
      });
    }
  }
  return result;
}

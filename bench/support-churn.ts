// Pod changes against the fake API server, of two kinds: status churn that a real cluster produces all the time and
// that changes no routing (restart counts, container start times, condition transition times; every write also bumps
// the resourceVersion), and routing changes (a readiness flip, a scale up, the start of a scale down).
import type { FakeApiServer } from '../test/support/fake-api-server.js';
import { buildPod, kubeTime, markPodTerminating, setPodReady, type FakePod } from '../test/support/fake-pods.js';
import { loopbackIp, ROUTED } from './support-fake-cluster.js';

interface Tracked {
  readonly namespace: string;
  readonly name: string;
  readonly hosts: string;
  readonly paths: string;
  ready: boolean;
  terminating: boolean;
}

/** What a routing change did. */
export type RoutingChange = 'readiness flip' | 'scale up' | 'scale down';

/** Makes changes to the fake's pods; `next` is the random source (seeded by the caller). */
export class Churn {
  private readonly pods: Tracked[];
  private readonly touched = new Set<Tracked>();
  private added = 0;

  /** Tracks `pods`, which must be the ones stored in `fake`. */
  constructor(
    private readonly fake: FakeApiServer,
    pods: readonly FakePod[],
    private readonly next: () => number,
  ) {
    this.pods = pods.map((pod) => ({
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      hosts: pod.metadata.annotations?.['trafficHosts'] ?? '',
      paths: pod.metadata.annotations?.['publicPaths'] ?? '',
      ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      terminating: false,
    }));
  }

  /** Forgets which pods were changed: call at each window, so no window undoes its own routing change. */
  newWindow(): void {
    this.touched.clear();
  }

  /** Changes a random pod's status in a way routing ignores. */
  statusChurn(): void {
    const pod = this.pick((candidate) => !candidate.terminating);
    const roll = this.next();
    const now = kubeTime();
    this.fake.modifyPod(pod.namespace, pod.name, (draft) => {
      const status = draft.status ?? {};
      const containers = status['containerStatuses'] as
        { restartCount: number; state: unknown; lastState: unknown }[] | undefined;
      const container = containers?.[0];
      if (roll < 0.4 && container !== undefined) {
        container.restartCount += 1;
        container.lastState = { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: now, finishedAt: now } };
      } else if (roll < 0.7 && container !== undefined) {
        container.state = { running: { startedAt: now } };
      } else {
        for (const condition of status.conditions ?? [])
          if (condition.type === 'PodScheduled' || condition.type === 'Initialized') condition.lastTransitionTime = now;
      }
    });
  }

  /** Makes one change that alters the config; never touches a pod twice in a window. */
  routingChange(): RoutingChange {
    const roll = this.next();
    const free = (pod: Tracked): boolean => !pod.terminating && !this.touched.has(pod);
    if (roll < 0.5) {
      const pod = this.pick(free);
      pod.ready = !pod.ready;
      this.touched.add(pod);
      this.fake.modifyPod(pod.namespace, pod.name, (draft) => setPodReady(draft, pod.ready));
      return 'readiness flip';
    }
    // Only a ready pod with a ready sibling is scaled down: an unready pod is in no upstream, so its going changes
    // nothing, and the last pod of a route would take the route with it (a change too, but not a scale down).
    const leaving =
      roll < 0.75 ? null : this.pick((pod) => free(pod) && pod.ready && this.readySiblings(pod) >= 2, null);
    if (leaving === null) return this.scaleUp(this.pick(free));
    leaving.terminating = true;
    this.touched.add(leaving);
    this.fake.modifyPod(leaving.namespace, leaving.name, (draft) => markPodTerminating(draft));
    return 'scale down';
  }

  /** Deletes a pod that has been terminating (its claims already gone: routing does not change); false if none. */
  finishTermination(): boolean {
    const pod = this.pods.find((candidate) => candidate.terminating);
    if (pod === undefined) return false;
    this.pods.splice(this.pods.indexOf(pod), 1);
    this.fake.deletePod(pod.namespace, pod.name);
    return true;
  }

  private scaleUp(template: Tracked): RoutingChange {
    const name = `${template.name}-up${++this.added}`;
    const pod: Tracked = { ...template, name, ready: true, terminating: false };
    this.pods.push(pod);
    this.touched.add(pod);
    this.fake.addPod(
      buildPod({
        name,
        namespace: pod.namespace,
        labels: { ...ROUTED },
        annotations: { trafficHosts: pod.hosts, publicPaths: pod.paths },
        podIP: loopbackIp(500_000 + this.added),
      }),
    );
    return 'scale up';
  }

  private readySiblings(pod: Tracked): number {
    return this.pods.filter(
      (other) => other.hosts === pod.hosts && other.paths === pod.paths && other.ready && !other.terminating,
    ).length;
  }

  private pick(fits: (pod: Tracked) => boolean): Tracked;
  private pick(fits: (pod: Tracked) => boolean, none: null): Tracked | null;
  private pick(fits: (pod: Tracked) => boolean, none?: null): Tracked | null {
    for (let tries = 0; tries < 1000; tries++) {
      const pod = this.pods[Math.floor(this.next() * this.pods.length)]!;
      if (fits(pod)) return pod;
    }
    if (none === null) return null;
    throw new Error('no pod fits the change');
  }
}

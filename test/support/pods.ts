// Builders for projected pods and events, so tests read as tables.
import type { PodEvent } from '../../src/model/events.js';
import type { ProjectedPod } from '../../src/model/pod.js';

/** Builds a ready, running pod in `default` serving `test.k8s.local` `3000:/nodejs`, with overrides. */
export function aPod(name: string, overrides: Partial<ProjectedPod> = {}): ProjectedPod {
  return {
    uid: `uid-${overrides.namespace ?? 'default'}-${name}`,
    namespace: 'default',
    name,
    created: Date.parse('2026-01-01T00:00:00Z'),
    phase: 'Running',
    ip: '10.0.0.1',
    ready: true,
    deleting: false,
    hosts: 'test.k8s.local',
    paths: '3000:/nodejs',
    ...overrides,
  };
}

/** Returns a SYNC of the pods. */
export const sync = (...pods: ProjectedPod[]): PodEvent => ({ type: 'SYNC', pods });
/** Returns an ADDED event. */
export const added = (pod: ProjectedPod): PodEvent => ({ type: 'ADDED', pod });
/** Returns a MODIFIED event. */
export const modified = (pod: ProjectedPod): PodEvent => ({ type: 'MODIFIED', pod });
/** Returns a DELETED event. */
export const deleted = (pod: ProjectedPod): PodEvent => ({ type: 'DELETED', pod });

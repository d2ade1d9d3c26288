import type { ProjectedPod } from './pod.js';

/** One change to one pod, in the API's own words. */
export interface PodChange {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly pod: ProjectedPod;
}

/** The full set of matching pods from a list: it replaces the cache wholesale (so a relist forgets the deleted). */
export interface PodSync {
  readonly type: 'SYNC';
  readonly pods: readonly ProjectedPod[];
  /** No list was received: a replay file without one starts from this empty cluster (it closes no window early). */
  readonly implied?: true;
}

/** What every source emits and the reducer folds. */
export type PodEvent = PodChange | PodSync;

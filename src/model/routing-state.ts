import type { PodEvent } from './events.js';
import { claimIndexOf, indexRecord, rememberClaimIndex, unindexRecord, type ClaimIndex } from './claim-index.js';
import { claimKeys, hasVacancy, settleHolds, type Hold, type OwnershipOptions } from './ownership.js';
import { PersistentMap } from './persistent-map.js';
import { podKey, samePod, type ProjectedPod } from './pod.js';
import { DEFAULT_LIMITS, readPod, type Limits, type PodRecord } from './pod-record.js';

/** How the reducer reads pods and settles ownership. */
export interface ReduceOptions extends OwnershipOptions {
  readonly limits: Limits;
}

/** The options used unless the settings say otherwise. */
export const DEFAULT_REDUCE_OPTIONS: ReduceOptions = {
  limits: DEFAULT_LIMITS,
  ownership: 'host',
  ownershipGraceMs: 60_000,
};

/** The fold over the pod event log: the pod cache plus the ownership it has settled. */
export interface RoutingState {
  /** A SYNC has been seen: the cache reflects a full list. */
  readonly synced: boolean;
  /** Keyed by `namespace/name`. */
  readonly pods: ReadonlyMap<string, PodRecord>;
  /** Keyed by host (policy `host`) or by `ownershipKey(host, path)` (policy `route`). */
  readonly holds: ReadonlyMap<string, Hold>;
}

/** The state before any event. */
export const EMPTY_STATE: RoutingState = { synced: false, pods: PersistentMap.empty(), holds: PersistentMap.empty() };

/**
 * Applies one batch of events at time `now` (ms). Pure; returns `state` itself when nothing changed, so that
 * routing-neutral batches cost no render. The maps it returns are persistent (structurally shared with the state's):
 * a window costs what it changed, not the size of the cache.
 */
export function applyEvents(
  state: RoutingState,
  events: readonly PodEvent[],
  now: number,
  options: ReduceOptions = DEFAULT_REDUCE_OPTIONS,
): RoutingState {
  const fold = new Fold(state.pods, options);
  let synced = state.synced;
  for (const event of events) {
    if (event.type === 'SYNC') {
      fold.replaceAll(event.pods);
      synced = true;
    } else if (event.type === 'DELETED') {
      fold.delete(event.pod);
    } else {
      fold.put(event.pod);
    }
  }
  const pods = fold.result();
  const podsChanged = pods !== state.pods;
  const holds = podsChanged || hasVacancy(state.holds) ? settleHolds(state.holds, pods, now, options, fold.touched) : state.holds;
  if (!podsChanged && holds === state.holds && synced === state.synced) return state;
  return { synced, pods, holds };
}

/** One batch's changes to the pod cache and its claim index, and the ownership keys they touched. */
class Fold {
  private pods: PersistentMap<PodRecord> | null = null;
  private claims: ClaimIndex | null = null;
  /** The ownership keys whose claims may have changed; null after a SYNC: all of them. */
  touched: Set<string> | null = new Set();

  constructor(
    private readonly original: ReadonlyMap<string, PodRecord>,
    private readonly options: ReduceOptions,
  ) {}

  /** Sets a pod from an ADDED or MODIFIED event, unless routing reads nothing new in it. */
  put(pod: ProjectedPod): void {
    const key = podKey(pod);
    const old = this.current().get(key);
    if (old === undefined || !samePod(old.pod, pod)) this.write(key, old, readPod(pod, this.options.limits));
  }

  /** Deletes a pod, unless the event is for an older incarnation (a pod re-created under the same name stays). */
  delete(pod: ProjectedPod): void {
    const key = podKey(pod);
    const old = this.current().get(key);
    if (old === undefined || (old.pod.uid !== '' && pod.uid !== '' && old.pod.uid !== pod.uid)) return;
    this.write(key, old, undefined);
  }

  /** Replaces the cache with a full list, keeping the records (and the structure) of pods that did not change. */
  replaceAll(listed: readonly ProjectedPod[]): void {
    const keys = new Set<string>();
    for (const pod of listed) {
      const key = podKey(pod);
      keys.add(key);
      const old = this.current().get(key);
      if (old === undefined || !samePod(old.pod, pod)) this.write(key, old, readPod(pod, this.options.limits));
    }
    for (const [key, old] of this.current()) if (!keys.has(key)) this.write(key, old, undefined);
    this.touched = null;
  }

  /** Returns the new cache (the original itself when nothing changed), its claim index remembered for it. */
  result(): ReadonlyMap<string, PodRecord> {
    if (this.pods === null) return this.original;
    rememberClaimIndex(this.pods, this.options.ownership, this.claims!);
    return this.pods;
  }

  private current(): ReadonlyMap<string, PodRecord> {
    return this.pods ?? this.original;
  }

  private write(key: string, old: PodRecord | undefined, record: PodRecord | undefined): void {
    if (this.pods === null) {
      this.claims = claimIndexOf(this.original, this.options.ownership);
      this.pods = this.original instanceof PersistentMap ? (this.original as PersistentMap<PodRecord>) : PersistentMap.from(this.original);
    }
    const policy = this.options.ownership;
    if (old !== undefined) {
      this.claims = unindexRecord(this.claims!, old, policy);
      this.touch(old);
    }
    if (record === undefined) {
      this.pods = this.pods.delete(key);
    } else {
      this.pods = this.pods.set(key, record);
      this.claims = indexRecord(this.claims!, record, policy);
      this.touch(record);
    }
  }

  private touch(record: PodRecord): void {
    if (this.touched !== null) for (const key of claimKeys(record, this.options.ownership)) this.touched.add(key);
  }
}

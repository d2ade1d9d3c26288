import { isSecretEvent, type PodEvent, type SecretChange, type SecretSync } from './events.js';
import { claimKeys, hasVacancy, settleHolds, type ClaimIndex, type Hold, type OwnershipOptions } from './ownership.js';
import { podKey, samePod, type ProjectedPod } from './pod.js';
import { PersistentMap, type MapDraft } from './persistent-map.js';
import { DEFAULT_LIMITS, readPod, type Limits, type PodRecord } from './pod-record.js';
import {
  applySecretEvents,
  EMPTY_TLS_STATE,
  refreshSecrets,
  withholdUnreferenced,
  type TlsState,
} from './secret-state.js';

/** How the reducer reads pods and settles ownership. */
export interface ReduceOptions extends OwnershipOptions {
  readonly limits: Limits;
  /** TLS Secrets (`namespace/name`) whose keys are kept although no pod names them: the default Secret. */
  readonly keepSecrets?: readonly string[];
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
  /** Keyed by `namespace/name`. Persistent (src/model/persistent-map.ts) when made here: a window copies what changed. */
  readonly pods: ReadonlyMap<string, PodRecord>;
  /** Keyed by host (policy `host`) or by `ownershipKey(host, path)` (policy `route`). */
  readonly holds: ReadonlyMap<string, Hold>;
  /** The TLS Secrets seen (absent until the first Secret event: TLS off, or a source without Secrets). */
  readonly tls?: TlsState;
}

/** The state before any event. */
export const EMPTY_STATE: RoutingState = { synced: false, pods: PersistentMap.empty(), holds: PersistentMap.empty() };

/**
 * Applies one batch of events at time `now` (ms). Pure; returns `state` itself when nothing changed, so that
 * routing-neutral batches cost no render. `claims` is a reducer's index of claims, kept from batch to batch so that
 * settling ownership reads only the touched keys' pods (a cache: without it, the result is the same).
 */
export function applyEvents(
  state: RoutingState,
  events: readonly PodEvent[],
  now: number,
  options: ReduceOptions = DEFAULT_REDUCE_OPTIONS,
  claims?: ClaimIndex,
): RoutingState {
  const start = persistent(state.pods);
  // One draft for the batch: a node its changes share is copied once, not once per change.
  const pods = start.draft();
  let synced = state.synced;
  // The ownership keys whose claims may have changed; null after a SYNC: all of them.
  let touched: Set<string> | null = new Set();
  const secretEvents: (SecretChange | SecretSync)[] = [];
  const touch = (record: PodRecord | undefined): void => {
    if (record !== undefined && touched !== null)
      for (const key of claimKeys(record, options.ownership)) touched.add(key);
  };
  for (const event of events) {
    if (isSecretEvent(event)) {
      secretEvents.push(event);
      continue;
    }
    if (event.type === 'SYNC') {
      replaceAll(pods, event.pods, options.limits);
      synced = true;
      touched = null;
      continue;
    }
    const key = podKey(event.pod);
    const old = pods.get(key);
    if (event.type === 'DELETED') {
      // A DELETED for an older incarnation must not remove a pod re-created under the same name.
      if (old === undefined || (old.pod.uid !== '' && event.pod.uid !== '' && old.pod.uid !== event.pod.uid)) continue;
      pods.delete(key);
      touch(old);
    } else if (old === undefined || !samePod(old.pod, event.pod)) {
      const record = readPod(event.pod, options.limits);
      // Keyed by the record's own key string: one string per pod, not a second one per version.
      pods.set(record.key, record);
      touch(old);
      touch(record);
    }
  }
  const next = pods.done();
  const podsChanged = next !== start;
  const holds =
    podsChanged || hasVacancy(state.holds)
      ? settleHolds(state.holds, next, now, options, touched, claims)
      : state.holds;
  const settled = settleTls(state.tls, secretEvents, now);
  // Which Secrets pods name is read only when it can matter: pods or Secrets changed, and there are Secrets.
  const idle = settled === undefined || settled.secrets.size === 0 || (settled === state.tls && !podsChanged);
  const tls = idle ? settled : withholdUnreferenced(settled, referencedSecrets(next, options.keepSecrets));
  if (!podsChanged && holds === state.holds && synced === state.synced && tls === state.tls) return state;
  return tls === undefined ? { synced, pods: next, holds } : { synced, pods: next, holds, tls };
}

/** Lists the Secrets (`namespace/name`) pods name, plus those kept regardless. */
export function referencedSecrets(pods: ReadonlyMap<string, PodRecord>, keep: readonly string[] = []): Set<string> {
  const referenced = new Set(keep);
  for (const record of pods.values()) {
    if (record.tlsSecret !== undefined && record.tlsSecret !== null)
      referenced.add(`${record.pod.namespace}/${record.tlsSecret}`);
  }
  return referenced;
}

// Secret events keep their order among themselves; against pod events order does not matter (a batch is one render).
function settleTls(
  tls: TlsState | undefined,
  events: readonly (SecretChange | SecretSync)[],
  now: number,
): TlsState | undefined {
  if (events.length === 0) return tls === undefined ? undefined : refreshSecrets(tls, now);
  return applySecretEvents(tls ?? EMPTY_TLS_STATE, events, now);
}

// States made here hold persistent maps; one built by hand (tests) may hold a Map, taken over entry by entry once.
function persistent<V>(map: ReadonlyMap<string, V>): PersistentMap<V> {
  return map instanceof PersistentMap ? (map as PersistentMap<V>) : PersistentMap.from(map);
}

/** Makes the draft hold exactly the listed pods, keeping the record of each pod that is unchanged. */
function replaceAll(pods: MapDraft<PodRecord>, listed: readonly ProjectedPod[], limits: Limits): void {
  const earlier = pods.size === 0 ? [] : pods.keys();
  const listedKeys = new Set<string>();
  for (const pod of listed) {
    const key = podKey(pod);
    listedKeys.add(key);
    const old = pods.get(key);
    if (old !== undefined && samePod(old.pod, pod)) continue;
    const record = readPod(pod, limits);
    // Keyed by the record's own key string: one string per pod, not a second one per version.
    pods.set(record.key, record);
  }
  for (const key of earlier) if (!listedKeys.has(key)) pods.delete(key);
}

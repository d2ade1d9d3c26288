// Who claims what, kept next to the pod cache: for each ownership key, the records claiming under it. Settling
// ownership after a window reads only the touched keys' claimants instead of scanning every pod.
import { claimKeys, type OwnershipPolicy } from './ownership.js';
import { PersistentMap } from './persistent-map.js';
import type { PodRecord } from './pod-record.js';

/**
 * Ownership key -> the records claiming under it. Most keys have a handful of claimants, so each list is a small
 * array replaced on change (a map per key cost ~25 MB more at 100k pods).
 */
export type ClaimIndex = PersistentMap<readonly PodRecord[]>;

// An index belongs to one version of the pod cache. Only persistent maps are remembered: they cannot change after
// the fact, so an index made for one stays true (a plain Map, as tests build by hand, is indexed afresh each time).
const INDEXES = new WeakMap<ReadonlyMap<string, PodRecord>, { readonly policy: OwnershipPolicy; readonly index: ClaimIndex }>();

/** Returns the claim index of a pod cache under a policy: the one remembered for it, else built by a scan. */
export function claimIndexOf(pods: ReadonlyMap<string, PodRecord>, policy: OwnershipPolicy): ClaimIndex {
  const known = INDEXES.get(pods);
  if (known !== undefined && known.policy === policy) return known.index;
  let index: ClaimIndex = PersistentMap.empty();
  for (const record of pods.values()) index = indexRecord(index, record, policy);
  rememberClaimIndex(pods, policy, index);
  return index;
}

/** Remembers that `index` is the claim index of `pods` (made by updating its predecessor's), for the next window. */
export function rememberClaimIndex(pods: ReadonlyMap<string, PodRecord>, policy: OwnershipPolicy, index: ClaimIndex): void {
  if (pods instanceof PersistentMap) INDEXES.set(pods, { policy, index });
}

/** Returns the index with the record's claims added (replacing a claim by a record of the same pod key). */
export function indexRecord(index: ClaimIndex, record: PodRecord, policy: OwnershipPolicy): ClaimIndex {
  for (const key of claimKeys(record, policy)) {
    const claimants = index.get(key);
    if (claimants === undefined) {
      index = index.set(key, [record]);
      continue;
    }
    const at = claimants.findIndex((claimant) => claimant.key === record.key);
    const next = claimants.slice();
    if (at === -1) next.push(record);
    else next[at] = record;
    index = index.set(key, next);
  }
  return index;
}

/** Returns the index with the record's claims removed. */
export function unindexRecord(index: ClaimIndex, record: PodRecord, policy: OwnershipPolicy): ClaimIndex {
  for (const key of claimKeys(record, policy)) {
    const claimants = index.get(key);
    if (claimants === undefined) continue;
    const rest = claimants.filter((claimant) => claimant.key !== record.key);
    if (rest.length === claimants.length) continue;
    index = rest.length === 0 ? index.delete(key) : index.set(key, rest);
  }
  return index;
}

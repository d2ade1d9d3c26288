// Who claims what, kept next to the pod cache: for each ownership key, the records claiming under it. Settling
// ownership after a window reads only the touched keys' claimants instead of scanning every pod.
import { claimKeys, type OwnershipPolicy } from './ownership.js';
import { PersistentMap } from './persistent-map.js';
import type { PodRecord } from './pod-record.js';

/** Ownership key -> pod key -> the record claiming under that key. */
export type ClaimIndex = PersistentMap<PersistentMap<PodRecord>>;

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

/** Returns the index with the record's claims added. */
export function indexRecord(index: ClaimIndex, record: PodRecord, policy: OwnershipPolicy): ClaimIndex {
  for (const key of claimKeys(record, policy)) index = index.set(key, (index.get(key) ?? PersistentMap.empty<PodRecord>()).set(record.key, record));
  return index;
}

/** Returns the index with the record's claims removed. */
export function unindexRecord(index: ClaimIndex, record: PodRecord, policy: OwnershipPolicy): ClaimIndex {
  for (const key of claimKeys(record, policy)) {
    const claimants = index.get(key)?.delete(record.key);
    if (claimants === undefined) continue;
    index = claimants.size === 0 ? index.delete(key) : index.set(key, claimants);
  }
  return index;
}

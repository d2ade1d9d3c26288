import { compareStrings } from './issue.js';
import { diffMaps, PersistentMap } from './persistent-map.js';
import type { PodRecord } from './pod-record.js';

/**
 * Who may claim what across namespaces. `host`: a host belongs to one namespace. `route`: each (host, path) does,
 * so teams can share a host (an operator's opt-in).
 */
export type OwnershipPolicy = 'host' | 'route';

/** The age of a claim: the creation time of its oldest pod, then that pod's key (docs/architecture.md 4). */
export interface Age {
  readonly created: number;
  readonly pod: string;
}

/** A namespace's hold on a host (or route): who owns it, since when, and since when it has had no claiming pod. */
export interface Hold {
  readonly namespace: string;
  readonly since: Age;
  readonly vacantSince: number | null;
}

/** What settling ownership needs to know. */
export interface OwnershipOptions {
  readonly ownership: OwnershipPolicy;
  readonly ownershipGraceMs: number;
}

/** Returns the key a claim on (host, path) is owned under for a policy. */
export function ownershipKey(policy: OwnershipPolicy, host: string, path: string): string {
  return policy === 'host' ? host : `${host} ${path}`;
}

/** Holds on wildcard hosts (`*.example.com`), by wildcard host: what an exact host checks for cover. */
export type WildcardHolds = ReadonlyMap<string, readonly Hold[]>;

/** Collects the holds on wildcard hosts, keyed by host whatever the policy. */
export function wildcardHolds(holds: ReadonlyMap<string, Hold>): WildcardHolds {
  const index = new Map<string, Hold[]>();
  for (const [key, hold] of holds) {
    if (!key.startsWith('*.')) continue;
    const space = key.indexOf(' ');
    const host = space === -1 ? key : key.slice(0, space);
    const list = index.get(host);
    if (list === undefined) index.set(host, [hold]);
    else list.push(hold);
  }
  return index;
}

/**
 * Finds a wildcard held by another namespace since before `mine` that covers `host` (`*.b.c` and `*.c` cover
 * `a.b.c` and `*.a.b.c`). nginx prefers an exact name, then the longest wildcard, so a younger claim under an
 * older foreign wildcard would divert traffic the wildcard already serves: a hijack, refused like a claim on the host.
 */
export function coveringHold(
  index: WildcardHolds,
  host: string,
  mine: Hold,
): { wildcard: string; namespace: string } | null {
  if (index.size === 0) return null;
  const labels = host.split('.');
  for (let i = host.startsWith('*.') ? 2 : 1; i < labels.length; i++) {
    const wildcard = `*.${labels.slice(i).join('.')}`;
    for (const hold of index.get(wildcard) ?? []) {
      if (hold.namespace !== mine.namespace && compareAges(hold.since, mine.since) < 0)
        return { wildcard, namespace: hold.namespace };
    }
  }
  return null;
}

/** Tells whether any hold is waiting out its grace period. */
export function hasVacancy(holds: ReadonlyMap<string, Hold>): boolean {
  return vacancies(holds).size > 0;
}

/** Returns the earliest time (ms) at which a vacant hold expires, or null when none is vacant. */
export function nextExpiry(holds: ReadonlyMap<string, Hold>, graceMs: number): number | null {
  let earliest: number | null = null;
  for (const hold of vacancies(holds).values()) {
    if (earliest === null || hold.vacantSince! + graceMs < earliest) earliest = hold.vacantSince! + graceMs;
  }
  return earliest;
}

// The vacant holds of each holds map settleHolds made, so that a window asks "is any hold vacant" without a pass
// over 16k holds. A cache: a map settleHolds did not make is read once, in full.
const VACANT = new WeakMap<ReadonlyMap<string, Hold>, ReadonlyMap<string, Hold>>();

function vacancies(holds: ReadonlyMap<string, Hold>): ReadonlyMap<string, Hold> {
  let vacant = VACANT.get(holds);
  if (vacant === undefined) {
    const found = new Map<string, Hold>();
    for (const [key, hold] of holds) if (hold.vacantSince !== null) found.set(key, hold);
    VACANT.set(holds, (vacant = found));
  }
  return vacant;
}

/**
 * The claims of pods, by ownership key: which records claim each key. A reducer keeps one from window to window and
 * brings it to each pods map by the maps' difference (persistent maps: what changed, not every pod), so settling
 * the touched keys reads their claimants only. A cache: settling gives the same holds with a fresh index.
 */
export class ClaimIndex {
  private pods: ReadonlyMap<string, PodRecord> = new Map();
  /** Ownership key -> the records claiming it, in no order (arrays, smaller than maps: most keys have a few pods). */
  private readonly claims = new Map<string, PodRecord[]>();

  constructor(readonly policy: OwnershipPolicy) {}

  /** Brings the index to `pods`. */
  sync(pods: ReadonlyMap<string, PodRecord>): void {
    diffMaps(this.pods, pods, (key, was, is) => {
      if (was !== undefined) for (const claim of claimKeys(was, this.policy)) this.remove(claim, key);
      if (is !== undefined) for (const claim of claimKeys(is, this.policy)) this.add(claim, is);
    });
    this.pods = pods;
  }

  /** The records claiming `key`. */
  claimants(key: string): readonly PodRecord[] | undefined {
    return this.claims.get(key);
  }

  /** Every key some record claims. */
  keys(): IterableIterator<string> {
    return this.claims.keys();
  }

  private add(claim: string, record: PodRecord): void {
    const records = this.claims.get(claim);
    if (records === undefined) this.claims.set(claim, [record]);
    else records.push(record);
  }

  private remove(claim: string, pod: string): void {
    const records = this.claims.get(claim);
    const at = records?.findIndex((record) => record.key === pod) ?? -1;
    if (at !== -1) records!.splice(at, 1);
    if (records?.length === 0) this.claims.delete(claim);
  }
}

/**
 * Settles who owns each host (or route) after a change. The oldest claim wins; an owner keeps its hold while it
 * has any claiming pod (so a rolling restart, whose new pods are younger than a rival's, does not hand the host
 * over), and for `ownershipGraceMs` after its last one went away (so a delete-then-create restart does not either).
 * With `touched`, only those keys (and vacant holds) are settled again: every other key's claims are as they were,
 * and settling is idempotent. `claims` is the caller's index, kept from call to call (a fresh one reads every pod).
 * Returns `holds` itself when nothing changed.
 */
export function settleHolds(
  holds: ReadonlyMap<string, Hold>,
  pods: ReadonlyMap<string, PodRecord>,
  now: number,
  options: OwnershipOptions,
  touched: ReadonlySet<string> | null = null,
  claims: ClaimIndex = new ClaimIndex(options.ownership),
): ReadonlyMap<string, Hold> {
  const index = claims.policy === options.ownership ? claims : new ClaimIndex(options.ownership);
  index.sync(pods);
  const vacant = vacancies(holds);
  const keys = new Set(touched ?? [...holds.keys(), ...index.keys()]);
  for (const key of vacant.keys()) keys.add(key);
  const before = holds instanceof PersistentMap ? (holds as PersistentMap<Hold>) : PersistentMap.from(holds);
  const draft = before.draft();
  let nextVacant: Map<string, Hold> | null = null;
  for (const key of keys) {
    const hold = holds.get(key);
    const claim = oldestClaims(index.claimants(key));
    const settled =
      hold === undefined
        ? claim === undefined
          ? null
          : firstClaim(claim)
        : settleOne(hold, claim, now, options.ownershipGraceMs);
    if (settled === (hold ?? null)) continue;
    if (settled === null) draft.delete(key);
    else draft.set(key, settled);
    if (settled?.vacantSince == null && !vacant.has(key)) continue;
    nextVacant ??= new Map(vacant);
    if (settled !== null && settled.vacantSince !== null) nextVacant.set(key, settled);
    else nextVacant.delete(key);
  }
  const next = draft.done();
  if (next === before) return holds;
  VACANT.set(next, nextVacant ?? vacant);
  return next;
}

/** Lists the keys a record's claims are owned under (empty when it claims nothing). */
export function claimKeys(record: PodRecord, policy: OwnershipPolicy): string[] {
  if (record.paths.length === 0) return [];
  return policy === 'host'
    ? [...record.hosts]
    : record.hosts.flatMap((host) => record.paths.map((entry) => ownershipKey(policy, host, entry.path)));
}

function settleOne(hold: Hold, claims: Map<string, Age> | undefined, now: number, graceMs: number): Hold | null {
  const own = claims?.get(hold.namespace);
  if (own !== undefined) {
    const since = olderAge(hold.since, own);
    const rival = claims === undefined ? undefined : oldestRival(claims, hold.namespace);
    // A rival whose pod predates everything the owner has held since is the rightful owner (arrival order of
    // events must not decide).
    if (rival !== undefined && compareAges(rival.age, since) < 0)
      return { namespace: rival.namespace, since: rival.age, vacantSince: null };
    if (since === hold.since && hold.vacantSince === null) return hold;
    return { namespace: hold.namespace, since, vacantSince: null };
  }
  const vacantSince = hold.vacantSince ?? now;
  if (now - vacantSince < graceMs) return hold.vacantSince === null ? { ...hold, vacantSince } : hold;
  return claims === undefined || claims.size === 0 ? null : firstClaim(claims);
}

function firstClaim(byNamespace: Map<string, Age>): Hold {
  const rival = oldestRival(byNamespace, null)!;
  return { namespace: rival.namespace, since: rival.age, vacantSince: null };
}

function oldestRival(
  byNamespace: Map<string, Age>,
  except: string | null,
): { namespace: string; age: Age } | undefined {
  let best: { namespace: string; age: Age } | undefined;
  for (const [namespace, age] of byNamespace) {
    if (namespace === except) continue;
    if (best === undefined || compareAges(age, best.age) < 0) best = { namespace, age };
  }
  return best;
}

/** The oldest claiming pod of each namespace among a key's claimants; undefined when none claims it. */
function oldestClaims(claimants: readonly PodRecord[] | undefined): Map<string, Age> | undefined {
  if (claimants === undefined) return undefined;
  const byNamespace = new Map<string, Age>();
  for (const record of claimants) {
    const age: Age = { created: record.pod.created, pod: record.key };
    const seen = byNamespace.get(record.pod.namespace);
    if (seen === undefined || compareAges(age, seen) < 0) byNamespace.set(record.pod.namespace, age);
  }
  return byNamespace;
}

function olderAge(a: Age, b: Age): Age {
  return compareAges(b, a) < 0 ? b : a;
}

/** Orders claim ages: older creation first, then pod key. */
export function compareAges(a: Age, b: Age): number {
  return a.created - b.created || compareStrings(a.pod, b.pod);
}

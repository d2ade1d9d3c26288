import { compareStrings } from './issue.js';
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
  for (const hold of holds.values()) if (hold.vacantSince !== null) return true;
  return false;
}

/** Returns the earliest time (ms) at which a vacant hold expires, or null when none is vacant. */
export function nextExpiry(holds: ReadonlyMap<string, Hold>, graceMs: number): number | null {
  let earliest: number | null = null;
  for (const hold of holds.values()) {
    if (hold.vacantSince !== null && (earliest === null || hold.vacantSince + graceMs < earliest)) {
      earliest = hold.vacantSince + graceMs;
    }
  }
  return earliest;
}

/**
 * Settles who owns each host (or route) after a change. The oldest claim wins; an owner keeps its hold while it
 * has any claiming pod (so a rolling restart, whose new pods are younger than a rival's, does not hand the host
 * over), and for `ownershipGraceMs` after its last one went away (so a delete-then-create restart does not either).
 * With `touched`, only those keys (and vacant holds) are settled again: every other key's claims are as they were,
 * and settling is idempotent. Returns `holds` itself when nothing changed.
 */
export function settleHolds(
  holds: ReadonlyMap<string, Hold>,
  pods: ReadonlyMap<string, PodRecord>,
  now: number,
  options: OwnershipOptions,
  touched: ReadonlySet<string> | null = null,
): ReadonlyMap<string, Hold> {
  let keys: ReadonlySet<string> | null = touched;
  if (touched !== null) {
    const some = new Set(touched);
    for (const [key, hold] of holds) if (hold.vacantSince !== null) some.add(key);
    keys = some;
  }
  const claims = oldestClaims(pods, options.ownership, keys);
  let next: Map<string, Hold> | null = null;
  const settle = (key: string): void => {
    const hold = holds.get(key);
    const claim = claims.get(key);
    const settled =
      hold === undefined
        ? claim === undefined
          ? null
          : firstClaim(claim)
        : settleOne(hold, claim, now, options.ownershipGraceMs);
    if (settled === (hold ?? null)) return;
    next ??= new Map(holds);
    if (settled === null) next.delete(key);
    else next.set(key, settled);
  };
  for (const key of keys ?? new Set([...holds.keys(), ...claims.keys()])) settle(key);
  return next ?? holds;
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

function oldestClaims(
  pods: ReadonlyMap<string, PodRecord>,
  policy: OwnershipPolicy,
  only: ReadonlySet<string> | null,
): Map<string, Map<string, Age>> {
  const claims = new Map<string, Map<string, Age>>();
  for (const record of pods.values()) {
    if (record.paths.length === 0) continue;
    for (const host of record.hosts) {
      const keys = policy === 'host' ? [host] : record.paths.map((entry) => ownershipKey(policy, host, entry.path));
      for (const key of keys) {
        if (only !== null && !only.has(key)) continue;
        const age: Age = { created: record.pod.created, pod: record.key };
        let byNamespace = claims.get(key);
        if (byNamespace === undefined) claims.set(key, (byNamespace = new Map()));
        const seen = byNamespace.get(record.pod.namespace);
        if (seen === undefined || compareAges(age, seen) < 0) byNamespace.set(record.pod.namespace, age);
      }
    }
  }
  return claims;
}

function olderAge(a: Age, b: Age): Age {
  return compareAges(b, a) < 0 ? b : a;
}

/** Orders claim ages: older creation first, then pod key. */
export function compareAges(a: Age, b: Age): number {
  return a.created - b.created || compareStrings(a.pod, b.pod);
}

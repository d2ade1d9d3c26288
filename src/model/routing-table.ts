import { compareIssues, compareStrings, type Issue, type IssueCode } from './issue.js';
import {
  coveringHold,
  ownershipKey,
  wildcardHolds,
  type Hold,
  type OwnershipPolicy,
  type WildcardHolds,
} from './ownership.js';
import { patchHosts } from './host-list.js';
import { diffMaps } from './persistent-map.js';
import type { PodRecord } from './pod-record.js';
import type { RoutingState } from './routing-state.js';

/** A pod named in the config: as a backend, or in a comment. */
export interface PodRef {
  readonly name: string;
  readonly namespace: string;
}

/** One pod serving a route. */
export interface Backend extends PodRef {
  /** `IP:PORT`, IPv6 bracketed. */
  readonly address: string;
}

/** One (host, path) with every pod that serves it; structure (host, path) is kept apart from membership. */
export interface Route {
  readonly host: string;
  /** Canonical annotation form. */
  readonly path: string;
  /** Decoded form nginx matches. */
  readonly location: string;
  /** Ready pods, sorted by namespace, name, address. */
  readonly backends: readonly Backend[];
  /** Claiming pods that cannot serve now (not ready, no IP): the route answers 503 when it has no backend. */
  readonly waiting: readonly PodRef[];
}

/** All routes of one host, paths sorted. */
export interface HostRoutes {
  readonly host: string;
  readonly routes: readonly Route[];
}

/** The routing table: what nginx must serve, and every problem found on the way. */
export interface RoutingTable {
  readonly hosts: readonly HostRoutes[];
  readonly issues: readonly Issue[];
}

const NONE: readonly never[] = Object.freeze([]);

interface MutableRoute {
  host: string;
  path: string;
  location: string;
  backends: Backend[];
  /** Built by push while the host is built, then the shared empty list if none. */
  waiting: readonly PodRef[];
}

/** One host's routes and the claims refused on it, as last built. */
interface HostEntry {
  readonly routes: HostRoutes | null;
  readonly issues: readonly Issue[];
  /** The records behind the routes (those admitted), in no order. */
  readonly admitted: readonly PodRecord[];
}

// What the last build saw and made, so the next one redoes only the hosts whose claiming pods or deciding holds
// changed (found by the difference of the state's maps and the last ones seen: published maps are never mutated,
// and persistent ones are compared by what they share). Private to RoutingTableBuilder: nothing outside may change
// it, or rely on which objects it reuses.
interface TableCache {
  policy: OwnershipPolicy | null;
  pods: ReadonlyMap<string, PodRecord>;
  holds: ReadonlyMap<string, Hold>;
  wildcards: WildcardHolds;
  /** host -> the records claiming it (arrays, smaller than maps: most hosts have a few pods). */
  readonly claimants: Map<string, PodRecord[]>;
  /** pod key -> the record's own issues, for records that have some. */
  readonly recordIssues: Map<string, readonly Issue[]>;
  readonly hosts: Map<string, HostEntry>;
  /** host -> the claims refused on it, for hosts that have some. */
  readonly hostIssues: Map<string, readonly Issue[]>;
  /** The last table's hosts (those with a route), sorted, and its issues. */
  list: readonly HostRoutes[];
  issues: readonly Issue[];
  routes: number;
  backends: number;
}

/** What a table holds besides its hosts: how many routes, and how many backends (pod x route). */
export interface TableTotals {
  readonly routes: number;
  readonly backends: number;
}

/**
 * Builds routing tables one state after another: only hosts whose claiming pods or deciding holds changed since the
 * last build are rebuilt; the others keep their objects (never mutated), so the view and the renderer downstream
 * can reuse their work by identity. A table is a pure function of the state and the policy, whatever was built before.
 */
export class RoutingTableBuilder {
  private readonly cache: TableCache = {
    policy: null,
    pods: new Map(),
    holds: new Map(),
    wildcards: new Map(),
    claimants: new Map(),
    recordIssues: new Map(),
    hosts: new Map(),
    hostIssues: new Map(),
    list: [],
    issues: [],
    routes: 0,
    backends: 0,
  };

  /** Builds the table of `state` under `policy`. */
  build(state: RoutingState, policy: OwnershipPolicy): RoutingTable {
    return buildTable(state, policy, this.cache);
  }

  /** The records behind a host's routes in the last table built (undefined for a host it did not build). */
  admitted(host: HostRoutes): readonly PodRecord[] | undefined {
    const entry = this.cache.hosts.get(host.host);
    return entry?.routes === host ? entry.admitted : undefined;
  }

  /** The routes and backends of the last table built. */
  totals(): TableTotals {
    return { routes: this.cache.routes, backends: this.cache.backends };
  }
}

/** Builds the routing table from the state: hosts x paths per pod, merged across pods, owners enforced, sorted. */
export function buildRoutingTable(state: RoutingState, policy: OwnershipPolicy): RoutingTable {
  return new RoutingTableBuilder().build(state, policy);
}

function buildTable(state: RoutingState, policy: OwnershipPolicy, cache: TableCache): RoutingTable {
  const dirty = new Set<string>();
  if (cache.policy !== policy) reset(cache, policy);
  let issuesChanged = false;
  if (state.pods !== cache.pods) issuesChanged = indexChanges(cache, state.pods, dirty);
  if (state.holds !== cache.holds) holdChanges(cache, state.holds, dirty);
  cache.pods = state.pods;
  cache.holds = state.holds;
  const changes = new Map<string, HostRoutes | null>();
  for (const host of dirty) {
    const old = cache.hosts.get(host);
    const claimants = cache.claimants.get(host);
    const entry = claimants === undefined ? null : hostRoutes(state, cache.wildcards, policy, host, claimants);
    if (entry === null) cache.hosts.delete(host);
    else cache.hosts.set(host, entry);
    if ((old?.issues.length ?? 0) > 0 || (entry?.issues.length ?? 0) > 0) {
      issuesChanged = true;
      if (entry === null || entry.issues.length === 0) cache.hostIssues.delete(host);
      else cache.hostIssues.set(host, entry.issues);
    }
    const before = old?.routes ?? null;
    const after = entry?.routes ?? null;
    if (before === null && after === null) continue;
    changes.set(host, after);
    count(cache, before, -1);
    count(cache, after, 1);
  }
  if (changes.size > 0) cache.list = patchHosts(cache.list, changes);
  if (issuesChanged) cache.issues = collectIssues(cache);
  return { hosts: cache.list, issues: cache.issues };
}

function reset(cache: TableCache, policy: OwnershipPolicy): void {
  cache.policy = policy;
  cache.pods = new Map();
  cache.holds = new Map();
  cache.wildcards = new Map();
  cache.claimants.clear();
  cache.recordIssues.clear();
  cache.hosts.clear();
  cache.hostIssues.clear();
  cache.list = [];
  cache.issues = [];
  cache.routes = 0;
  cache.backends = 0;
}

function count(cache: TableCache, host: HostRoutes | null, sign: 1 | -1): void {
  if (host === null) return;
  cache.routes += sign * host.routes.length;
  for (const route of host.routes) cache.backends += sign * route.backends.length;
}

function collectIssues(cache: TableCache): Issue[] {
  const issues: Issue[] = [];
  for (const list of cache.recordIssues.values()) for (const issue of list) issues.push(issue);
  for (const list of cache.hostIssues.values()) for (const issue of list) issues.push(issue);
  return issues.sort(compareIssues);
}

/**
 * Re-indexes the records that differ from the cache's last pods, marking their hosts (old and new) dirty. Returns
 * whether any record's own issues came or went.
 */
function indexChanges(cache: TableCache, pods: ReadonlyMap<string, PodRecord>, dirty: Set<string>): boolean {
  let issuesChanged = false;
  diffMaps(cache.pods, pods, (key, old, record) => {
    if (old !== undefined) {
      if (cache.recordIssues.delete(key)) issuesChanged = true;
      for (const host of old.hosts) {
        dirty.add(host);
        const claimants = cache.claimants.get(host);
        const at = claimants?.findIndex((claimant) => claimant.key === key) ?? -1;
        if (at !== -1) claimants!.splice(at, 1);
        if (claimants?.length === 0) cache.claimants.delete(host);
      }
    }
    if (record === undefined) return;
    if (record.issues.length > 0) {
      cache.recordIssues.set(key, record.issues);
      issuesChanged = true;
    }
    for (const host of record.hosts) {
      dirty.add(host);
      const claimants = cache.claimants.get(host);
      if (claimants === undefined) cache.claimants.set(host, [record]);
      else claimants.push(record);
    }
  });
  return issuesChanged;
}

/** Marks dirty the hosts whose holds changed since the cache's last holds; a changed wildcard marks them all. */
function holdChanges(cache: TableCache, holds: ReadonlyMap<string, Hold>, dirty: Set<string>): void {
  let wildcard = false;
  diffMaps(cache.holds, holds, (key) => {
    const host = key.split(' ')[0]!;
    if (host.startsWith('*.')) wildcard = true;
    dirty.add(host);
  });
  if (!wildcard) return;
  cache.wildcards = wildcardHolds(holds);
  for (const any of cache.claimants.keys()) dirty.add(any);
}

/** Builds one host's routes from the records claiming it, refusing claims its owner (or a wildcard above) forbids. */
function hostRoutes(
  state: RoutingState,
  wildcards: WildcardHolds,
  policy: OwnershipPolicy,
  host: string,
  records: readonly PodRecord[],
): HostEntry {
  const routes = new Map<string, MutableRoute>();
  const issues: Issue[] = [];
  const admitted: PodRecord[] = [];
  for (const record of records) {
    // A pod with hosts but no accepted path claims nothing (ownership ignores it too): no refusal to report.
    if (record.paths.length === 0) continue;
    const hostRefused =
      policy === 'host' ? refusal(state, wildcards, record, host, 'host-conflict', `host ${host}`) : null;
    if (hostRefused !== null) {
      issues.push(hostRefused);
      continue;
    }
    for (const entry of record.paths) {
      const key = ownershipKey(policy, host, entry.path);
      const routeRefused =
        policy === 'route'
          ? refusal(state, wildcards, record, key, 'route-conflict', `route ${host}${entry.path}`)
          : null;
      if (routeRefused !== null) {
        issues.push(routeRefused);
        continue;
      }
      let route = routes.get(entry.path);
      if (route === undefined)
        routes.set(
          entry.path,
          (route = { host, path: entry.path, location: entry.location, backends: [], waiting: [] }),
        );
      const { name, namespace } = record.pod;
      if (admitted[admitted.length - 1] !== record) admitted.push(record);
      if (record.address === null) (route.waiting as PodRef[]).push({ name, namespace });
      else route.backends.push({ name, namespace, address: `${record.address}:${entry.port}` });
    }
  }
  const refused = issues.length === 0 ? NONE : issues;
  if (routes.size === 0) return { routes: null, issues: refused, admitted };
  const sorted = [...routes.values()];
  if (sorted.length > 1) sorted.sort((a, b) => compareStrings(a.path, b.path));
  for (const route of sorted) {
    if (route.backends.length > 1) route.backends.sort(compareRefs);
    if (route.waiting.length > 1) (route.waiting as PodRef[]).sort(compareRefs);
    // Most routes have no waiting pod: one shared empty list instead of one each (16k hosts' worth of memory).
    if (route.waiting.length === 0) route.waiting = NONE;
  }
  return { routes: { host, routes: sorted }, issues: refused, admitted };
}

/** Returns why a pod may not serve under `key` (another namespace owns it, or an older foreign wildcard covers it). */
function refusal(
  state: RoutingState,
  wildcards: WildcardHolds,
  record: PodRecord,
  key: string,
  code: IssueCode,
  what: string,
): Issue | null {
  const hold = state.holds.get(key);
  if (hold?.namespace !== record.pod.namespace) return conflict(record, code, what, hold?.namespace);
  const space = key.indexOf(' ');
  const cover = coveringHold(wildcards, space === -1 ? key : key.slice(0, space), hold);
  if (cover === null) return null;
  return {
    pod: record.key,
    code,
    message: `${what} is covered by wildcard ${cover.wildcard} of namespace ${cover.namespace}, which holds it since earlier; claims on it from namespace ${record.pod.namespace} are refused`,
  };
}

function conflict(record: PodRecord, code: IssueCode, what: string, owner: string | undefined): Issue {
  return {
    pod: record.key,
    code,
    message: `${what} belongs to namespace ${owner ?? '(none)'}; claims on it from namespace ${record.pod.namespace} are refused`,
  };
}

function compareRefs(a: PodRef & { address?: string }, b: PodRef & { address?: string }): number {
  return (
    compareStrings(a.namespace, b.namespace) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.address ?? '', b.address ?? '')
  );
}

import { compareIssues, compareStrings, type Issue, type IssueCode } from './issue.js';
import {
  coveringHold,
  ownershipKey,
  wildcardHolds,
  type Hold,
  type OwnershipPolicy,
  type WildcardHolds,
} from './ownership.js';
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

interface MutableRoute {
  host: string;
  path: string;
  location: string;
  backends: Backend[];
  waiting: PodRef[];
}

/** One host's routes and the claims refused on it, as last built. */
interface HostEntry {
  readonly routes: HostRoutes | null;
  readonly issues: readonly Issue[];
}

// What the last build saw and made, so the next one redoes only the hosts whose claiming pods or deciding holds
// changed (found by comparing the state's maps with the last ones seen: published maps are never mutated). Private
// to RoutingTableBuilder: nothing outside may change it, or rely on which objects it reuses.
interface TableCache {
  policy: OwnershipPolicy | null;
  pods: ReadonlyMap<string, PodRecord> | null;
  holds: ReadonlyMap<string, Hold> | null;
  /** host -> pod key -> record claiming it. */
  readonly claimants: Map<string, Map<string, PodRecord>>;
  /** pod key -> the record's own issues, for records that have some. */
  readonly recordIssues: Map<string, readonly Issue[]>;
  readonly hosts: Map<string, HostEntry>;
  /** Hosts in order; null when a host came or went. */
  sorted: readonly string[] | null;
}

/**
 * Builds routing tables one state after another: only hosts whose claiming pods or deciding holds changed since the
 * last build are rebuilt; the others keep their objects (never mutated), so the view and the renderer downstream
 * can reuse their work by identity. A table is a pure function of the state and the policy, whatever was built before.
 */
export class RoutingTableBuilder {
  private readonly cache: TableCache = {
    policy: null,
    pods: null,
    holds: null,
    claimants: new Map(),
    recordIssues: new Map(),
    hosts: new Map(),
    sorted: null,
  };

  /** Builds the table of `state` under `policy`. */
  build(state: RoutingState, policy: OwnershipPolicy): RoutingTable {
    return buildTable(state, policy, this.cache);
  }
}

/** Builds the routing table from the state: hosts x paths per pod, merged across pods, owners enforced, sorted. */
export function buildRoutingTable(state: RoutingState, policy: OwnershipPolicy): RoutingTable {
  return new RoutingTableBuilder().build(state, policy);
}

function buildTable(state: RoutingState, policy: OwnershipPolicy, cache: TableCache): RoutingTable {
  const dirty = new Set<string>();
  if (cache.policy !== policy || cache.pods === null) reset(cache, policy);
  if (state.pods !== cache.pods) indexChanges(cache, state.pods, dirty);
  if (state.holds !== cache.holds) holdChanges(cache, state.holds, dirty);
  cache.pods = state.pods;
  cache.holds = state.holds;
  const wildcards = wildcardHolds(state.holds);
  for (const host of dirty) {
    const claimants = cache.claimants.get(host);
    if (claimants === undefined) {
      if (cache.hosts.delete(host)) cache.sorted = null;
      continue;
    }
    if (!cache.hosts.has(host)) cache.sorted = null;
    cache.hosts.set(host, hostRoutes(state, wildcards, policy, host, [...claimants.values()]));
  }
  cache.sorted ??= [...cache.hosts.keys()].sort(compareStrings);
  const hosts: HostRoutes[] = [];
  const issues: Issue[] = [];
  for (const list of cache.recordIssues.values()) for (const issue of list) issues.push(issue);
  for (const host of cache.sorted) {
    const entry = cache.hosts.get(host)!;
    if (entry.routes !== null) hosts.push(entry.routes);
    for (const issue of entry.issues) issues.push(issue);
  }
  return { hosts, issues: issues.sort(compareIssues) };
}

function reset(cache: TableCache, policy: OwnershipPolicy): void {
  cache.policy = policy;
  cache.pods = new Map();
  cache.holds = null;
  cache.claimants.clear();
  cache.recordIssues.clear();
  cache.hosts.clear();
  cache.sorted = null;
}

/** Re-indexes the records that differ from the cache's last pods, marking their hosts (old and new) dirty. */
function indexChanges(cache: TableCache, pods: ReadonlyMap<string, PodRecord>, dirty: Set<string>): void {
  const previous = cache.pods!;
  const unindex = (record: PodRecord): void => {
    cache.recordIssues.delete(record.key);
    for (const host of record.hosts) {
      dirty.add(host);
      const claimants = cache.claimants.get(host);
      claimants?.delete(record.key);
      if (claimants?.size === 0) cache.claimants.delete(host);
    }
  };
  for (const [key, record] of pods) {
    const old = previous.get(key);
    if (old === record) continue;
    if (old !== undefined) unindex(old);
    if (record.issues.length > 0) cache.recordIssues.set(key, record.issues);
    for (const host of record.hosts) {
      dirty.add(host);
      let claimants = cache.claimants.get(host);
      if (claimants === undefined) cache.claimants.set(host, (claimants = new Map()));
      claimants.set(key, record);
    }
  }
  for (const [key, old] of previous) if (!pods.has(key)) unindex(old);
}

/** Marks dirty the hosts whose holds changed since the cache's last holds; a changed wildcard marks them all. */
function holdChanges(cache: TableCache, holds: ReadonlyMap<string, Hold>, dirty: Set<string>): void {
  const previous = cache.holds ?? new Map<string, Hold>();
  const mark = (key: string): void => {
    const host = key.split(' ')[0]!;
    if (host.startsWith('*.')) for (const any of cache.claimants.keys()) dirty.add(any);
    dirty.add(host);
  };
  for (const [key, hold] of holds) if (previous.get(key) !== hold) mark(key);
  for (const key of previous.keys()) if (!holds.has(key)) mark(key);
}

/** Builds one host's routes from the records claiming it, refusing claims its owner (or a wildcard above) forbids. */
function hostRoutes(
  state: RoutingState,
  wildcards: WildcardHolds,
  policy: OwnershipPolicy,
  host: string,
  records: readonly PodRecord[],
): { routes: HostRoutes | null; issues: Issue[] } {
  const routes = new Map<string, MutableRoute>();
  const issues: Issue[] = [];
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
      if (record.address === null) route.waiting.push({ name, namespace });
      else route.backends.push({ name, namespace, address: `${record.address}:${entry.port}` });
    }
  }
  if (routes.size === 0) return { routes: null, issues };
  const sorted = [...routes.values()];
  if (sorted.length > 1) sorted.sort((a, b) => compareStrings(a.path, b.path));
  for (const route of sorted) {
    if (route.backends.length > 1) route.backends.sort(compareRefs);
    if (route.waiting.length > 1) route.waiting.sort(compareRefs);
  }
  return { routes: { host, routes: sorted }, issues };
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

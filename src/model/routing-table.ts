import { compareIssues, compareStrings, type Issue, type IssueCode } from './issue.js';
import { coveringHold, ownershipKey, wildcardHolds, type OwnershipPolicy, type WildcardHolds } from './ownership.js';
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

/** What one host's routes were built from and what they came to: the same inputs give back the same objects. */
interface HostEntry {
  readonly records: readonly PodRecord[];
  readonly holds: readonly unknown[];
  readonly routes: HostRoutes | null;
  readonly issues: readonly Issue[];
}

/** Hosts from earlier builds, so a host whose claiming pods and holds did not change keeps its very objects. */
export interface TableCache {
  readonly hosts: Map<string, HostEntry>;
  sorted: readonly string[];
}

/** Returns an empty table cache. */
export function createTableCache(): TableCache {
  return { hosts: new Map(), sorted: [] };
}

/**
 * Builds the routing table from the state: hosts x paths per pod, merged across pods, owners enforced, sorted.
 * With a cache, a host is rebuilt only when the records claiming it or the holds deciding it changed; the others
 * keep their objects, so the view and the renderer downstream can reuse their work.
 */
export function buildRoutingTable(state: RoutingState, policy: OwnershipPolicy, cache: TableCache = createTableCache()): RoutingTable {
  const claimants = new Map<string, PodRecord[]>();
  const issues: Issue[] = [];
  for (const record of state.pods.values()) {
    if (record.issues.length > 0) issues.push(...record.issues);
    for (const host of record.hosts) {
      const list = claimants.get(host);
      if (list === undefined) claimants.set(host, [record]);
      else list.push(record);
    }
  }
  const wildcards = wildcardHolds(state.holds);
  const hosts: HostRoutes[] = [];
  for (const host of sortedHosts(claimants, cache)) {
    const records = claimants.get(host)!;
    const holds = holdsDeciding(state, wildcards, policy, host, records);
    let entry = cache.hosts.get(host);
    if (entry === undefined || !sameItems(entry.records, records) || !sameItems(entry.holds, holds)) {
      entry = { records, holds, ...hostRoutes(state, wildcards, policy, host, records) };
      cache.hosts.set(host, entry);
    }
    if (entry.routes !== null) hosts.push(entry.routes);
    if (entry.issues.length > 0) issues.push(...entry.issues);
  }
  return { hosts, issues: issues.sort(compareIssues) };
}

function sortedHosts(claimants: ReadonlyMap<string, unknown>, cache: TableCache): readonly string[] {
  const same = claimants.size === cache.sorted.length && cache.sorted.every((host) => claimants.has(host));
  if (!same) {
    for (const host of cache.hosts.keys()) if (!claimants.has(host)) cache.hosts.delete(host);
    cache.sorted = [...claimants.keys()].sort(compareStrings);
  }
  return cache.sorted;
}

/** Lists every hold a host's routes depend on: its own (or its routes'), and the wildcards above it. */
function holdsDeciding(state: RoutingState, wildcards: WildcardHolds, policy: OwnershipPolicy, host: string, records: readonly PodRecord[]): unknown[] {
  const holds: unknown[] = policy === 'host' ? [state.holds.get(host)] : records.flatMap((r) => r.paths.map((e) => state.holds.get(ownershipKey(policy, host, e.path))));
  if (wildcards.size === 0) return holds;
  for (const wildcard of wildcardsAbove(host)) holds.push(wildcard, ...(wildcards.get(wildcard) ?? []));
  return holds;
}

function wildcardsAbove(host: string): string[] {
  const labels = host.split('.');
  const start = host.startsWith('*.') ? 2 : 1;
  return labels.slice(start).map((_, i) => `*.${labels.slice(start + i).join('.')}`);
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Builds one host's routes from the records claiming it, refusing claims its owner (or a wildcard above) forbids. */
function hostRoutes(state: RoutingState, wildcards: WildcardHolds, policy: OwnershipPolicy, host: string, records: readonly PodRecord[]): { routes: HostRoutes | null; issues: Issue[] } {
  const routes = new Map<string, MutableRoute>();
  const issues: Issue[] = [];
  for (const record of records) {
    const hostRefused = policy === 'host' ? refusal(state, wildcards, record, host, 'host-conflict', `host ${host}`) : null;
    if (hostRefused !== null) {
      issues.push(hostRefused);
      continue;
    }
    for (const entry of record.paths) {
      const key = ownershipKey(policy, host, entry.path);
      const routeRefused = policy === 'route' ? refusal(state, wildcards, record, key, 'route-conflict', `route ${host}${entry.path}`) : null;
      if (routeRefused !== null) {
        issues.push(routeRefused);
        continue;
      }
      let route = routes.get(entry.path);
      if (route === undefined) routes.set(entry.path, (route = { host, path: entry.path, location: entry.location, backends: [], waiting: [] }));
      const ref = { name: record.pod.name, namespace: record.pod.namespace };
      if (record.address === null) route.waiting.push(ref);
      else route.backends.push({ ...ref, address: `${record.address}:${entry.port}` });
    }
  }
  if (routes.size === 0) return { routes: null, issues };
  const sorted = [...routes.values()].sort((a, b) => compareStrings(a.path, b.path));
  for (const route of sorted) {
    route.backends.sort(compareRefs);
    route.waiting.sort(compareRefs);
  }
  return { routes: { host, routes: sorted }, issues };
}

/** Returns why a pod may not serve under `key` (another namespace owns it, or an older foreign wildcard covers it). */
function refusal(state: RoutingState, wildcards: WildcardHolds, record: PodRecord, key: string, code: IssueCode, what: string): Issue | null {
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
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.address ?? '', b.address ?? '');
}

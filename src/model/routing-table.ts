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

/** Builds the routing table from the state: hosts x paths per pod, merged across pods, owners enforced, sorted. */
export function buildRoutingTable(state: RoutingState, policy: OwnershipPolicy): RoutingTable {
  const routes = new Map<string, Map<string, MutableRoute>>();
  const issues: Issue[] = [];
  const wildcards = wildcardHolds(state.holds);
  for (const record of state.pods.values()) {
    issues.push(...record.issues);
    for (const host of record.hosts) {
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
        let byPath = routes.get(host);
        if (byPath === undefined) routes.set(host, (byPath = new Map()));
        let route = byPath.get(entry.path);
        if (route === undefined) {
          byPath.set(entry.path, (route = { host, path: entry.path, location: entry.location, backends: [], waiting: [] }));
        }
        const ref = { name: record.pod.name, namespace: record.pod.namespace };
        if (record.address === null) route.waiting.push(ref);
        else route.backends.push({ ...ref, address: `${record.address}:${entry.port}` });
      }
    }
  }
  return { hosts: sortHosts(routes), issues: issues.sort(compareIssues) };
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

function sortHosts(routes: Map<string, Map<string, MutableRoute>>): HostRoutes[] {
  return [...routes.keys()].sort(compareStrings).map((host) => ({
    host,
    routes: [...routes.get(host)!.values()]
      .sort((a, b) => compareStrings(a.path, b.path))
      .map((route) => ({ ...route, backends: route.backends.sort(compareRefs), waiting: route.waiting.sort(compareRefs) })),
  }));
}

function compareRefs(a: PodRef & { address?: string }, b: PodRef & { address?: string }): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.address ?? '', b.address ?? '');
}

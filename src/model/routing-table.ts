import { compareIssues, compareStrings, type Issue, type IssueCode } from './issue.js';
import { ownershipKey, type OwnershipPolicy } from './ownership.js';
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
  for (const record of state.pods.values()) {
    issues.push(...record.issues);
    for (const host of record.hosts) {
      if (policy === 'host' && !owns(state, record, host)) {
        issues.push(conflict(record, 'host-conflict', `host ${host}`, state.holds.get(host)?.namespace));
        continue;
      }
      for (const entry of record.paths) {
        const key = ownershipKey(policy, host, entry.path);
        if (policy === 'route' && !owns(state, record, key)) {
          issues.push(conflict(record, 'route-conflict', `route ${host}${entry.path}`, state.holds.get(key)?.namespace));
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

function owns(state: RoutingState, record: PodRecord, key: string): boolean {
  return state.holds.get(key)?.namespace === record.pod.namespace;
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

import { compareStrings, type Issue } from '../model/issue.js';
import { ownershipKey, type OwnershipPolicy } from '../model/ownership.js';
import type { PodRecord } from '../model/pod-record.js';
import type { RoutingTable } from '../model/routing-table.js';
import type { RoutingState } from '../model/routing-state.js';
import { isoTime, notReadyReasons, safeIp, safeName, safeNamespace, safePhase } from './safe-text.js';
import {
  STATUS_FORMAT, type AppliedFacts, type IssueStatus, type OwnerStatus, type PodRouteStatus, type PodStatus, type RouteStatus,
  type StatusReport,
} from './status-report.js';

/** The facts of a controller that has applied nothing yet. */
export const NOTHING_APPLIED: AppliedFacts = { hash: null, appliedAt: null, configs: 0, reloads: null, pushes: null, failed: null };

/** How to read the state. */
export interface BuildStatusOptions {
  readonly policy: OwnershipPolicy;
  /** The state's clock is wall time (live): grace periods are shown as times. Replay's virtual clock is not. */
  readonly wallClock: boolean;
}

/**
 * Builds the status document from the routing state, the routing table built from it and what the sink reported:
 * every route with its backends, waiting pods and owner, every pod with its routes, readiness and issues, every
 * hold. Pure and deterministic (everything sorted), so a replay prints the same document for the same events.
 */
export function buildStatus(state: RoutingState, table: RoutingTable, applied: AppliedFacts, options: BuildStatusOptions): StatusReport {
  const { policy } = options;
  const membership = new Map<string, Map<string, 'serving' | 'not-ready'>>();
  const mark = (pod: string, route: string, state: 'serving' | 'not-ready'): void => {
    let routes = membership.get(pod);
    if (routes === undefined) membership.set(pod, (routes = new Map()));
    routes.set(route, state);
  };
  const routes: RouteStatus[] = [];
  let backends = 0;
  for (const host of table.hosts) {
    for (const route of host.routes) {
      const key = `${route.host} ${route.path}`;
      for (const backend of route.backends) mark(`${backend.namespace}/${backend.name}`, key, 'serving');
      for (const waiting of route.waiting) mark(`${waiting.namespace}/${waiting.name}`, key, 'not-ready');
      backends += route.backends.length;
      routes.push({
        host: route.host,
        path: route.path,
        namespace: routeOwner(state, policy, route.host, route.path, route.backends[0]?.namespace ?? route.waiting[0]?.namespace),
        backends: route.backends.map((b) => ({ namespace: safeNamespace(b.namespace), pod: safeName(b.name), address: b.address })),
        notReady: route.waiting.map((w) => {
          const record = state.pods.get(`${w.namespace}/${w.name}`);
          return { namespace: safeNamespace(w.namespace), pod: safeName(w.name), reasons: record === undefined ? [] : waitingReasons(record) };
        }),
        unavailable: route.backends.length === 0,
      });
    }
  }
  const issues = issuesByPod(table.issues);
  const pods = [...state.pods.values()].sort((a, b) => compareStrings(a.pod.namespace, b.pod.namespace) || compareStrings(a.pod.name, b.pod.name))
    .map((record) => podStatus(record, membership.get(record.key), issues.get(record.key) ?? []));
  const owners = ownerList(state, policy, options.wallClock);
  return {
    format: STATUS_FORMAT,
    ownership: policy,
    config: applied,
    summary: {
      hosts: table.hosts.length,
      routes: routes.length,
      unavailableRoutes: routes.filter((route) => route.unavailable).length,
      backends,
      pods: pods.length,
      notReadyPods: pods.filter((pod) => !pod.ready).length,
      podsWithIssues: pods.filter((pod) => pod.issues.length > 0).length,
      issues: table.issues.length,
    },
    owners,
    routes,
    pods,
    page: { offset: 0, limit: null, routes: routes.length, pods: pods.length, owners: owners.length, truncated: false },
  };
}

function podStatus(record: PodRecord, member: Map<string, 'serving' | 'not-ready'> | undefined, issues: readonly IssueStatus[]): PodStatus {
  const { pod } = record;
  const notReady = notReadyReasons(pod);
  const routes: PodRouteStatus[] = [];
  for (const host of record.hosts) {
    for (const entry of record.paths) {
      routes.push({ host, path: entry.path, port: entry.port, state: member?.get(`${host} ${entry.path}`) ?? 'refused' });
    }
  }
  routes.sort((a, b) => compareStrings(a.host, b.host) || compareStrings(a.path, b.path));
  return {
    namespace: safeNamespace(pod.namespace),
    name: safeName(pod.name),
    created: isoTime(pod.created),
    phase: safePhase(pod.phase),
    ip: safeIp(pod.ip),
    ready: notReady.length === 0,
    notReady,
    routes,
    issues,
  };
}

/** Why a claiming pod does not serve: its readiness, or (ready but no address) an IP that is not one. */
function waitingReasons(record: PodRecord): string[] {
  const reasons = notReadyReasons(record.pod);
  return reasons.length > 0 ? reasons : ['status.podIP is not an IP address'];
}

function issuesByPod(all: readonly Issue[]): Map<string, IssueStatus[]> {
  const byPod = new Map<string, IssueStatus[]>();
  for (const issue of all) {
    let list = byPod.get(issue.pod);
    if (list === undefined) byPod.set(issue.pod, (list = []));
    list.push({ code: issue.code, message: issue.message });
  }
  return byPod;
}

function ownerList(state: RoutingState, policy: OwnershipPolicy, wallClock: boolean): OwnerStatus[] {
  const owners: OwnerStatus[] = [];
  for (const [key, hold] of state.holds) {
    const space = key.indexOf(' ');
    const slash = hold.since.pod.indexOf('/');
    owners.push({
      host: space === -1 ? key : key.slice(0, space),
      path: policy === 'route' && space !== -1 ? key.slice(space + 1) : null,
      namespace: safeNamespace(hold.namespace),
      pod: `${safeNamespace(hold.since.pod.slice(0, slash))}/${safeName(hold.since.pod.slice(slash + 1))}`,
      since: isoTime(hold.since.created),
      vacant: hold.vacantSince !== null,
      vacantSince: wallClock ? isoTime(hold.vacantSince) : null,
    });
  }
  return owners.sort((a, b) => compareStrings(a.host, b.host) || compareStrings(a.path ?? '', b.path ?? ''));
}

function routeOwner(state: RoutingState, policy: OwnershipPolicy, host: string, path: string, fallback: string | undefined): string | null {
  const namespace = state.holds.get(ownershipKey(policy, host, path))?.namespace ?? fallback;
  return namespace === undefined ? null : safeNamespace(namespace);
}

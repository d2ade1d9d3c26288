import { compareStrings, type Issue } from '../model/issue.js';
import { ownershipKey, type Hold, type OwnershipPolicy } from '../model/ownership.js';
import type { PodRecord } from '../model/pod-record.js';
import type { Route, RoutingTable } from '../model/routing-table.js';
import type { RoutingState } from '../model/routing-state.js';
import { isoTime, notReadyReasons, safeIp, safeName, safeNamespace, safePhase } from './safe-text.js';
import { matcher, SHOW_ALL, type StatusSelection } from './select-status.js';
import {
  STATUS_FORMAT,
  type AppliedFacts,
  type IssueStatus,
  type OwnerStatus,
  type PodRouteStatus,
  type PodStatus,
  type RouteStatus,
  type StatusReport,
} from './status-report.js';

/** The facts of a controller that has applied nothing yet. */
export const NOTHING_APPLIED: AppliedFacts = {
  hash: null,
  appliedAt: null,
  configs: 0,
  reloads: null,
  pushes: null,
  failed: null,
};

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
 * With a selection, entries are matched and paged before they are built, so a page of a 100k-pod cluster costs
 * little more than its totals.
 */
export function buildStatus(
  state: RoutingState,
  table: RoutingTable,
  applied: AppliedFacts,
  options: BuildStatusOptions,
  selection: StatusSelection = SHOW_ALL,
): StatusReport {
  const { policy } = options;
  const matches = matcher(selection.query);
  const page = <T>(list: readonly T[]): readonly T[] =>
    list.slice(selection.offset, selection.limit === null ? undefined : selection.offset + selection.limit);

  const routeIndex = new Map<string, Route>();
  const matchedRoutes: Route[] = [];
  let backends = 0;
  let unavailable = 0;
  for (const host of table.hosts) {
    for (const route of host.routes) {
      routeIndex.set(`${route.host} ${route.path}`, route);
      backends += route.backends.length;
      if (route.backends.length === 0) unavailable++;
      if (matches === null || matches(routeSearchText(route, routeOwner(state, policy, route))))
        matchedRoutes.push(route);
    }
  }
  const issues = issuesByPod(table.issues);
  const records = [...state.pods.values()];
  let notReady = 0;
  for (const record of records) if (!canServe(record)) notReady++;
  const matchedPods = (matches === null ? records : records.filter((record) => matches(podSearchText(record)))).sort(
    compareRecords,
  );
  const holds = [...state.holds]
    .filter(([key, hold]) => matches === null || matches(ownerSearchText(key, hold)))
    .sort(([a], [b]) => compareStrings(a, b));

  const routes = page(matchedRoutes).map((route) => routeStatus(state, policy, route));
  const pods = page(matchedPods).map((record) => podStatus(record, routeIndex, issues.get(record.key) ?? []));
  const owners = page(holds).map(([key, hold]) => ownerStatus(key, hold, policy, options.wallClock));
  let podsWithIssues = 0;
  for (const key of issues.keys()) if (state.pods.has(key)) podsWithIssues++;
  const truncated =
    routes.length < matchedRoutes.length || pods.length < matchedPods.length || owners.length < holds.length;
  return {
    format: STATUS_FORMAT,
    ownership: policy,
    config: applied,
    summary: {
      hosts: table.hosts.length,
      routes: routeIndex.size,
      unavailableRoutes: unavailable,
      backends,
      pods: records.length,
      notReadyPods: notReady,
      podsWithIssues,
      issues: table.issues.length,
    },
    owners,
    routes,
    pods,
    page: {
      offset: selection.offset,
      limit: selection.limit,
      routes: matchedRoutes.length,
      pods: matchedPods.length,
      owners: holds.length,
      truncated,
    },
  };
}

function routeStatus(state: RoutingState, policy: OwnershipPolicy, route: Route): RouteStatus {
  const owner = routeOwner(state, policy, route);
  return {
    host: route.host,
    path: route.path,
    namespace: owner === null ? null : safeNamespace(owner),
    backends: route.backends.map((b) => ({
      namespace: safeNamespace(b.namespace),
      pod: safeName(b.name),
      address: b.address,
    })),
    notReady: route.waiting.map((w) => {
      const record = state.pods.get(`${w.namespace}/${w.name}`);
      return {
        namespace: safeNamespace(w.namespace),
        pod: safeName(w.name),
        reasons: record === undefined ? [] : waitingReasons(record),
      };
    }),
    unavailable: route.backends.length === 0,
  };
}

function podStatus(
  record: PodRecord,
  routeIndex: ReadonlyMap<string, Route>,
  issues: readonly IssueStatus[],
): PodStatus {
  const { pod } = record;
  const notReady = notReadyReasons(pod);
  const routes: PodRouteStatus[] = [];
  for (const host of record.hosts) {
    for (const entry of record.paths)
      routes.push({
        host,
        path: entry.path,
        port: entry.port,
        state: routeState(routeIndex.get(`${host} ${entry.path}`), record),
      });
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

function routeState(route: Route | undefined, record: PodRecord): PodRouteStatus['state'] {
  if (route === undefined) return 'refused';
  const { namespace, name } = record.pod;
  if (route.backends.some((b) => b.name === name && b.namespace === namespace)) return 'serving';
  return route.waiting.some((w) => w.name === name && w.namespace === namespace) ? 'not-ready' : 'refused';
}

function ownerStatus(key: string, hold: Hold, policy: OwnershipPolicy, wallClock: boolean): OwnerStatus {
  const space = key.indexOf(' ');
  const slash = hold.since.pod.indexOf('/');
  return {
    host: space === -1 ? key : key.slice(0, space),
    path: policy === 'route' && space !== -1 ? key.slice(space + 1) : null,
    namespace: safeNamespace(hold.namespace),
    pod: `${safeNamespace(hold.since.pod.slice(0, slash))}/${safeName(hold.since.pod.slice(slash + 1))}`,
    since: isoTime(hold.since.created),
    vacant: hold.vacantSince !== null,
    vacantSince: wallClock ? isoTime(hold.vacantSince) : null,
  };
}

/** Why a claiming pod does not serve: its readiness, or (ready but no address) an IP that is not one. */
function waitingReasons(record: PodRecord): string[] {
  const reasons = notReadyReasons(record.pod);
  return reasons.length > 0 ? reasons : ['status.podIP is not an IP address'];
}

// The same facts notReadyReasons reads, without building the list.
function canServe(record: PodRecord): boolean {
  const { pod } = record;
  return !pod.deleting && pod.phase === 'Running' && pod.ready && safeIp(pod.ip) !== null;
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

function routeOwner(state: RoutingState, policy: OwnershipPolicy, route: Route): string | null {
  return (
    state.holds.get(ownershipKey(policy, route.host, route.path))?.namespace ??
    route.backends[0]?.namespace ??
    route.waiting[0]?.namespace ??
    null
  );
}

function compareRecords(a: PodRecord, b: PodRecord): number {
  return compareStrings(a.pod.namespace, b.pod.namespace) || compareStrings(a.pod.name, b.pod.name);
}

// The search texts below are those of routeText, podText and ownerText in select-status.ts, from the model's values.
// Kept per record and route object: the state and the table reuse the objects of what did not change, so a search
// after a window that changed a few pods reads the texts of a few.
const podTexts = new WeakMap<PodRecord, string>();
const routeTexts = new WeakMap<Route, { owner: string | null; text: string }>();

function routeSearchText(route: Route, owner: string | null): string {
  const known = routeTexts.get(route);
  if (known !== undefined && known.owner === owner) return known.text;
  const pods = [...route.backends, ...route.waiting].map(
    (pod) => `${safeNamespace(pod.namespace)}/${safeName(pod.name)}`,
  );
  const text =
    `${route.host}${route.path} ${owner === null ? '' : safeNamespace(owner)} ${pods.join(' ')}`.toLowerCase();
  routeTexts.set(route, { owner, text });
  return text;
}

function podSearchText(record: PodRecord): string {
  const known = podTexts.get(record);
  if (known !== undefined) return known;
  const routes = record.hosts
    .flatMap((host) => record.paths.map((entry) => `${host}${entry.path}`))
    .sort(compareStrings);
  const text = `${safeNamespace(record.pod.namespace)}/${safeName(record.pod.name)} ${routes.join(' ')}`.toLowerCase();
  podTexts.set(record, text);
  return text;
}

function ownerSearchText(key: string, hold: Hold): string {
  const slash = hold.since.pod.indexOf('/');
  return `${key.replace(' ', '')} ${safeNamespace(hold.namespace)} ${safeNamespace(hold.since.pod.slice(0, slash))}/${safeName(hold.since.pod.slice(slash + 1))}`.toLowerCase();
}

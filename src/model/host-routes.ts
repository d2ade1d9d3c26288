// One host's routes, built from the records claiming it: the rule of which claims are refused and how routes merge.
import { compareStrings, type Issue, type IssueCode } from './issue.js';
import { coveringHold, ownershipKey, type OwnershipPolicy, type WildcardHolds } from './ownership.js';
import type { PodRecord } from './pod-record.js';
import type { Backend, HostRoutes, PodRef } from './routing-table.js';
import type { RoutingState } from './routing-state.js';

interface MutableRoute {
  host: string;
  path: string;
  location: string;
  backends: Backend[];
  waiting: PodRef[];
}

/** Builds one host's routes from the records claiming it, refusing claims its owner (or a wildcard above) forbids. */
export function hostRoutes(
  state: RoutingState,
  wildcards: WildcardHolds,
  policy: OwnershipPolicy,
  host: string,
  records: readonly PodRecord[],
): { routes: HostRoutes | null; issues: Issue[] } {
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

import type { OwnerStatus, PodStatus, RouteStatus } from './status-report.js';

/** Which part of the status to show: a case-insensitive search by host, path or pod, and a page of each list. */
export interface StatusSelection {
  /** Words that must all occur in a host+path, namespace or pod name (case-insensitive); empty: everything. */
  readonly query: string;
  /** The same offset and limit apply to routes, pods and owners. */
  readonly offset: number;
  /** null: no limit. */
  readonly limit: number | null;
}

/** Shows everything. */
export const SHOW_ALL: StatusSelection = { query: '', offset: 0, limit: null };

/** Returns a test of a search text against the query's words, or null when the query is empty (everything matches). */
export function matcher(query: string): ((text: string) => boolean) | null {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
  return words.length === 0 ? null : (text) => words.every((word) => text.includes(word));
}

/** Returns the lower-cased text a route is searched by: host and path, the owner, and every pod on it. */
export function routeText(route: RouteStatus): string {
  const pods = [...route.backends, ...route.notReady].map((pod) => `${pod.namespace}/${pod.pod}`);
  return `${route.host}${route.path} ${route.namespace ?? ''} ${pods.join(' ')}`.toLowerCase();
}

/** Returns the lower-cased text a pod is searched by: namespace/name and the routes it asked for. */
export function podText(pod: PodStatus): string {
  return `${pod.namespace}/${pod.name} ${pod.routes.map((route) => `${route.host}${route.path}`).join(' ')}`.toLowerCase();
}

/** Returns the lower-cased text an owner is searched by: host (and path), namespace and oldest pod. */
export function ownerText(owner: OwnerStatus): string {
  return `${owner.host}${owner.path ?? ''} ${owner.namespace} ${owner.pod}`.toLowerCase();
}

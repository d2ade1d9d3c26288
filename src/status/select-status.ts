import type { OwnerStatus, PodStatus, RouteStatus, StatusReport } from './status-report.js';

/** Which part of the status to show: a case-insensitive search by host, path or pod, and a page of each list. */
export interface StatusSelection {
  /** Words that must all occur in a host+path, namespace or pod name (case-insensitive); empty: everything. */
  readonly query: string;
  readonly offset: number;
  /** null: no limit. */
  readonly limit: number | null;
}

/** Shows everything. */
export const SHOW_ALL: StatusSelection = { query: '', offset: 0, limit: null };

/**
 * Returns the report with each list filtered by the search and cut to the page (the same offset and limit for
 * routes, pods and owners), and `page` saying how many matched and whether some are not shown. The summary keeps
 * the totals of the whole state.
 */
export function selectStatus(report: StatusReport, selection: StatusSelection): StatusReport {
  const words = selection.query.toLowerCase().split(/\s+/).filter((word) => word !== '');
  const matches = (text: string): boolean => words.every((word) => text.includes(word));
  const routes = words.length === 0 ? report.routes : report.routes.filter((route) => matches(routeText(route)));
  const pods = words.length === 0 ? report.pods : report.pods.filter((pod) => matches(podText(pod)));
  const owners = words.length === 0 ? report.owners : report.owners.filter((owner) => matches(ownerText(owner)));
  const { offset, limit } = selection;
  const cut = <T>(list: readonly T[]): readonly T[] => (offset === 0 && (limit === null || list.length <= limit) ? list : list.slice(offset, limit === null ? undefined : offset + limit));
  const shown = { routes: cut(routes), pods: cut(pods), owners: cut(owners) };
  const truncated = shown.routes.length < routes.length || shown.pods.length < pods.length || shown.owners.length < owners.length;
  return {
    ...report,
    ...shown,
    page: { offset, limit, routes: routes.length, pods: pods.length, owners: owners.length, truncated },
  };
}

/** Returns the lower-cased text a route is searched by: host and path, and every pod on it. */
export function routeText(route: RouteStatus): string {
  const pods = [...route.backends, ...route.notReady].map((pod) => `${pod.namespace}/${pod.pod}`);
  return `${route.host}${route.path} ${route.namespace ?? ''} ${pods.join(' ')}`.toLowerCase();
}

/** Returns the lower-cased text a pod is searched by: namespace/name and the hosts it asked for. */
export function podText(pod: PodStatus): string {
  return `${pod.namespace}/${pod.name} ${pod.routes.map((route) => `${route.host}${route.path}`).join(' ')}`.toLowerCase();
}

function ownerText(owner: OwnerStatus): string {
  return `${owner.host}${owner.path ?? ''} ${owner.namespace} ${owner.pod}`.toLowerCase();
}

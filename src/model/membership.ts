// The membership product (see README "Backends without reloads"): for each route, its ready pods, apart from the
// structure (nginx.conf). A window that changes only membership changes no byte of nginx.conf in dynamic mode.
import type { HostRoutes, Route, RoutingTable } from './routing-table.js';
import { routeBase, uniqueName } from './route-id.js';

/**
 * One route's members: its id (the upstream name scheme), where it is served (the route's host and canonical path),
 * its ready pods (sorted; none: the route answers 503) and the claiming pods that cannot serve now (shown only).
 */
export interface RouteMembers extends Pick<Route, 'host' | 'path' | 'backends' | 'waiting'> {
  readonly id: string;
}

/** Every route's members, in the table's order (hosts, then paths, sorted). */
export interface Membership {
  readonly routes: readonly RouteMembers[];
}

/** A membership with no route. */
export const EMPTY_MEMBERSHIP: Membership = { routes: [] };

/** What one host contributed last time, so an unchanged host keeps its very objects. */
interface HostMembers {
  readonly bases: readonly string[];
  readonly routes: readonly RouteMembers[];
}

/** Members of hosts from earlier builds, keyed by the table's host objects. */
type MembershipCache = WeakMap<HostRoutes, HostMembers>;

/** Builds memberships one table after another: an unchanged host keeps its (never mutated) route objects. */
export class MembershipBuilder {
  private readonly hosts: MembershipCache = new WeakMap();

  /** Builds the membership of `table`, as `buildMembership` does. */
  build(table: RoutingTable): Membership {
    return membershipOf(table, this.hosts);
  }
}

/**
 * Builds the membership of a routing table: every route gets an id (`microservice` + FNV-1a-32 of host + path, made
 * unique in table order), whatever its pod count, so the id depends only on the structure.
 */
export function buildMembership(table: RoutingTable): Membership {
  return new MembershipBuilder().build(table);
}

function membershipOf(table: RoutingTable, cache: MembershipCache): Membership {
  const taken = new Set<string>();
  const routes: RouteMembers[] = [];
  for (const host of table.hosts) {
    let kept = cache.get(host);
    const bases = kept?.bases ?? host.routes.map(routeBase);
    const ids = bases.map((base) => uniqueName(base, taken));
    if (kept === undefined || ids.some((id, i) => id !== kept!.routes[i]!.id)) {
      kept = {
        bases,
        routes: host.routes.map((route, i) => ({
          id: ids[i]!,
          host: route.host,
          path: route.path,
          backends: route.backends,
          waiting: route.waiting,
        })),
      };
      cache.set(host, kept);
    }
    for (const route of kept.routes) routes.push(route);
  }
  return { routes };
}

/** Tells whether two memberships route every id to the same addresses (pod names included). */
export function sameMembership(a: Membership, b: Membership): boolean {
  if (a === b) return true;
  if (a.routes.length !== b.routes.length) return false;
  return a.routes.every((route, i) => sameRoute(route, b.routes[i]!));
}

function sameRoute(a: RouteMembers, b: RouteMembers): boolean {
  if (a === b) return true;
  if (a.id !== b.id || a.host !== b.host || a.path !== b.path || a.backends.length !== b.backends.length) return false;
  if (
    a.waiting.length !== b.waiting.length ||
    a.waiting.some((w, i) => w.name !== b.waiting[i]!.name || w.namespace !== b.waiting[i]!.namespace)
  )
    return false;
  return a.backends.every((x, i) => {
    const y = b.backends[i]!;
    return x.address === y.address && x.name === y.name && x.namespace === y.namespace;
  });
}

/**
 * Returns the routes of both memberships: a route in `next` as `next` has it, a route only in `previous` as it was.
 * Pushed before a reload, so workers of the old config and of the new one both find their routes' members.
 */
export function unionMembership(previous: Membership, next: Membership): Membership {
  const ids = new Set(next.routes.map((route) => route.id));
  const gone = previous.routes.filter((route) => !ids.has(route.id));
  if (gone.length === 0) return next;
  return { routes: [...next.routes, ...gone].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/** Counts the backend entries (pod x route) of a membership. */
export function memberCount(membership: Membership): number {
  let count = 0;
  for (const route of membership.routes) count += route.backends.length;
  return count;
}

// The membership product (see README "Backends without reloads"): for each route, its ready pods, apart from the
// structure (nginx.conf). A window that changes only membership changes no byte of nginx.conf in dynamic mode.
import type { HostRoutes, Route, RoutingTable } from './routing-table.js';
import { alignHosts, carriedHosts } from './host-list.js';
import { membersBodyBytesOf, membersLineBytes } from './members-text.js';
import { BaseCounts, routeBase, uniqueName } from './route-id.js';

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

/** What one host contributed to the last membership: the ids' bases, its (never mutated) routes, their lines' bytes. */
interface HostMembers {
  readonly bases: readonly string[];
  readonly routes: readonly RouteMembers[];
  /** Bytes of the host's lines in the pushed body, newlines included. */
  readonly bytes: number;
}

/** The last build: its hosts, what each contributed, and where each host's routes start in `routes`. */
interface LastMembers {
  readonly hosts: readonly HostRoutes[];
  readonly slots: readonly HostMembers[];
  readonly routes: readonly RouteMembers[];
  /** Host j's routes are `routes[starts[j]]` up to `routes[starts[j + 1]]`. */
  readonly starts: Int32Array;
}

const NOTHING_BUILT: LastMembers = { hosts: [], slots: [], routes: [], starts: new Int32Array(1) };

/**
 * Builds memberships one table after another: a host the table kept keeps its route objects, found by walking the
 * new table's hosts beside the last ones (alignHosts). The routes of kept hosts are copied from the last membership
 * without reading the hosts themselves (at 16k hosts, a pass that reads every host object misses the cache at each),
 * and ids are made unique again only when a base shared by two routes came or went (BaseCounts). Each membership is
 * what `buildMembership` gives.
 */
export class MembershipBuilder {
  private last = NOTHING_BUILT;
  private readonly counts = new BaseCounts();
  private lineBytes = 0;

  /** Builds the membership of `table`, as `buildMembership` does. */
  build(table: RoutingTable): Membership {
    const last = this.last;
    const alignment = alignHosts(last.hosts, table.hosts);
    // A host rebuilt with the same paths (its pods changed) keeps its bases, and their counts stand.
    const carried = carriedHosts(alignment, last.hosts, table.hosts);
    for (const j of alignment.dropped) {
      if (!carried.from.has(j)) this.counts.remove(last.slots[j]!.bases);
      this.lineBytes -= last.slots[j]!.bytes;
    }
    const fresh = new Map<number, readonly string[]>();
    for (let i = alignment.kept.indexOf(-1); i !== -1; i = alignment.kept.indexOf(-1, i + 1)) {
      const r = carried.to.get(i);
      if (r !== undefined) {
        fresh.set(i, last.slots[r]!.bases);
        continue;
      }
      const bases = table.hosts[i]!.routes.map(routeBase);
      this.counts.add(bases);
      fresh.set(i, bases);
    }
    // Ids of kept hosts still hold unless a shared base came or went: then every id is made unique again, in order.
    const taken = this.counts.takeShared() ? new Set<string>() : null;
    const routes: RouteMembers[] = [];
    const starts = new Int32Array(table.hosts.length + 1);
    const slots = table.hosts.map((host, i) => {
      starts[i] = routes.length;
      const j = alignment.kept[i]!;
      if (j !== -1 && taken === null) {
        for (let k = last.starts[j]!; k < last.starts[j + 1]!; k++) routes.push(last.routes[k]!);
        return last.slots[j]!;
      }
      const kept = j === -1 ? null : last.slots[j]!;
      const bases = fresh.get(i) ?? kept!.bases;
      // Unless ids are made unique again, a carried host's ids hold, as a kept host's do.
      const r = carried.to.get(i);
      const ids =
        taken !== null
          ? bases.map((base) => uniqueName(base, taken))
          : r === undefined
            ? bases
            : last.slots[r]!.routes.map((route) => route.id);
      let slot = kept;
      if (slot === null || ids.some((id, k) => id !== slot!.routes[k]!.id)) {
        if (slot !== null) this.lineBytes -= slot.bytes;
        slot = hostMembers(host, bases, ids);
        this.lineBytes += slot.bytes;
      }
      for (const route of slot.routes) routes.push(route);
      return slot;
    });
    starts[table.hosts.length] = routes.length;
    this.last = { hosts: table.hosts, slots, routes, starts };
    return { routes };
  }

  /** The size in bytes of the last membership's pushed body for versions of `digits` digits (membersBodyBytes). */
  bodyBytes(digits: number): number {
    return membersBodyBytesOf(this.lineBytes, digits);
  }
}

function hostMembers(host: HostRoutes, bases: readonly string[], ids: readonly string[]): HostMembers {
  const routes = host.routes.map((route, k) => ({
    id: ids[k]!,
    host: route.host,
    path: route.path,
    backends: route.backends,
    waiting: route.waiting,
  }));
  return { bases, routes, bytes: membersLineBytes(routes) };
}

/**
 * Builds the membership of a routing table: every route gets an id (`microservice` + FNV-1a-32 of host + path, made
 * unique in table order), whatever its pod count, so the id depends only on the structure.
 */
export function buildMembership(table: RoutingTable): Membership {
  return new MembershipBuilder().build(table);
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

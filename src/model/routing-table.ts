import { hostRoutes } from './host-routes.js';
import { compareIssues, compareStrings, type Issue } from './issue.js';
import { wildcardHolds, type Hold, type OwnershipPolicy, type WildcardHolds } from './ownership.js';
import { diffMaps, PersistentMap } from './persistent-map.js';
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

/** Builds routing tables for one state after another, redoing only what changed since the previous state. */
export interface RoutingTableBuilder {
  /**
   * Returns the table of `state`. Hosts whose claiming pods and deciding holds did not change keep their very objects
   * from the previous table (never mutated once returned), so the view and the renderer downstream reuse their work.
   */
  build(state: RoutingState): RoutingTable;
}

/** Returns a builder of routing tables under one ownership policy; what it remembers between builds stays inside. */
export function routingTableBuilder(policy: OwnershipPolicy): RoutingTableBuilder {
  const table = new IncrementalTable(policy);
  return { build: (state) => table.build(state) };
}

/** Builds the routing table from the state: hosts x paths per pod, merged across pods, owners enforced, sorted. */
export function buildRoutingTable(state: RoutingState, policy: OwnershipPolicy): RoutingTable {
  return routingTableBuilder(policy).build(state);
}

/** One host's routes and the claims refused on it, as last built. */
interface HostEntry {
  readonly routes: HostRoutes | null;
  readonly issues: readonly Issue[];
}

/**
 * What the last build saw and made. The state's maps are compared with the last ones seen (published maps are
 * never mutated; persistent ones are compared by skipping the subtrees they share), so a window costs what it changed.
 */
class IncrementalTable {
  private pods: ReadonlyMap<string, PodRecord> = PersistentMap.empty();
  private holds: ReadonlyMap<string, Hold> = PersistentMap.empty();
  /** host -> pod key -> record claiming it. */
  private readonly claimants = new Map<string, Map<string, PodRecord>>();
  /** pod key -> the record's own issues, for records that have some. */
  private readonly recordIssues = new Map<string, readonly Issue[]>();
  private readonly hosts = new Map<string, HostEntry>();
  /** Hosts in order; null when a host came or went. */
  private sorted: readonly string[] | null = null;
  private last: RoutingTable | null = null;
  private dirty = new Set<string>();
  private issuesChanged = true;
  private wildcards: WildcardHolds | null = null;

  constructor(private readonly policy: OwnershipPolicy) {}

  build(state: RoutingState): RoutingTable {
    const dirty = (this.dirty = new Set());
    if (state.pods !== this.pods) diffMaps(this.pods, state.pods, (key, was, is) => this.repoint(key, was, is));
    if (state.holds !== this.holds) diffMaps(this.holds, state.holds, (key) => this.holdChanged(key));
    this.pods = state.pods;
    this.holds = state.holds;
    if (dirty.size === 0 && !this.issuesChanged && this.last !== null) return this.last;
    // Holds on wildcards are collected again only when one of them changed, not on every build.
    const wildcards = (this.wildcards ??= wildcardHolds(state.holds));
    let reshaped = this.last === null;
    for (const host of dirty) {
      const claimants = this.claimants.get(host);
      const before = this.hosts.get(host);
      if (claimants === undefined) {
        if (this.hosts.delete(host)) this.sorted = null;
        if (before !== undefined) reshaped = true;
        if (before !== undefined && before.issues.length > 0) this.issuesChanged = true;
        continue;
      }
      if (before === undefined) this.sorted = null;
      const entry = hostRoutes(state, wildcards, this.policy, host, [...claimants.values()]);
      if (before === undefined || (before.routes === null) !== (entry.routes === null)) reshaped = true;
      if ((before?.issues.length ?? 0) > 0 || entry.issues.length > 0) this.issuesChanged = true;
      this.hosts.set(host, entry);
    }
    this.sorted ??= [...this.hosts.keys()].sort(compareStrings);
    const hosts = reshaped ? this.hostList() : this.patched(dirty);
    const issues = this.issuesChanged || this.last === null ? this.issueList() : this.last.issues;
    this.issuesChanged = false;
    return (this.last = { hosts, issues });
  }

  /** Lists the hosts with routes, in order. */
  private hostList(): HostRoutes[] {
    const hosts: HostRoutes[] = [];
    for (const host of this.sorted!) {
      const routes = this.hosts.get(host)!.routes;
      if (routes !== null) hosts.push(routes);
    }
    return hosts;
  }

  /** The last list with the dirty hosts replaced: no host came, went or lost all its routes, so positions hold. */
  private patched(dirty: ReadonlySet<string>): HostRoutes[] {
    const hosts = this.last!.hosts.slice();
    for (const host of dirty) {
      const routes = this.hosts.get(host)?.routes;
      if (routes != null) hosts[positionOf(hosts, host)] = routes;
    }
    return hosts;
  }

  /** Collects every issue, sorted: only when some changed. */
  private issueList(): Issue[] {
    const issues: Issue[] = [];
    for (const list of this.recordIssues.values()) for (const issue of list) issues.push(issue);
    for (const host of this.sorted!) for (const issue of this.hosts.get(host)!.issues) issues.push(issue);
    return issues.sort(compareIssues);
  }

  /** Moves a pod's claims from its old record to its new one, marking their hosts (old and new) dirty. */
  private repoint(key: string, was: PodRecord | undefined, is: PodRecord | undefined): void {
    if (was !== undefined) {
      if (this.recordIssues.delete(key)) this.issuesChanged = true;
      for (const host of was.hosts) {
        this.dirty.add(host);
        const claimants = this.claimants.get(host);
        claimants?.delete(key);
        if (claimants?.size === 0) this.claimants.delete(host);
      }
    }
    if (is === undefined) return;
    if (is.issues.length > 0) {
      this.recordIssues.set(key, is.issues);
      this.issuesChanged = true;
    }
    for (const host of is.hosts) {
      this.dirty.add(host);
      let claimants = this.claimants.get(host);
      if (claimants === undefined) this.claimants.set(host, (claimants = new Map()));
      claimants.set(key, is);
    }
  }

  /** Marks dirty the host a changed hold decides; a changed wildcard hold marks every host (it may cover any). */
  private holdChanged(key: string): void {
    const space = key.indexOf(' ');
    const host = space === -1 ? key : key.slice(0, space);
    if (host.startsWith('*.')) {
      this.wildcards = null;
      for (const any of this.claimants.keys()) this.dirty.add(any);
    }
    this.dirty.add(host);
  }
}

/** Finds a host's position in a list sorted by host (binary search). */
function positionOf(hosts: readonly HostRoutes[], host: string): number {
  let low = 0;
  let high = hosts.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareStrings(hosts[middle]!.host, host) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

import { hostRoutes } from './host-routes.js';
import { compareIssues, compareStrings, type Issue } from './issue.js';
import { wildcardHolds, type Hold, type OwnershipPolicy } from './ownership.js';
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

  constructor(private readonly policy: OwnershipPolicy) {}

  build(state: RoutingState): RoutingTable {
    const dirty = (this.dirty = new Set());
    if (state.pods !== this.pods) diffMaps(this.pods, state.pods, (key, was, is) => this.repoint(key, was, is));
    if (state.holds !== this.holds) diffMaps(this.holds, state.holds, (key) => this.holdChanged(key));
    this.pods = state.pods;
    this.holds = state.holds;
    if (dirty.size === 0 && !this.issuesChanged && this.last !== null) return this.last;
    const wildcards = wildcardHolds(state.holds);
    for (const host of dirty) {
      const claimants = this.claimants.get(host);
      if (claimants === undefined) {
        if (this.hosts.delete(host)) this.sorted = null;
        continue;
      }
      if (!this.hosts.has(host)) this.sorted = null;
      this.hosts.set(host, hostRoutes(state, wildcards, this.policy, host, [...claimants.values()]));
    }
    this.sorted ??= [...this.hosts.keys()].sort(compareStrings);
    const hosts: HostRoutes[] = [];
    const issues: Issue[] = [];
    for (const list of this.recordIssues.values()) for (const issue of list) issues.push(issue);
    for (const host of this.sorted) {
      const entry = this.hosts.get(host)!;
      if (entry.routes !== null) hosts.push(entry.routes);
      for (const issue of entry.issues) issues.push(issue);
    }
    this.issuesChanged = false;
    return (this.last = { hosts, issues: issues.sort(compareIssues) });
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
    if (host.startsWith('*.')) for (const any of this.claimants.keys()) this.dirty.add(any);
    this.dirty.add(host);
  }
}

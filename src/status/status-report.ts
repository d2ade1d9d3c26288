// The stable JSON format of /status and `replay --status` (format 1). Fields are only ever added; a change that
// removes or redefines one raises `format`. Every string that came from a pod is safe to print: names that are not
// valid Kubernetes names and unexpected phases are JSON-quoted with non-ASCII written as \uXXXX, annotation values
// appear only inside the Issue messages, which quote them the same way.

/** The version of the format below. */
export const STATUS_FORMAT = 1;

/** What the sink reports about the config in force (live), or about the last config (replay). */
export interface AppliedFacts {
  /** sha256 of the config in force, hex; null before the first. */
  readonly hash: string | null;
  /** When it was put in force, RFC 3339; null before the first and in replay (virtual time). */
  readonly appliedAt: string | null;
  /** Distinct configs put in force since start (replay: distinct configs rendered). */
  readonly configs: number;
  /** Successful nginx reloads since start; null without the nginx sink and in replay. */
  readonly reloads: number | null;
  /** Membership snapshots pushed to nginx since start; null while no membership channel reports. */
  readonly pushes: number | null;
  /** The last config that failed to go in force, when no config has succeeded since. */
  readonly failed: { readonly hash: string; readonly at: string | null; readonly stage: string } | null;
}

/** A pod named in a route. */
export interface PodName {
  readonly namespace: string;
  readonly pod: string;
}

/** A pod serving a route. */
export interface BackendStatus extends PodName {
  /** `IP:PORT`, IPv6 bracketed. */
  readonly address: string;
}

/** A pod that claims a route but cannot serve it now, and why. */
export interface WaitingStatus extends PodName {
  readonly reasons: readonly string[];
}

/** Who owns a host (policy `host`) or a route (policy `route`), and since when. */
export interface OwnerStatus {
  readonly host: string;
  /** The path under policy `route`; null under policy `host`. */
  readonly path: string | null;
  readonly namespace: string;
  /** `namespace/name` of the oldest claiming pod: the claim's age is its age. */
  readonly pod: string;
  /** That pod's creationTimestamp, RFC 3339; null when it had none. */
  readonly since: string | null;
  /** The owner has no claiming pod left: it keeps the host for the grace period, and nobody serves it meanwhile. */
  readonly vacant: boolean;
  /** When its last claiming pod went away, RFC 3339; null while it has one, and in replay (virtual time). */
  readonly vacantSince: string | null;
}

/** One (host, path) in force. */
export interface RouteStatus {
  readonly host: string;
  readonly path: string;
  /** The owning namespace. */
  readonly namespace: string | null;
  readonly backends: readonly BackendStatus[];
  readonly notReady: readonly WaitingStatus[];
  /** No ready pod: nginx answers 503. */
  readonly unavailable: boolean;
}

/** One route a pod asked for, and what became of it. */
export interface PodRouteStatus {
  readonly host: string;
  readonly path: string;
  readonly port: number;
  /** serving: the pod is a backend; not-ready: the route exists, the pod waits; refused: the claim was refused. */
  readonly state: 'serving' | 'not-ready' | 'refused';
}

/** A problem with a pod's routing annotations or claims. */
export interface IssueStatus {
  readonly code: string;
  readonly message: string;
}

/** One pod the selector matched. */
export interface PodStatus {
  readonly namespace: string;
  readonly name: string;
  /** creationTimestamp, RFC 3339; null when absent. */
  readonly created: string | null;
  readonly phase: string;
  /** The pod IP when it is one; null otherwise. */
  readonly ip: string | null;
  /** Could serve traffic: Running, Ready=True, a pod IP, not terminating. */
  readonly ready: boolean;
  /** Why not ready (empty when ready). */
  readonly notReady: readonly string[];
  readonly routes: readonly PodRouteStatus[];
  readonly issues: readonly IssueStatus[];
}

/** Totals over the whole state, whatever the page shows. */
export interface StatusSummary {
  readonly hosts: number;
  readonly routes: number;
  readonly unavailableRoutes: number;
  readonly backends: number;
  readonly pods: number;
  readonly notReadyPods: number;
  readonly podsWithIssues: number;
  readonly issues: number;
}

/** Which part of the lists is shown: all of them (replay) or a page (the admin port caps them). */
export interface StatusPage {
  readonly offset: number;
  /** null: no limit. */
  readonly limit: number | null;
  /** Entries matching the search, before paging. */
  readonly routes: number;
  readonly pods: number;
  readonly owners: number;
  /** Some matching entries are not shown. */
  readonly truncated: boolean;
}

/** The whole status document. */
export interface StatusReport {
  readonly format: typeof STATUS_FORMAT;
  readonly ownership: 'host' | 'route';
  readonly config: AppliedFacts;
  readonly summary: StatusSummary;
  /** Sorted by host, then path. */
  readonly owners: readonly OwnerStatus[];
  /** Sorted by host, then path. */
  readonly routes: readonly RouteStatus[];
  /** Sorted by namespace, then name. */
  readonly pods: readonly PodStatus[];
  readonly page: StatusPage;
}

import { fnv1a32 } from './fnv.js';
import type { Backend, HostRoutes, PodRef, Route, RoutingTable } from './routing-table.js';

/** A pod named in a `# Pod NAME (NAMESPACE)` comment. */
export interface PodView {
  readonly pod: string;
  readonly namespace: string;
}

/** One `server IP:PORT;` line of an upstream, or the target of a direct `proxy_pass`. */
export interface UpstreamServerView extends PodView {
  readonly address: string;
}

/** An `upstream` block, for a route served by two or more pods. */
export interface UpstreamView {
  readonly name: string;
  readonly servers: readonly UpstreamServerView[];
}

/** A `location` block. Exactly one of `upstream`, `direct` or `unavailable` is set. */
export interface LocationView {
  /** `location = PATH` (true) or `location PATH` (false). */
  readonly exact: boolean;
  readonly path: string;
  readonly upstream: string | null;
  readonly direct: UpstreamServerView | null;
  readonly unavailable: boolean;
  /** Pods that claim the route but cannot serve it (comments on a 503 location). */
  readonly waiting: readonly PodView[];
}

/** A `server` block for one host. */
export interface ServerView {
  readonly host: string;
  readonly locations: readonly LocationView[];
}

/** Everything the template reads; every string in it is checked against an allow-list before rendering. */
export interface ConfigView {
  readonly port: number;
  /** `worker_processes`: `auto` or a count. */
  readonly workerProcesses: number | 'auto';
  readonly serverNamesHashBucketSize: number;
  readonly serverNamesHashMaxSize: number;
  readonly upstreams: readonly UpstreamView[];
  readonly servers: readonly ServerView[];
}

/** What the view needs besides the table. */
export interface ViewOptions {
  /** The port every server listens on. */
  readonly port: number;
  /** nginx worker processes (default `auto`). */
  readonly workerProcesses?: number | 'auto';
}

/** What one host contributed to the last view, so an unchanged host keeps its very objects. */
interface HostView {
  /** Per route: `microservice` + hash when it needs an upstream, else null; computed once per host object. */
  readonly bases: readonly (string | null)[];
  /** The names given, after collisions were made unique. */
  readonly names: readonly (string | null)[];
  readonly server: ServerView;
  readonly upstreams: readonly UpstreamView[];
}

/** Builds views of one table after another, reusing what unchanged hosts contributed to the previous view. */
export interface ViewBuilder {
  /** Returns the view of `table`; a host object the table reuses keeps its server and upstream objects. */
  build(table: RoutingTable, options: ViewOptions): ConfigView;
}

/** Returns a view builder; the views of earlier hosts it remembers (by the table's host objects) stay inside. */
export function viewBuilder(): ViewBuilder {
  const views = new IncrementalView();
  return { build: (table, options) => views.build(table, options) };
}

/**
 * Builds the template's view of a routing table: upstream names `microservice` + FNV-1a-32 of host + path (made
 * unique on collision), `location = /p` plus `location /p/` so `/pfoo` is not routed, hash sizes fitted to the hosts.
 */
export function buildView(table: RoutingTable, options: ViewOptions): ConfigView {
  return viewOf(table, options, new WeakMap());
}

/**
 * The view of one table after another. A host at the same place as in the last table is the same host (the table
 * reuses unchanged hosts' objects), so it keeps its view with no lookup. Upstream names depend on every host only when
 * two routes' names collide: while no base name has two users, a name is its base and only new hosts are named;
 * otherwise (and in the window after) every host is named again in order, as a fresh build does.
 */
class IncrementalView {
  private readonly cache = new WeakMap<HostRoutes, HostView>();
  private hosts: readonly HostRoutes[] = [];
  private views: HostView[] = [];
  /** Base name -> routes using it, over the last table; `collisions` counts bases used more than once. */
  private readonly uses = new Map<string, number>();
  private collisions = 0;
  /** Host name length -> hosts that long, for the bucket size without a pass over every host. */
  private readonly lengths = new Map<number, number>();
  private namedAll = true;

  build(table: RoutingTable, options: ViewOptions): ConfigView {
    const views = new Array<HostView | undefined>(table.hosts.length);
    const moved: number[] = [];
    for (let i = 0; i < table.hosts.length; i++) {
      if (table.hosts[i] === this.hosts[i]) views[i] = this.views[i];
      else moved.push(i);
    }
    // Only replaced hosts at unchanged positions: the hosts that left are the old ones at those positions.
    const replaced = table.hosts.length === this.hosts.length && moved.every((i) => !this.cache.has(table.hosts[i]!));
    if (replaced) for (const i of moved) this.count(this.views[i]!, this.hosts[i]!, -1);
    const fresh = (host: HostRoutes): HostView => this.cache.get(host) ?? hostView(host, basesOf(host), basesOf(host));
    for (const i of moved) views[i] = fresh(table.hosts[i]!);
    if (!replaced) {
      this.uses.clear();
      this.lengths.clear();
      this.collisions = 0;
      for (let i = 0; i < views.length; i++) this.count(views[i]!, table.hosts[i]!, 1);
    } else {
      for (const i of moved) this.count(views[i]!, table.hosts[i]!, 1);
    }
    const nameAll = this.collisions > 0 || this.namedAll;
    this.namedAll = this.collisions > 0;
    if (nameAll) return this.remember(table, viewOf(table, options, this.cache), views);
    for (const i of moved) {
      const view = views[i]!;
      if (view.names.some((name, r) => name !== view.bases[r])) views[i] = hostView(table.hosts[i]!, view.bases, view.bases);
      this.cache.set(table.hosts[i]!, views[i]!);
    }
    const servers: ServerView[] = [];
    const upstreams: UpstreamView[] = [];
    for (const view of views) {
      servers.push(view!.server);
      for (const upstream of view!.upstreams) upstreams.push(upstream);
    }
    this.hosts = table.hosts;
    this.views = views as HostView[];
    return configView(options, this.longest(), table.hosts.length, upstreams, servers);
  }

  private remember(table: RoutingTable, view: ConfigView, views: (HostView | undefined)[]): ConfigView {
    for (let i = 0; i < table.hosts.length; i++) views[i] = this.cache.get(table.hosts[i]!);
    this.hosts = table.hosts;
    this.views = views as HostView[];
    return view;
  }

  private count(view: HostView, host: HostRoutes, step: 1 | -1): void {
    for (const base of view.bases) {
      if (base === null) continue;
      const before = this.uses.get(base) ?? 0;
      const after = before + step;
      if (after === 0) this.uses.delete(base);
      else this.uses.set(base, after);
      if (before < 2 && after >= 2) this.collisions++;
      if (before >= 2 && after < 2) this.collisions--;
    }
    const n = (this.lengths.get(host.host.length) ?? 0) + step;
    if (n === 0) this.lengths.delete(host.host.length);
    else this.lengths.set(host.host.length, n);
  }

  private longest(): number {
    let longest = 0;
    for (const length of this.lengths.keys()) longest = Math.max(longest, length);
    return longest;
  }
}

function basesOf(host: HostRoutes): (string | null)[] {
  return host.routes.map((route) => (route.backends.length >= 2 ? `microservice${fnv1a32(route.host + route.path)}` : null));
}

function viewOf(table: RoutingTable, options: ViewOptions, cache: WeakMap<HostRoutes, HostView>): ConfigView {
  const taken = new Set<string>();
  const upstreams: UpstreamView[] = [];
  const servers: ServerView[] = [];
  let longest = 0;
  for (const host of table.hosts) {
    longest = Math.max(longest, host.host.length);
    let view = cache.get(host);
    const bases = view?.bases ?? basesOf(host);
    const names = namesOf(bases, view?.names, taken);
    if (view === undefined || names !== view.names) {
      view = hostView(host, bases, names);
      cache.set(host, view);
    }
    servers.push(view.server);
    for (const upstream of view.upstreams) upstreams.push(upstream);
  }
  return configView(options, longest, table.hosts.length, upstreams, servers);
}

function configView(options: ViewOptions, longest: number, hosts: number, upstreams: UpstreamView[], servers: ServerView[]): ConfigView {
  return {
    port: options.port,
    workerProcesses: options.workerProcesses ?? 'auto',
    serverNamesHashBucketSize: bucketSize(longest),
    serverNamesHashMaxSize: Math.max(512, nextPowerOfTwo(8 * hosts)),
    upstreams,
    servers,
  };
}

function hostView(host: HostRoutes, bases: readonly (string | null)[], names: readonly (string | null)[]): HostView {
  const upstreams: UpstreamView[] = [];
  const locationViews = host.routes.flatMap((route, index) => {
    const upstream = names[index] ?? null;
    if (upstream !== null) upstreams.push({ name: upstream, servers: route.backends.map(serverView) });
    return locations(route, upstream);
  });
  return { bases, names, server: { host: host.host, locations: locationViews }, upstreams };
}

function locations(route: Route, upstream: string | null): LocationView[] {
  const direct = upstream === null && route.backends.length === 1 ? serverView(route.backends[0]!) : null;
  const unavailable = route.backends.length === 0;
  const waiting = unavailable ? route.waiting.map(refView) : [];
  if (route.location === '/') return [{ exact: false, path: '/', upstream, direct, unavailable, waiting }];
  return [
    { exact: true, path: route.location, upstream, direct, unavailable, waiting },
    { exact: false, path: `${route.location}/`, upstream, direct, unavailable, waiting },
  ];
}

/** Names a host's upstreams in order; returns `previous` itself when every name is as before (no garbage per host). */
function namesOf(bases: readonly (string | null)[], previous: readonly (string | null)[] | undefined, taken: Set<string>): readonly (string | null)[] {
  let fresh: (string | null)[] | null = previous === undefined ? new Array<string | null>(bases.length).fill(null) : null;
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i];
    if (base === null || base === undefined) continue;
    const name = uniqueName(base, taken);
    if (fresh === null && name !== previous![i]) fresh = previous!.slice();
    if (fresh !== null) fresh[i] = name;
  }
  return fresh ?? previous!;
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

function serverView(backend: Backend): UpstreamServerView {
  return { address: backend.address, pod: backend.name, namespace: backend.namespace };
}

function refView(ref: PodRef): PodView {
  return { pod: ref.name, namespace: ref.namespace };
}

/**
 * Sizes `server_names_hash_bucket_size` so that a bucket holds four of the longest host (an element is pointer +
 * length + name, aligned to 8; a bucket ends with a pointer). Room for one alone (the default 64 fits one name of up
 * to ~46 characters) forces nginx to hunt for a collision-free table size: with thousands of hosts it gives up with
 * "could not build optimal server_names_hash" after trying every size up to the maximum, which made `nginx -t` on
 * a 50k-pod config take minutes. Together with a maximum of 8x the host count, the first sizes nginx tries fit.
 */
export function bucketSize(longestHost: number): number {
  const element = Math.ceil((8 + 2 + longestHost) / 8) * 8;
  return nextPowerOfTwo(4 * element + 8);
}

function nextPowerOfTwo(n: number): number {
  let power = 1;
  while (power < n) power *= 2;
  return power;
}

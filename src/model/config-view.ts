import { alignHosts, carriedHosts, NOTHING_CARRIED } from './host-list.js';
import { BaseCounts, routeBase, uniqueName } from './route-id.js';
import type { ServerTlsView } from './tls-view.js';
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

/** A `location` block. Exactly one of `route`, `upstream`, `direct` or `unavailable` is set. */
export interface LocationView {
  /** `location = PATH` (true) or `location PATH` (false). */
  readonly exact: boolean;
  readonly path: string;
  /**
   * Dynamic mode: the path as a regular expression (`.` written `[.]`), for `location ~ ^PATTERN(?:/|\z)`: the path
   * and its sub-paths in one block, where static mode needs `= PATH` and `PATH/` (`path` is then `PATH/`). (`\z`,
   * because `$` also matches before a final newline, a decoded `%0A`.) Null for a plain `location`.
   */
  readonly pattern: string | null;
  readonly upstream: string | null;
  readonly direct: UpstreamServerView | null;
  /** Dynamic mode: the route id the Lua balancer looks members up by (`set $k8s_route ID;`). */
  readonly route: string | null;
  readonly unavailable: boolean;
  /** Pods that claim the route but cannot serve it (comments on a 503 location). */
  readonly waiting: readonly PodView[];
}

/** One `listen` line: `ADDRESS:PORT` (IPv6 in brackets), and whether it is IPv6 (`ipv6only=on` on the default server). */
export interface ListenView {
  readonly address: string;
  readonly ipv6: boolean;
}

/** A `server` block for one host. */
export interface ServerView {
  readonly host: string;
  /** The same list as the view's `listeners` (kept here so a host's text can be reused from build to build). */
  readonly listen: readonly ListenView[];
  readonly locations: readonly LocationView[];
  /** HTTPS for this host (src/model/tls-view.ts), absent or null for plain HTTP only. */
  readonly tls?: ServerTlsView | null;
}

/** Everything the template reads; every string in it is checked against an allow-list before rendering. */
export interface ConfigView {
  readonly port: number;
  /** Where every server listens (the default server too, with the socket options). */
  readonly listeners: readonly ListenView[];
  /** `client_max_body_size`, an nginx size (`100m`, `0`: no limit). */
  readonly clientMaxBodySize: string;
  readonly proxyConnectTimeoutSeconds: number;
  readonly proxyReadTimeoutSeconds: number;
  readonly proxySendTimeoutSeconds: number;
  /** `worker_processes`: `auto` or a count. */
  readonly workerProcesses: number | 'auto';
  readonly serverNamesHashBucketSize: number;
  readonly serverNamesHashMaxSize: number;
  readonly upstreams: readonly UpstreamView[];
  readonly servers: readonly ServerView[];
  /** Dynamic mode's settings (Lua modules, members channel, shared memory), or null in static mode. */
  readonly dynamic: DynamicView | null;
}

/** The nginx side of dynamic mode: where the Lua modules are, the members socket, and sizes fitted to the data. */
export interface DynamicView {
  /** Directory of `ndk_http_module.so` and `ngx_http_lua_module.so`. */
  readonly modulesDir: string;
  /** Absolute path of the unix socket the controller pushes members to (nginx does not resolve it against -p). */
  readonly membersSocket: string;
  /** `lua_shared_dict` size in KiB: a power of two, at least 1 MiB and 4x the members body. */
  readonly sharedDictKb: number;
  /** Largest members body accepted, in KiB (half the shared dict: two snapshots fit while one replaces the other). */
  readonly membersBodyKb: number;
  /** Idle keep-alive connections to pods kept per worker. */
  readonly keepalive: number;
}

/** Dynamic mode's options; the shared dict is sized from `membersBytes`. */
export interface DynamicOptions {
  readonly modulesDir: string;
  readonly membersSocket: string;
  readonly keepalive: number;
  /** Size of the members body the controller will push, in bytes. */
  readonly membersBytes: number;
  /** Smallest shared dict, in KiB (default 1024). */
  readonly minSharedDictKb?: number;
}

/** What the view needs besides the table. */
export interface ViewOptions {
  /** The port every server listens on. */
  readonly port: number;
  /** nginx worker processes (default `auto`). */
  readonly workerProcesses?: number | 'auto';
  /** IP addresses nginx listens on (default `0.0.0.0`). */
  readonly listen?: readonly string[];
  /** `client_max_body_size` (default `100m`). */
  readonly clientMaxBodySize?: string;
  /** Proxy timeouts in seconds (defaults 5, 60, 60). */
  readonly proxyConnectTimeoutSeconds?: number;
  readonly proxyReadTimeoutSeconds?: number;
  readonly proxySendTimeoutSeconds?: number;
  /** Dynamic mode (members looked up by a Lua balancer); absent: static upstream blocks. */
  readonly dynamic?: DynamicOptions;
}

// One shared empty list for the many locations with no waiting pod.
const NONE: readonly never[] = Object.freeze([]);

/** The defaults of the optional view options, as the settings document them. */
export const VIEW_DEFAULTS = {
  listen: ['0.0.0.0'],
  clientMaxBodySize: '100m',
  proxyConnectTimeoutSeconds: 5,
  proxyReadTimeoutSeconds: 60,
  proxySendTimeoutSeconds: 60,
} as const;

/** Returns the `listen` lines for addresses and a port: IPv6 addresses in brackets. */
export function listenViews(addresses: readonly string[], port: number): ListenView[] {
  return addresses.map((address) => {
    const ipv6 = address.includes(':');
    return { address: `${ipv6 ? `[${address}]` : address}:${port}`, ipv6 };
  });
}

/** What one host contributed to the last view, so an unchanged host keeps its very objects. */
interface HostView {
  /** Per route: `microservice` + hash when it needs a name (an upstream, or any route when dynamic), else null. */
  readonly bases: readonly (string | null)[];
  /** The names given, after collisions were made unique. */
  readonly names: readonly (string | null)[];
  readonly server: ServerView;
  readonly upstreams: readonly UpstreamView[];
}

/** The last build: its hosts, what each contributed, and where each host's upstreams start in `upstreams`. */
interface LastView {
  readonly hosts: readonly HostRoutes[];
  readonly slots: readonly HostView[];
  readonly servers: readonly ServerView[];
  readonly upstreams: readonly UpstreamView[];
  /** Host j's upstreams are `upstreams[starts[j]]` up to `upstreams[starts[j + 1]]`. */
  readonly starts: Int32Array;
}

const NOTHING_VIEWED: LastView = { hosts: [], slots: [], servers: [], upstreams: [], starts: new Int32Array(1) };

/**
 * Builds views one table after another: a host the table kept keeps its objects from the previous build (never
 * mutated), found by walking the new table's hosts beside the last ones (alignHosts), so the renderer can reuse
 * their text. Kept hosts' servers and upstreams are copied from the last view without reading the hosts themselves,
 * and names are made unique again only when a base shared by two routes came or went (BaseCounts). Each view is
 * what `buildView` gives.
 */
export class ViewBuilder {
  private last = NOTHING_VIEWED;
  private readonly counts = new BaseCounts();
  /** How many hosts of the last view have each length (a few hundred at most): the longest without a pass. */
  private readonly lengths = new Map<number, number>();
  /** What every kept host was built with: the listen lines (one list object per options) and the mode. */
  private shape: { listeners: readonly ListenView[]; dynamic: boolean } | null = null;

  /** Builds the view of `table`. */
  build(table: RoutingTable, options: ViewOptions): ConfigView {
    const listeners = listenersFor(options);
    const dynamic = options.dynamic !== undefined;
    if (this.shape?.listeners !== listeners || this.shape.dynamic !== dynamic) {
      this.last = NOTHING_VIEWED;
      this.counts.clear();
      this.lengths.clear();
      this.shape = { listeners, dynamic };
    }
    const last = this.last;
    const alignment = alignHosts(last.hosts, table.hosts);
    // Dynamic mode: a host rebuilt with the same paths (its pods changed) keeps its bases (every route has one, a
    // function of host and path), and their counts stand. Static mode's bases depend on the pods too.
    const carried = dynamic ? carriedHosts(alignment, last.hosts, table.hosts) : NOTHING_CARRIED;
    for (const j of alignment.dropped) {
      if (carried.from.has(j)) continue;
      this.counts.remove(last.slots[j]!.bases);
      count(this.lengths, last.hosts[j]!.host.length, -1);
    }
    const fresh = new Map<number, readonly (string | null)[]>();
    for (let i = alignment.kept.indexOf(-1); i !== -1; i = alignment.kept.indexOf(-1, i + 1)) {
      const r = carried.to.get(i);
      if (r !== undefined) {
        fresh.set(i, last.slots[r]!.bases);
        continue;
      }
      const host = table.hosts[i]!;
      count(this.lengths, host.host.length, 1);
      const bases = host.routes.map((route) => (dynamic || route.backends.length >= 2 ? routeBase(route) : null));
      this.counts.add(bases);
      fresh.set(i, bases);
    }
    // Names of kept hosts still hold unless a shared base came or went: then every name is made unique again.
    const taken = this.counts.takeShared() ? new Set<string>() : null;
    const upstreams: UpstreamView[] = [];
    const servers: ServerView[] = new Array<ServerView>(table.hosts.length);
    const starts = new Int32Array(table.hosts.length + 1);
    const slots = table.hosts.map((host, i) => {
      starts[i] = upstreams.length;
      const j = alignment.kept[i]!;
      if (j !== -1 && taken === null) {
        servers[i] = last.servers[j]!;
        for (let k = last.starts[j]!; k < last.starts[j + 1]!; k++) upstreams.push(last.upstreams[k]!);
        return last.slots[j]!;
      }
      let view = j === -1 ? null : last.slots[j]!;
      // Dynamic mode: a host rebuilt because its pods changed keeps its view when its paths did not (the pods
      // are not in nginx.conf), so its text is not rendered or checked again.
      const r = carried.to.get(i);
      if (view === null && r !== undefined) view = last.slots[r]!;
      const bases = fresh.get(i) ?? view!.bases;
      // Unless names are made unique again, a carried host's names hold, as a kept host's do.
      const names =
        taken !== null
          ? bases.map((base) => (base === null ? null : uniqueName(base, taken)))
          : r === undefined
            ? bases
            : last.slots[r]!.names;
      if (view === null || names.some((name, k) => name !== view!.names[k]))
        view = hostView(host, bases, names, listeners, dynamic);
      servers[i] = view.server;
      for (const upstream of view.upstreams) upstreams.push(upstream);
      return view;
    });
    starts[table.hosts.length] = upstreams.length;
    this.last = { hosts: table.hosts, slots, servers, upstreams, starts };
    return {
      port: options.port,
      listeners,
      clientMaxBodySize: options.clientMaxBodySize ?? VIEW_DEFAULTS.clientMaxBodySize,
      proxyConnectTimeoutSeconds: options.proxyConnectTimeoutSeconds ?? VIEW_DEFAULTS.proxyConnectTimeoutSeconds,
      proxyReadTimeoutSeconds: options.proxyReadTimeoutSeconds ?? VIEW_DEFAULTS.proxyReadTimeoutSeconds,
      proxySendTimeoutSeconds: options.proxySendTimeoutSeconds ?? VIEW_DEFAULTS.proxySendTimeoutSeconds,
      workerProcesses: options.workerProcesses ?? 'auto',
      serverNamesHashBucketSize: bucketSize(Math.max(0, ...this.lengths.keys())),
      serverNamesHashMaxSize: Math.max(512, nextPowerOfTwo(8 * table.hosts.length)),
      upstreams,
      servers,
      dynamic: options.dynamic === undefined ? null : dynamicView(options.dynamic),
    };
  }
}

function count(counts: Map<number, number>, key: number, by: number): void {
  const total = (counts.get(key) ?? 0) + by;
  if (total === 0) counts.delete(key);
  else counts.set(key, total);
}

/**
 * Builds the template's view of a routing table: upstream names `microservice` + FNV-1a-32 of host + path (made
 * unique on collision), `location = /p` plus `location /p/` (dynamic mode: one `location ~`) so `/pfoo` is not
 * routed, hash sizes fitted to the hosts.
 */
export function buildView(table: RoutingTable, options: ViewOptions): ConfigView {
  return new ViewBuilder().build(table, options);
}

// The same options give the very same list, so hosts kept from the previous build keep their text.
const listenerMemo = new WeakMap<readonly string[], Map<number, readonly ListenView[]>>();

function listenersFor(options: ViewOptions): readonly ListenView[] {
  const addresses = options.listen ?? VIEW_DEFAULTS.listen;
  let byPort = listenerMemo.get(addresses);
  if (byPort === undefined) listenerMemo.set(addresses, (byPort = new Map()));
  let listeners = byPort.get(options.port);
  if (listeners === undefined) byPort.set(options.port, (listeners = listenViews(addresses, options.port)));
  return listeners;
}

function dynamicView(options: DynamicOptions): DynamicView {
  // 4x the body: the old and the new snapshot both fit while one replaces the other, with room to grow, so the size
  // (a line of nginx.conf, a reload when it changes) moves only when the data doubles.
  const sharedDictKb = Math.max(
    nextPowerOfTwo(options.minSharedDictKb ?? 1024),
    nextPowerOfTwo(Math.ceil((4 * options.membersBytes) / 1024)),
  );
  return {
    modulesDir: options.modulesDir,
    membersSocket: options.membersSocket,
    sharedDictKb,
    membersBodyKb: sharedDictKb / 2,
    keepalive: options.keepalive,
  };
}

function hostView(
  host: HostRoutes,
  bases: readonly (string | null)[],
  names: readonly (string | null)[],
  listen: readonly ListenView[],
  dynamic: boolean,
): HostView {
  const upstreams: UpstreamView[] = [];
  const locationViews = dynamic
    ? host.routes
        .map((route, index) => ({ route, id: names[index]! }))
        .sort((a, b) => dynamicOrder(a.route, b.route))
        .map(({ route, id }) => dynamicLocation(route, id))
    : host.routes.flatMap((route, index) => {
        const name = names[index] ?? null;
        if (name !== null) upstreams.push({ name, servers: route.backends.map(serverView) });
        return locations(route, name);
      });
  return { bases, names, server: { host: host.host, listen, locations: locationViews }, upstreams };
}

function locations(route: Route, upstream: string | null): LocationView[] {
  const direct = upstream === null && route.backends.length === 1 ? serverView(route.backends[0]!) : null;
  const unavailable = route.backends.length === 0;
  const waiting = unavailable && route.waiting.length > 0 ? route.waiting.map(refView) : NONE;
  const at = (exact: boolean, path: string): LocationView => ({
    exact,
    path,
    pattern: null,
    upstream,
    direct,
    route: null,
    unavailable,
    waiting,
  });
  if (route.location === '/') return [at(false, '/')];
  return [at(true, route.location), at(false, `${route.location}/`)];
}

/**
 * Dynamic mode: one block per route. Every block costs Debian's ngx_lua a TLS context of its own when nginx parses
 * the config (docs/architecture.md, "Dynamic locations"), so `PATH` and its sub-paths are one regular expression
 * instead of the two prefix blocks of static mode. nginx takes the first regular expression that matches, in the
 * order of the file: the host's longest paths come first (see dynamicOrder), which is the longest-prefix rule the
 * two blocks gave. Nothing here depends on the route's pods: a change of members changes no byte of the location.
 */
function dynamicLocation(route: Route, id: string): LocationView {
  const root = route.location === '/';
  return {
    exact: false,
    // `path` as static mode's prefix block has it: a template that does not know `pattern` renders `location /p/`,
    // which serves less than the route, never more (a bare `location /p` would also take `/pfoo`).
    path: root ? '/' : `${route.location}/`,
    pattern: root ? null : locationPattern(route.location),
    upstream: null,
    direct: null,
    route: id,
    unavailable: false,
    waiting: NONE,
  };
}

/** The regular expression of a decoded path: `.` is the only character of the path alphabet that means more. */
export function locationPattern(location: string): string {
  return location.replaceAll('.', '[.]');
}

// Longest first, so the first match is the longest path the URI lies under. Only paths of which one is a prefix of
// the other can both match one URI, and the longer of those is longer in characters too. Ties keep the table order.
function dynamicOrder(a: Route, b: Route): number {
  return b.location.length - a.location.length;
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

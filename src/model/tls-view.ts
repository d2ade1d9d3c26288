// The TLS fields of the template's view, added to a view built without them (src/model/config-view.ts), so that
// the routing view stays as it is and a host whose certificate did not change keeps its very server object.
import type { ConfigView, ListenView, ServerView } from './config-view.js';
import type { TlsPlan } from './tls.js';

/** How HTTPS is served, from the settings. */
export interface HttpsOptions {
  /** The port nginx listens on for HTTPS. */
  readonly httpsPort: number;
  /** The port clients reach HTTPS on, for the redirect (omitted from the URL when 443). */
  readonly publicHttpsPort: number;
  /** Plain HTTP to a TLS host answers 308 to HTTPS (except the ACME HTTP-01 path). */
  readonly redirect: boolean;
  /** Strict-Transport-Security max-age in seconds on HTTPS answers; 0 for none. */
  readonly hstsMaxAge: number;
}

/** The HTTPS settings of one `server` (`{{#tls}}` in the template). */
export interface ServerTlsView {
  /** Key file (chain, then key), relative to nginx.conf's directory: `tls/<sha256>.pem`. */
  readonly certificate: string;
  /** The HTTPS `listen` lines: the view's listen addresses on the HTTPS port (one list object for every server). */
  readonly listen: readonly ListenView[];
  readonly redirect: boolean;
  /** `:PORT` goes into the redirect URL unless null (443). */
  readonly redirectPort: number | null;
  readonly hsts: boolean;
  /**
   * For a wildcard host (`*.shop.test`), its suffix as a regex (`[.]shop[.]test`, no backslash to escape): nginx
   * routes names of any depth to the server, but only `^[^.]+SUFFIX$`, the names its certificate covers, are
   * redirected to HTTPS. Null for other hosts.
   */
  readonly redirectOnly: string | null;
}

/** The http-level HTTPS parts (`{{#https}}`): the redirect map, protocols, and the default server refusing handshakes. */
export interface HttpsView {
  /** Strict-Transport-Security max-age, or null for none. */
  readonly hstsMaxAge: number | null;
}

/** The view's TLS fields: `httpsPort`, `https` (null when no host is on HTTPS), and `tls` on each server. */
export interface TlsConfigView extends ConfigView {
  readonly httpsPort: number;
  /** The HTTPS default server's `listen` lines. */
  readonly httpsListeners: readonly ListenView[];
  readonly https: HttpsView | null;
}

/** Servers with TLS from earlier builds: the same server and certificate give the same object. */
type TlsViewCache = WeakMap<ServerView, { readonly key: string; readonly server: ServerView }>;

/**
 * Adds TLS to views one after another: servers of hosts on HTTPS get `tls`, the others are left as they are; the
 * same server and certificate give the same (never mutated) object.
 */
export class TlsViewBuilder {
  private readonly servers: TlsViewCache = new WeakMap();

  /** Adds the TLS fields of `plan` to `view`. */
  build(view: ConfigView, plan: TlsPlan, options: HttpsOptions): TlsConfigView {
    return tlsViewOf(view, plan, options, this.servers);
  }
}

function tlsViewOf(view: ConfigView, plan: TlsPlan, options: HttpsOptions, cache: TlsViewCache): TlsConfigView {
  const listen = httpsListeners(view.listeners, options.httpsPort);
  const tls = (file: string, host: string): ServerTlsView => ({
    certificate: file,
    listen,
    redirect: options.redirect,
    redirectPort: options.publicHttpsPort === 443 ? null : options.publicHttpsPort,
    hsts: options.hstsMaxAge > 0,
    redirectOnly: host.startsWith('*.') ? host.slice(1).replaceAll('.', '[.]') : null,
  });
  const withTls = (server: ServerView): ServerView => {
    const host = plan.hosts.get(server.host);
    if (host === undefined) return server;
    const known = cache.get(server);
    if (known !== undefined && known.key === host.file && known.server.tls?.listen === listen) return known.server;
    const withCertificate: ServerView = { ...server, tls: tls(host.file, server.host) };
    cache.set(server, { key: host.file, server: withCertificate });
    return withCertificate;
  };
  // Every host of the plan has a server: with none on HTTPS the plain list serves as it is, untouched.
  const any = plan.hosts.size > 0;
  const servers = any ? view.servers.map(withTls) : view.servers;
  return {
    ...view,
    servers,
    httpsPort: options.httpsPort,
    httpsListeners: listen,
    https: any ? { hstsMaxAge: options.hstsMaxAge > 0 ? options.hstsMaxAge : null } : null,
  };
}

// The same plain listeners and port give the very same list, so servers kept from the previous build keep their text.
const httpsMemo = new WeakMap<readonly ListenView[], Map<number, readonly ListenView[]>>();

/** Returns the listen lines of `listeners` moved to the HTTPS port. */
function httpsListeners(listeners: readonly ListenView[], port: number): readonly ListenView[] {
  let byPort = httpsMemo.get(listeners);
  if (byPort === undefined) httpsMemo.set(listeners, (byPort = new Map()));
  let moved = byPort.get(port);
  if (moved === undefined) {
    moved = listeners.map((listener) => ({
      address: `${listener.address.slice(0, listener.address.lastIndexOf(':'))}:${port}`,
      ipv6: listener.ipv6,
    }));
    byPort.set(port, moved);
  }
  return moved;
}

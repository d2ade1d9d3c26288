// The TLS fields of the template's view, added to a view built without them (src/model/config-view.ts), so that
// the routing view stays as it is and a host whose certificate did not change keeps its very server object.
import type { ConfigView, ServerView } from './config-view.js';
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
  readonly https: HttpsView | null;
}

/** Servers with TLS from earlier builds: the same server and certificate give the same object. */
export type TlsViewCache = WeakMap<ServerView, { readonly key: string; readonly server: ServerView }>;

/** Returns an empty cache. */
export function createTlsViewCache(): TlsViewCache {
  return new WeakMap();
}

/** Adds the TLS fields of a plan to a view: servers of hosts on HTTPS get `tls`, the others are left as they are. */
export function withTls(view: ConfigView, plan: TlsPlan, options: HttpsOptions, cache: TlsViewCache = createTlsViewCache()): TlsConfigView {
  const tls = (file: string, host: string): ServerTlsView => ({
    certificate: file,
    redirect: options.redirect,
    redirectPort: options.publicHttpsPort === 443 ? null : options.publicHttpsPort,
    hsts: options.hstsMaxAge > 0,
    redirectOnly: host.startsWith('*.') ? host.slice(1).replaceAll('.', '[.]') : null,
  });
  let any = false;
  const servers = view.servers.map((server) => {
    const host = plan.hosts.get(server.host);
    if (host === undefined) return server;
    any = true;
    const known = cache.get(server);
    if (known !== undefined && known.key === host.file) return known.server;
    const withCertificate: ServerView = { ...server, tls: tls(host.file, server.host) };
    cache.set(server, { key: host.file, server: withCertificate });
    return withCertificate;
  });
  return {
    ...view,
    servers,
    httpsPort: options.httpsPort,
    https: any ? { hstsMaxAge: options.hstsMaxAge > 0 ? options.hstsMaxAge : null } : null,
  };
}

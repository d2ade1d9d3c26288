import {
  locationPattern,
  type ConfigView,
  type DynamicView,
  type PodView,
  type ServerView,
  type UpstreamServerView,
} from '../model/config-view.js';
import type { TlsConfigView } from '../model/tls-view.js';
import {
  isIPv4,
  isIPv6,
  isValidHost,
  isValidLocation,
  isValidNamespace,
  isValidObjectName,
  isValidPort,
} from '../model/validate.js';
import { alignByIdentity } from '../model/host-list.js';
import { checkHttps, checkServerTls } from './check-tls-view.js';
import { TemplateValueError } from './template-value-error.js';

export { TemplateValueError };

// The union of every allow-listed alphabet: names, hosts, paths, addresses, numbers. No whitespace, quote, `;`,
// `{`, `}`, `#`, `$` or `\`: nothing that can end a directive, open a block, start a comment or expand a variable.
const SAFE_VALUE = /^(?:[A-Za-z0-9._~\-/:[\]*]|[^\p{C}\p{Z}\p{ASCII}])+$/u;
const UPSTREAM_NAME = /^microservice[0-9]+(?:-[0-9]+)?$/;

const SAFE_ASCII = /^[A-Za-z0-9._~\-/:[\]*]+$/;

/** Checks one value as the template prints it; mustache calls this in place of HTML escaping. */
export function checkValue(value: unknown): string {
  const text = String(value);
  if (!SAFE_ASCII.test(text) && !SAFE_VALUE.test(text)) refuse('template value', text);
  return text;
}

/**
 * Checks views one after another: servers and upstreams that passed before are skipped. The view builders reuse an
 * unchanged host's objects and never mutate them (the property tests freeze every view to hold them to it), so an
 * object that passed once still passes. Those the last view had at the same place are found without reading them.
 */
export class ViewChecker {
  private readonly checked = new WeakSet<object>();
  private last: { upstreams: readonly object[]; servers: readonly object[] } = { upstreams: [], servers: [] };

  /** Checks `view` as `checkView` does. */
  check(view: ConfigView): void {
    checkScalars(view);
    const passed = (items: readonly object[], before: readonly object[]): ((i: number) => boolean) => {
      const found = alignByIdentity(before, items);
      return (i) => found[i] !== -1 || this.checked.has(items[i]!);
    };
    const upstreamPassed = passed(view.upstreams, this.last.upstreams);
    view.upstreams.forEach((upstream, i) => {
      if (upstreamPassed(i)) return;
      if (!UPSTREAM_NAME.test(upstream.name)) refuse('upstream name', upstream.name);
      upstream.servers.forEach(checkServer);
      this.checked.add(upstream);
    });
    const serverPassed = passed(view.servers, this.last.servers);
    view.servers.forEach((server, i) => {
      if (serverPassed(i)) return;
      checkHostServer(server);
      for (const listener of server.listen) checkAddress('listen address', listener.address);
      this.checked.add(server);
    });
    // Only a view that passed whole is one to walk beside next time.
    this.last = { upstreams: view.upstreams, servers: view.servers };
  }
}

/** Checks every value of a view against the allow-list of its kind; throws TemplateValueError on the first miss. */
export function checkView(view: ConfigView): void {
  new ViewChecker().check(view);
}

function checkScalars(view: ConfigView): void {
  for (const size of [view.port, view.serverNamesHashBucketSize, view.serverNamesHashMaxSize]) {
    if (!Number.isInteger(size) || size < 1) refuse('number', String(size));
  }
  if (!isValidPort(String(view.port))) refuse('listen port', String(view.port));
  for (const listener of view.listeners) checkAddress('listen address', listener.address);
  if (!/^[0-9]{1,9}[kmg]?$/.test(view.clientMaxBodySize)) refuse('client_max_body_size', view.clientMaxBodySize);
  for (const seconds of [view.proxyConnectTimeoutSeconds, view.proxyReadTimeoutSeconds, view.proxySendTimeoutSeconds]) {
    if (!Number.isInteger(seconds) || seconds < 1) refuse('proxy timeout', String(seconds));
  }
  if (view.workerProcesses !== 'auto' && (!Number.isInteger(view.workerProcesses) || view.workerProcesses < 1)) {
    refuse('worker_processes', String(view.workerProcesses));
  }
  checkHttps(view);
  const https = view as Partial<TlsConfigView>;
  for (const listener of https.httpsListeners ?? []) checkAddress('HTTPS listen address', listener.address);
  if (view.dynamic !== null) checkDynamic(view.dynamic);
}

function checkHostServer(server: ServerView): void {
  if (!isValidHost(server.host)) refuse('host', server.host);
  if (server.tls !== undefined && server.tls !== null) {
    checkServerTls(server.tls);
    for (const listener of server.tls.listen) checkAddress('HTTPS listen address', listener.address);
  }
  for (const location of server.locations) {
    // A prefix block's path ends in `/` (`PATH/`), except the root's.
    const path = location.exact || location.path === '/' ? location.path : location.path.slice(0, -1);
    if (!isValidLocation(path)) refuse('location path', location.path);
    if (location.pattern !== null && (location.exact || location.pattern !== locationPattern(path)))
      refuse('location pattern', location.pattern);
    if (location.upstream !== null && !UPSTREAM_NAME.test(location.upstream))
      refuse('upstream name', location.upstream);
    if (location.direct !== null) checkServer(location.direct);
    if (location.route !== null && !UPSTREAM_NAME.test(location.route)) refuse('route id', location.route);
    location.waiting.forEach(checkPod);
  }
}

// Absolute, no `..`, only the safe alphabet: the paths come from settings, but they still end up in nginx.conf.
const ABSOLUTE_PATH = /^(?:\/[A-Za-z0-9._~-]+)+\/?$/;

function checkDynamic(dynamic: DynamicView): void {
  for (const [what, path] of [
    ['modules directory', dynamic.modulesDir],
    ['members socket', dynamic.membersSocket],
  ] as const) {
    if (!ABSOLUTE_PATH.test(path) || path.split('/').includes('..')) refuse(what, path);
  }
  for (const size of [dynamic.sharedDictKb, dynamic.membersBodyKb, dynamic.keepalive]) {
    if (!Number.isInteger(size) || size < 1) refuse('number', String(size));
  }
}

function checkServer(server: UpstreamServerView): void {
  checkPod(server);
  checkAddress('backend address', server.address);
}

function checkAddress(kind: string, address: string): void {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon);
  const ip = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const valid = host === ip ? isIPv4(ip) : isIPv6(ip);
  if (colon === -1 || !valid || !isValidPort(address.slice(colon + 1))) refuse(kind, address);
}

function checkPod(pod: PodView): void {
  if (!isValidObjectName(pod.pod)) refuse('pod name', pod.pod);
  if (!isValidNamespace(pod.namespace)) refuse('namespace', pod.namespace);
}

function refuse(kind: string, value: string): never {
  throw new TemplateValueError(`refusing to render ${kind} ${JSON.stringify(value)}: it fails its allow-list`);
}

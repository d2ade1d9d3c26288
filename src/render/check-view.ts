import type { ConfigView, PodView, ServerView, UpstreamServerView } from '../model/config-view.js';
import { isIPv4, isIPv6, isValidHost, isValidLocation, isValidNamespace, isValidObjectName, isValidPort } from '../model/validate.js';

/** A value refused on its way into nginx.conf: the allow-lists upstream of the renderer were bypassed. */
export class TemplateValueError extends Error {
  override readonly name = 'TemplateValueError';
}

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

/** Checks every value of a view against the allow-list of its kind; throws TemplateValueError on the first miss. */
export function checkView(view: ConfigView): void {
  checkSkipping(view, new WeakSet(), null);
}

/**
 * Returns a checker for one view after another: servers and upstreams that passed in an earlier view (view builders
 * reuse the objects of unchanged hosts, and never mutate them) are skipped; what it remembers stays inside.
 */
export function viewChecker(): (view: ConfigView) => void {
  const checked = new WeakSet<object>();
  let passed: ConfigView | null = null;
  return (view) => {
    checkSkipping(view, checked, passed);
    passed = view;
  };
}

/** Checks a view, skipping objects checked before: found first at their place in the last view that passed. */
function checkSkipping(view: ConfigView, checked: WeakSet<object>, passed: ConfigView | null): void {
  for (const size of [view.port, view.serverNamesHashBucketSize, view.serverNamesHashMaxSize]) {
    if (!Number.isInteger(size) || size < 1) refuse('number', String(size));
  }
  if (!isValidPort(String(view.port))) refuse('listen port', String(view.port));
  if (view.workerProcesses !== 'auto' && (!Number.isInteger(view.workerProcesses) || view.workerProcesses < 1)) {
    refuse('worker_processes', String(view.workerProcesses));
  }
  for (let i = 0; i < view.upstreams.length; i++) {
    const upstream = view.upstreams[i]!;
    if (upstream === passed?.upstreams[i] || checked.has(upstream)) continue;
    if (!UPSTREAM_NAME.test(upstream.name)) refuse('upstream name', upstream.name);
    upstream.servers.forEach(checkServer);
    checked.add(upstream);
  }
  for (let i = 0; i < view.servers.length; i++) {
    const server = view.servers[i]!;
    if (server === passed?.servers[i] || checked.has(server)) continue;
    checkHostServer(server);
    checked.add(server);
  }
}

function checkHostServer(server: ServerView): void {
  if (!isValidHost(server.host)) refuse('host', server.host);
  for (const location of server.locations) {
    const path = location.exact || location.path === '/' ? location.path : location.path.slice(0, -1);
    if (!isValidLocation(path)) refuse('location path', location.path);
    if (location.upstream !== null && !UPSTREAM_NAME.test(location.upstream)) refuse('upstream name', location.upstream);
    if (location.direct !== null) checkServer(location.direct);
    location.waiting.forEach(checkPod);
  }
}

function checkServer(server: UpstreamServerView): void {
  checkPod(server);
  const colon = server.address.lastIndexOf(':');
  const host = server.address.slice(0, colon);
  const ip = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const valid = host === ip ? isIPv4(ip) : isIPv6(ip);
  if (colon === -1 || !valid || !isValidPort(server.address.slice(colon + 1))) refuse('backend address', server.address);
}

function checkPod(pod: PodView): void {
  if (!isValidObjectName(pod.pod)) refuse('pod name', pod.pod);
  if (!isValidNamespace(pod.namespace)) refuse('namespace', pod.namespace);
}

function refuse(kind: string, value: string): never {
  throw new TemplateValueError(`refusing to render ${kind} ${JSON.stringify(value)}: it fails its allow-list`);
}

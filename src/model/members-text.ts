// The two text forms of a membership: the body pushed to nginx (parsed by lua/k8s_pods_ingress/store.lua), and the
// lines replay and the stdout and file sinks print next to each config (README "Replay shows the membership").
import type { Membership, RouteMembers } from './membership.js';

/** The first line of every pushed body: a body of another shape is refused by nginx. */
export const MEMBERS_MAGIC = 'k8s-pods-ingress members 1';

/**
 * Returns the body pushed to nginx: the magic line, `version N`, then one line per route, `ID ADDR ADDR …` (no
 * address: the route answers 503). Line-oriented so nginx can check it strictly without a JSON library.
 */
export function membersBody(membership: Membership, version: number): string {
  const lines = [MEMBERS_MAGIC, `version ${version}`];
  for (const route of membership.routes) lines.push(bodyLine(route));
  return `${lines.join('\n')}\n`;
}

/**
 * Returns the size in bytes of `membersBody(membership, version)` for any version of `digits` digits, without
 * building it: the sum of the kept lines (every line is ASCII), so a window pays a lookup per route, not a join.
 */
export function membersBodyBytes(membership: Membership, digits: number): number {
  return membersBodyBytesOf(membersLineBytes(membership.routes), digits);
}

/** Returns the bytes of the routes' lines in a pushed body, newlines included. */
export function membersLineBytes(routes: readonly RouteMembers[]): number {
  let bytes = 0;
  for (const route of routes) bytes += bodyLine(route).length + 1;
  return bytes;
}

/** Returns the size of a body whose route lines take `lineBytes`, for versions of `digits` digits. */
export function membersBodyBytesOf(lineBytes: number, digits: number): number {
  return MEMBERS_MAGIC.length + 1 + 'version '.length + digits + 1 + lineBytes;
}

// A route's line, kept by its object: a membership reuses the objects of unchanged hosts (buildMembership), so a
// window that moves one pod builds one line, not one per route of the cluster. Route objects are never mutated.
const bodyLines = new WeakMap<RouteMembers, string>();

function bodyLine(route: RouteMembers): string {
  let line = bodyLines.get(route);
  if (line === undefined) {
    line = route.id;
    for (const backend of route.backends) line += ` ${backend.address}`;
    bodyLines.set(route, line);
  }
  return line;
}

/**
 * Returns the printed form: `# members N sha256:H routes=R backends=B` (H: sha256 of the pushed body without its
 * version line), then per route `# ID HOST PATH ADDR(pod namespace) …` or `# ID HOST PATH none`, followed by
 * `waiting(pod namespace)` for each claiming pod that is not ready. Comment lines, so a printed config stays valid.
 */
export function membersText(membership: Membership, sequence: number, hash: string): string {
  let backends = 0;
  const lines: string[] = [];
  for (const route of membership.routes) {
    backends += route.backends.length;
    const members =
      route.backends.length === 0 ? ['none'] : route.backends.map((b) => `${b.address}(${b.name} ${b.namespace})`);
    const waiting = route.waiting.map((pod) => `waiting(${pod.name} ${pod.namespace})`);
    lines.push(`# ${[route.id, route.host, route.path, ...members, ...waiting].join(' ')}`);
  }
  const header = `# members ${sequence} sha256:${hash.slice(0, 16)} routes=${membership.routes.length} backends=${backends}`;
  return `${[header, ...lines].join('\n')}\n`;
}

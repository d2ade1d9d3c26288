// `replay --explain NAMESPACE/NAME`: what became of one pod, in plain words, read from the status document alone.
import type { OwnerStatus, PodRouteStatus, PodStatus, RouteStatus, StatusReport } from './status-report.js';

// Pods listed per route before "and N more".
const NAMES_SHOWN = 8;

/** Returns the explanation of the pod `key` (`namespace/name`), or null when the report has no such pod. */
export function explainPod(report: StatusReport, key: string): string | null {
  const pod = report.pods.find((candidate) => `${candidate.namespace}/${candidate.name}` === key);
  if (pod === undefined) return null;
  const routes = new Map(report.routes.map((route) => [`${route.host} ${route.path}`, route]));
  const terminating = pod.notReady.some((reason) => reason.startsWith('terminating'));
  const lines: string[] = [
    `Pod ${key}`,
    `  created:   ${pod.created ?? '(no creationTimestamp: counts as the newest claim)'}`,
  ];
  lines.push(`  phase:     ${pod.phase}; IP ${pod.ip ?? 'none'}`);
  lines.push(
    pod.ready
      ? '  readiness: ready: it can serve traffic'
      : `  readiness: not ready, so it serves no traffic: ${pod.notReady.join('; ')}`,
  );
  lines.push('');
  lines.push(...routeLines(pod, routes, terminating));
  lines.push('');
  if (pod.issues.length === 0) {
    lines.push(
      terminating
        ? 'Refused entries: none (the annotations of a terminating pod are not read).'
        : 'Refused entries: none; every entry of its routing annotations was accepted.',
    );
  } else {
    lines.push(`Refused entries and claims (${pod.issues.length}):`);
    for (const issue of pod.issues) lines.push(`  ${issue.code}: ${issue.message}`);
  }
  const owners = ownerLines(pod, report.owners);
  if (owners.length > 0) lines.push('', 'Owners of its hosts:', ...owners);
  return `${lines.join('\n')}\n`;
}

function routeLines(pod: PodStatus, routes: ReadonlyMap<string, RouteStatus>, terminating: boolean): string[] {
  if (pod.routes.length === 0) {
    const why = terminating
      ? 'it is terminating, and a terminating pod claims nothing'
      : 'no host or no path entry of its annotations was accepted (see the refused entries)';
    return [`Routes: none, because ${why}.`];
  }
  const hosts = new Set(pod.routes.map((route) => route.host)).size;
  const lines = [
    `Routes it asks for (${hosts} ${hosts === 1 ? 'host' : 'hosts'} x ${pod.routes.length / hosts} ${pod.routes.length / hosts === 1 ? 'path' : 'paths'}):`,
  ];
  for (const asked of pod.routes) {
    const route = routes.get(`${asked.host} ${asked.path}`);
    lines.push(
      `  ${asked.host}${asked.path} -> port ${asked.port}: ${verdict(asked, route, hostOwner(routes, asked.host))}`,
    );
    if (route !== undefined) lines.push(`    ${servedBy(route)}`);
  }
  return lines;
}

/** Returns the namespace serving other routes of `host`, or null when nobody serves the host. */
function hostOwner(routes: ReadonlyMap<string, RouteStatus>, host: string): string | null {
  for (const route of routes.values()) if (route.host === host) return route.namespace ?? '(none)';
  return null;
}

function verdict(asked: PodRouteStatus, route: RouteStatus | undefined, hostServedBy: string | null): string {
  switch (asked.state) {
    case 'serving':
      return 'served by this pod';
    case 'not-ready':
      return route?.unavailable === true
        ? 'not served: no pod of it is ready, so it answers 503'
        : 'not served by this pod, which is not ready; its other pods serve it';
    case 'refused':
      if (route !== undefined)
        return `refused (see the refused claims below); namespace ${route.namespace ?? '(none)'} serves it`;
      return hostServedBy === null
        ? 'refused (see the refused claims below); nobody serves the host'
        : `refused (see the refused claims below); its requests go to the routes namespace ${hostServedBy} serves on the host`;
  }
}

function servedBy(route: RouteStatus): string {
  const backends = route.backends.map((b) => `${b.namespace}/${b.pod} (${b.address})`);
  const ready =
    backends.length === 0
      ? 'no ready pod'
      : `${backends.length} ready ${backends.length === 1 ? 'pod' : 'pods'}: ${list(backends)}`;
  const waiting = route.notReady.map((w) => `${w.namespace}/${w.pod} (${w.reasons.join('; ')})`);
  return waiting.length === 0 ? `${ready}` : `${ready}; waiting: ${list(waiting)}`;
}

function list(items: readonly string[]): string {
  if (items.length <= NAMES_SHOWN) return items.join(', ');
  return `${items.slice(0, NAMES_SHOWN).join(', ')} and ${items.length - NAMES_SHOWN} more`;
}

function ownerLines(pod: PodStatus, owners: readonly OwnerStatus[]): string[] {
  const hosts = new Set(pod.routes.map((route) => route.host));
  const paths = new Set(pod.routes.map((route) => `${route.host}${route.path}`));
  return owners
    .filter((owner) => (owner.path === null ? hosts.has(owner.host) : paths.has(`${owner.host}${owner.path}`)))
    .map((owner) => {
      const what = owner.path === null ? owner.host : `${owner.host}${owner.path}`;
      const mine = owner.namespace === pod.namespace ? " (this pod's namespace)" : '';
      const vacant = owner.vacant
        ? '; it has no claiming pod left and keeps the host for the grace period, unserved'
        : '';
      return `  ${what}: namespace ${owner.namespace}${mine}, since ${owner.since ?? '(unknown)'}, the creation of its oldest claiming pod ${owner.pod}${vacant}`;
    });
}

/**
 * Names the pods a mistyped `namespace/name` could have meant, best first: the same name in other namespaces,
 * pods whose name starts with it (replicas of a workload), then contains it, then the nearest by edit distance.
 */
export function closestPods(report: StatusReport, key: string, count = 5): string[] {
  const slash = key.indexOf('/');
  const namespace = key.slice(0, slash);
  const name = key.slice(slash + 1);
  const scored: { key: string; score: number }[] = [];
  const tolerance = Math.max(2, Math.floor(key.length / 4));
  for (const pod of report.pods) {
    const candidate = `${pod.namespace}/${pod.name}`;
    let score: number | null = null;
    if (pod.name === name) score = 0;
    else if (pod.name.startsWith(name) && pod.namespace === namespace) score = 1;
    else if (pod.name.startsWith(name)) score = 2;
    else if (name.length >= 3 && pod.name.includes(name)) score = 3;
    else {
      const distance = editDistance(candidate, key, tolerance);
      if (distance <= tolerance) score = 4 + distance;
    }
    if (score !== null) scored.push({ key: candidate, score });
  }
  scored.sort((a, b) => a.score - b.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return scored.slice(0, count).map((entry) => entry.key);
}

/** Levenshtein distance of two strings, or more than `limit` as soon as it must be (rows of the table, bounded). */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]!);
    }
    if (best > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length]!;
}

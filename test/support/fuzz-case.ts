/**
 * One case of the adversarial fuzz campaign: valid pods (older, in their own namespaces) next to hostile pods, and
 * the invariants every rendered config must keep. Shared by `npm run fuzz` and the in-suite property test.
 */
import fc from 'fast-check';
import type { Issue } from '../../src/model/issue.js';
import type { OwnershipPolicy } from '../../src/model/ownership.js';
import type { ProjectedPod } from '../../src/model/pod.js';
import { DEFAULT_LIMITS, readPod, type PodRecord } from '../../src/model/pod-record.js';
import { checkPath, isValidHost, isValidLocation } from '../../src/model/validate.js';
import { checkShape } from './config-shape.js';
import { hostileHosts, hostilePaths, validPathEntry } from './hostile-input.js';
import { configText, projected, renderPods, templateContract, type Rendered } from './render-pods.js';

/** Valid pods, hostile pods and the ownership policy they are rendered under. */
export interface FuzzCase {
  readonly ownership: OwnershipPolicy;
  readonly good: readonly ProjectedPod[];
  readonly hostile: readonly ProjectedPod[];
}

const canonical = (entry: string): string => {
  const checked = checkPath(entry.slice(entry.indexOf(':') + 1));
  return typeof checked === 'string' ? entry : checked.path;
};

const goodPods = (i: number): fc.Arbitrary<ProjectedPod[]> =>
  fc
    .record({
      hosts: fc.subarray([`g${i}.example`, `api.g${i}.example`, `*.w${i}.example`, `10.9.${i}.1`], { minLength: 1 }),
      paths: fc.uniqueArray(validPathEntry, { minLength: 1, maxLength: 3, selector: canonical }),
      replicas: fc.integer({ min: 1, max: 2 }),
    })
    .map(({ hosts, paths, replicas }) =>
      Array.from({ length: replicas }, (_, j) =>
        projected({
          namespace: `good-${i}`,
          name: `web-${j}`,
          created: 1_000 + i,
          ip: `10.1.${i}.${j + 1}`,
          hosts: hosts.join(' '),
          paths: paths.join(' '),
        }),
      ),
    );

const hostileName = fc.oneof(
  { weight: 20, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('Evil', 'x;y', 'x\ny', 'a'.repeat(254), 'x y') },
);

const hostilePod = (k: number): fc.Arbitrary<ProjectedPod> =>
  fc
    .record({
      namespace: fc.constantFrom('evil', 'evil', 'evil', 'evil-b', 'evil-b', 'good-0', 'Evil;'),
      badName: hostileName,
      hosts: hostileHosts,
      paths: hostilePaths,
      state: fc.constantFrom('ready', 'ready', 'ready', 'ready', 'not-ready', 'pending', 'deleting', 'ipv6', 'bad-ip'),
    })
    .map(({ namespace, badName, hosts, paths, state }) =>
      projected({
        namespace,
        name: badName === '' ? `x-${k}` : `${badName}${k}`,
        created: 2_000 + k,
        hosts,
        paths,
        ip:
          state === 'pending'
            ? null
            : state === 'ipv6'
              ? `fd00::${k + 1}`
              : state === 'bad-ip'
                ? `10.2.0.${k};`
                : `10.2.0.${k + 1}`,
        phase: state === 'pending' ? 'Pending' : 'Running',
        ready: state !== 'not-ready' && state !== 'pending',
        deleting: state === 'deleting',
      }),
    );

/** Generates a case: 1-3 valid pods, 0-3 hostile pods, either ownership policy. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  ownership: fc.constantFrom<OwnershipPolicy>('host', 'route'),
  good: fc
    .integer({ min: 1, max: 3 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => goodPods(i))))
    .map((groups) => groups.flat()),
  hostile: fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => hostilePod(k)))),
});

/** Replaces a pod's annotations with exactly the entries the model accepted from them. */
function sanitized(record: PodRecord): ProjectedPod {
  return {
    ...record.pod,
    hosts: record.hosts.join(' '),
    paths: record.paths.map((e) => `${e.port}:${e.path}`).join(' '),
  };
}

/** Reads the entry an issue message names: its first JSON string literal. */
export function namedEntry(message: string): string | null {
  const match = /"(?:[^"\\]|\\.)*"/.exec(message);
  if (match === null) return null;
  try {
    return JSON.parse(match[0]) as string;
  } catch {
    return null;
  }
}

/** Tells whether `named` (from a message) is `entry`, or its first 80 characters when the message cut it. */
export function names(named: string | null, entry: string): boolean {
  return named === entry || (entry.length > 80 && named === `${entry.slice(0, 80)}…`);
}

const ENTRY_CODES = new Set([
  'invalid-host',
  'invalid-path',
  'invalid-port',
  'invalid-entry',
  'duplicate-entry',
  'conflicting-port',
]);

/** Checks that every entry of one annotation was either accepted or reported by name, and nothing else was reported. */
function checkAccounted(record: PodRecord, what: 'hosts' | 'paths', problems: string[]): void {
  const value = what === 'hosts' ? record.pod.hosts : record.pod.paths;
  const issues = record.issues.filter((i) =>
    what === 'hosts'
      ? i.code === 'invalid-host' || i.message.startsWith('host ')
      : i.message.startsWith('paths entry '),
  );
  const has = (code: string, fragment: string): boolean =>
    record.issues.some((i) => i.code === code && i.message.includes(fragment));
  if (value === null || value.trim() === '') {
    if (!has('missing-annotation', `the ${what} annotation`))
      problems.push(`${record.key}: empty ${what} not reported`);
    return;
  }
  if (value.length > DEFAULT_LIMITS.maxAnnotationLength) {
    if (!has('annotation-too-large', `the ${what} annotation`))
      problems.push(`${record.key}: oversized ${what} not reported`);
    return;
  }
  const tokens = value.split(/[ \t\r\n]+/).filter((t) => t !== '');
  if (tokens.length > DEFAULT_LIMITS.maxEntries && !has('too-many-entries', `the ${what} annotation`))
    problems.push(`${record.key}: too many ${what} not reported`);
  const named = new Set(issues.filter((i) => ENTRY_CODES.has(i.code)).map((i) => namedEntry(i.message)));
  const seen = new Set<string>();
  for (const token of tokens.slice(0, DEFAULT_LIMITS.maxEntries)) {
    const reported = named.has(token) || (token.length > 80 && named.has(`${token.slice(0, 80)}…`));
    const key = what === 'hosts' ? token.replace(/[A-Z]+/g, (u) => u.toLowerCase()) : canonical(token);
    const accepted =
      what === 'hosts'
        ? record.hosts.includes(key)
        : record.paths.some((e) => `${e.port}:${e.path}` === `${token.slice(0, token.indexOf(':'))}:${key}`);
    const first = !seen.has(key);
    if (accepted) seen.add(key);
    if (!reported && !(accepted && first))
      problems.push(`${record.key}: ${what} entry ${JSON.stringify(token)} neither accepted nor reported`);
  }
  const all = new Set(tokens);
  for (const entry of named) {
    const known = entry !== null && (all.has(entry) || (entry.endsWith('…') && tokens.some((t) => names(entry, t))));
    if (!known)
      problems.push(`${record.key}: an issue names no entry of the ${what} annotation: ${JSON.stringify(entry)}`);
  }
}

/** Checks that an accepted entry is itself allow-listed: ASCII, valid host, canonical path that decodes cleanly. */
function checkAccepted(record: PodRecord, problems: string[]): void {
  for (const host of record.hosts)
    if (!isValidHost(host) || !/^[\x21-\x7e]+$/.test(host)) problems.push(`accepted host ${JSON.stringify(host)}`);
  for (const entry of record.paths) {
    const again = checkPath(entry.path);
    const clean = typeof again !== 'string' && again.path === entry.path && again.location === entry.location;
    if (!clean || !isValidLocation(entry.location) || entry.port < 1 || entry.port > 65535)
      problems.push(`accepted path ${JSON.stringify(entry)}`);
  }
}

/** Checks that routes of valid pods are served by their namespace alone, including names under their wildcards. */
function checkGoodRoutes(c: FuzzCase, rendered: Rendered, problems: string[]): void {
  for (const pod of c.good) {
    const record = rendered.state.pods.get(`${pod.namespace}/${pod.name}`)!;
    for (const host of record.hosts) {
      const served = rendered.table.hosts.find((h) => h.host === host);
      for (const entry of record.paths) {
        const route = served?.routes.find((r) => r.path === entry.path);
        if (route === undefined || !route.backends.some((b) => b.address === `${record.address}:${entry.port}`)) {
          problems.push(`valid route ${host}${entry.path} of ${record.key} lost`);
        } else if (
          route.backends.some((b) => b.namespace !== pod.namespace) ||
          route.waiting.some((w) => w.namespace !== pod.namespace)
        ) {
          problems.push(`valid route ${host}${entry.path} of ${record.key} shared with another namespace`);
        }
      }
      const covered = (other: string): boolean =>
        host.startsWith('*.') && other !== host && other.endsWith(host.slice(1));
      for (const other of rendered.table.hosts) {
        const hijacked = (c.ownership === 'host' && other.host === host) || covered(other.host);
        const foreign = other.routes.some((r) =>
          [...r.backends, ...r.waiting].some((p) => p.namespace !== pod.namespace),
        );
        if (hijacked && foreign)
          problems.push(`host ${other.host} under ${host} of ${pod.namespace} taken by another namespace`);
      }
    }
  }
}

/** Runs one case; returns the config and every invariant it broke (empty when clean). */
export function checkCase(c: FuzzCase): { readonly text: string; readonly problems: string[] } {
  const problems: string[] = [];
  const pods = [...c.good, ...c.hostile];
  let rendered: Rendered;
  try {
    rendered = renderPods(pods, { ownership: c.ownership });
  } catch (error) {
    return { text: '', problems: [`render refused, which would freeze every namespace's updates: ${String(error)}`] };
  }
  const text = rendered.config.text;
  problems.push(...checkShape(text, templateContract()));
  const hostile = c.hostile.map((p) => rendered.state.pods.get(`${p.namespace}/${p.name}`)!);
  // Hostile pods that claim nothing must leave the config exactly as the valid pods alone make it; otherwise it must
  // be exactly the config of the same pods with their annotations cut down to the accepted entries.
  if (hostile.every((r) => r.hosts.length === 0 || r.paths.length === 0)) {
    if (configText(c.good, { ownership: c.ownership }) !== text)
      problems.push('hostile pods with no accepted entry changed the config');
  } else if (configText([...c.good, ...hostile.map(sanitized)], { ownership: c.ownership }) !== text) {
    problems.push('config differs from the one rendered from the accepted entries alone');
  }
  for (const record of hostile) {
    checkAccepted(record, problems);
    const entryLevel =
      !record.pod.deleting &&
      !record.issues.some((i: Issue) => i.code === 'invalid-pod' && i.message.startsWith('namespace/name'));
    // Over the route limit a pod claims nothing; its entries are accounted for as the uncapped read would take them.
    const capped = record.issues.some((i) => i.message.startsWith('the annotations ask for'));
    if (capped && (record.hosts.length > 0 || record.paths.length > 0))
      problems.push(`${record.key}: over the route limit yet claims`);
    const full = capped ? readPod(record.pod, { ...DEFAULT_LIMITS, maxRoutes: Number.POSITIVE_INFINITY }) : record;
    if (entryLevel) {
      checkAccounted(full, 'hosts', problems);
      checkAccounted(full, 'paths', problems);
    }
  }
  checkGoodRoutes(c, rendered, problems);
  return { text, problems };
}

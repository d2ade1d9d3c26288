import type { Issue, IssueCode } from './issue.js';
import { podKey, podOf, type ProjectedPod } from './pod.js';
import {
  checkPath,
  isIPv4,
  isIPv6,
  isValidHost,
  isValidNamespace,
  isValidObjectName,
  isValidPort,
} from './validate.js';

/** Per-pod bounds on what the annotations may ask for, so one pod cannot make memory or render time explode. */
export interface Limits {
  /** Most entries kept from each annotation; the rest are reported. */
  readonly maxEntries: number;
  /** Largest annotation value read at all, in UTF-16 code units. */
  readonly maxAnnotationLength: number;
  /** Most routes (hosts x paths) one pod may ask for; over it, none are taken. */
  readonly maxRoutes: number;
}

/**
 * Routes one pod may ask for unless the limits say otherwise. Entry limits alone allow hosts x paths = 100 x 100
 * routes (about 9 MB of nginx.conf from one pod), and 10,000 x 10,000 at the highest MAX_ENTRIES.
 */
export const DEFAULT_MAX_ROUTES = 1_000;

/** The limits used unless the settings say otherwise. */
export const DEFAULT_LIMITS: Limits = { maxEntries: 100, maxAnnotationLength: 16384, maxRoutes: DEFAULT_MAX_ROUTES };

/** One accepted `PORT:PATH` entry. */
export interface PathEntry {
  /** Canonical annotation form, used in names and comparisons. */
  readonly path: string;
  /** Decoded form that nginx matches. */
  readonly location: string;
  readonly port: number;
}

/** A pod as the cache keeps it: its projection plus everything routing reads from it, parsed once per change. */
export interface PodRecord {
  readonly key: string;
  readonly pod: ProjectedPod;
  /** Accepted hosts; empty when the pod claims nothing (terminating, or no valid entry). */
  readonly hosts: readonly string[];
  readonly paths: readonly PathEntry[];
  /** The address nginx dials (`10.0.0.7`, `[fd00::7]`) when the pod may serve traffic, else null. */
  readonly address: string | null;
  /** The TLS Secret the pod names (a name in its own namespace), or null. */
  readonly tlsSecret?: string | null;
  readonly issues: readonly Issue[];
}

/** Parses one pod's routing annotations and eligibility into a record; bad entries become issues. */
export function readPod(pod: ProjectedPod, limits: Limits = DEFAULT_LIMITS): PodRecord {
  const key = podKey(pod);
  const empty = { key, pod, hosts: NONE, paths: NONE, address: null };
  // A terminating pod neither claims nor serves (docs/architecture.md 3); its annotations no longer matter.
  if (pod.deleting) return { ...empty, issues: NONE };
  if (!isValidNamespace(pod.namespace) || !isValidObjectName(pod.name)) {
    return {
      ...empty,
      issues: [
        { pod: key, code: 'invalid-pod', message: `namespace/name ${quote(key)} is not a valid Kubernetes name` },
      ],
    };
  }
  const parsed = parseAnnotations(pod.hosts, pod.paths, limits);
  const issues: Issue[] = parsed.problems.map((problem) => ({ pod: key, ...problem }));
  const report = (code: IssueCode, message: string): void => void issues.push({ pod: key, code, message });
  const address = parsed.hosts.length > 0 && parsed.paths.length > 0 ? backendAddress(pod, report) : null;
  // Replicas carry equal annotation strings: keep one copy of each, as the parsed entries do.
  const shared =
    pod.hosts === parsed.rawHosts && pod.paths === parsed.rawPaths
      ? pod
      : withAnnotations(pod, parsed.rawHosts, parsed.rawPaths);
  const tlsSecret = readTlsSecret(pod.tlsSecret ?? null, report);
  const tls = tlsSecret === null ? {} : { tlsSecret };
  return {
    key,
    pod: shared,
    hosts: parsed.hosts,
    paths: parsed.paths,
    address,
    ...tls,
    issues: issues.length === 0 ? NONE : issues,
  };
}

const NONE: readonly never[] = Object.freeze([]);

function withAnnotations(pod: ProjectedPod, hosts: string | null, paths: string | null): ProjectedPod {
  const { uid, namespace, name, created, phase, ip, ready, deleting, tlsSecret } = pod;
  return podOf(uid, namespace, name, created, phase, ip, ready, deleting, hosts, paths, tlsSecret);
}

/** One pod's annotations, read: what every replica with the same values shares. */
interface ParsedAnnotations {
  readonly rawHosts: string | null;
  readonly rawPaths: string | null;
  readonly hosts: readonly string[];
  readonly paths: readonly PathEntry[];
  readonly problems: readonly { readonly code: IssueCode; readonly message: string }[];
}

// Replicas of a workload have the same annotations: read them once. Bounded in entries and in key size (long values,
// hostile or not, are read every time rather than kept), and dropped whole when full.
const PARSED = new Map<string, ParsedAnnotations>();
const PARSED_LIMIT = 8192;
const PARSED_KEY_LIMIT = 2048;

function parseAnnotations(rawHosts: string | null, rawPaths: string | null, limits: Limits): ParsedAnnotations {
  const memo = `${limits.maxEntries} ${limits.maxAnnotationLength} ${limits.maxRoutes}\u0000${rawHosts ?? '\u0001'}\u0000${rawPaths ?? '\u0001'}`;
  const keep = memo.length <= PARSED_KEY_LIMIT;
  const known = keep ? PARSED.get(memo) : undefined;
  if (known !== undefined) return known;
  const problems: { code: IssueCode; message: string }[] = [];
  const report = (code: IssueCode, message: string): void => void problems.push({ code, message });
  let hosts = readHosts(entries(rawHosts, 'hosts', limits, report), report);
  let paths = readPaths(entries(rawPaths, 'paths', limits, report), report);
  if (hosts.length * paths.length > limits.maxRoutes) {
    report(
      'too-many-entries',
      `the annotations ask for ${hosts.length} hosts x ${paths.length} paths = ${hosts.length * paths.length} routes, over the limit of ${limits.maxRoutes} per pod; none were taken`,
    );
    hosts = [];
    paths = [];
  }
  const parsed = { rawHosts, rawPaths, hosts, paths, problems };
  if (!keep) return parsed;
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(memo, parsed);
  return parsed;
}

type Report = (code: IssueCode, message: string) => void;

function entries(value: string | null, what: 'hosts' | 'paths', limits: Limits, report: Report): string[] {
  if (value === null || value.trim() === '') {
    report('missing-annotation', `the ${what} annotation is missing or empty, so the pod has no routes`);
    return [];
  }
  if (value.length > limits.maxAnnotationLength) {
    report(
      'annotation-too-large',
      `the ${what} annotation is ${value.length} characters, over the limit of ${limits.maxAnnotationLength}; it was ignored`,
    );
    return [];
  }
  const tokens = value.split(/[ \t\r\n]+/).filter((token) => token !== '');
  if (tokens.length > limits.maxEntries) {
    report(
      'too-many-entries',
      `the ${what} annotation has ${tokens.length} entries, over the limit of ${limits.maxEntries}; only the first ${limits.maxEntries} were read`,
    );
    return tokens.slice(0, limits.maxEntries);
  }
  return tokens;
}

// Sets, not array scans: with MAX_ENTRIES at its ceiling (10,000) a quadratic scan took seconds per pod event.
function readHosts(tokens: readonly string[], report: Report): string[] {
  const hosts = new Set<string>();
  for (const token of tokens) {
    // ASCII case folding only: Unicode's would turn look-alikes into ASCII (KELVIN SIGN U+212A lower-cases to "k").
    const host = token.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
    if (!isValidHost(host)) {
      report(
        'invalid-host',
        `host ${quote(token)} is not a DNS name (letters, digits, "-", dots; optional leading "*.") nor an IPv4 address`,
      );
    } else if (hosts.has(host)) {
      report('duplicate-entry', `host ${quote(token)} is listed twice`);
    } else {
      hosts.add(host);
    }
  }
  return [...hosts];
}

function readPaths(tokens: readonly string[], report: Report): PathEntry[] {
  const paths = new Map<string, PathEntry>();
  for (const token of tokens) {
    const colon = token.indexOf(':');
    if (colon === -1) {
      report('invalid-entry', `paths entry ${quote(token)} is not PORT:PATH`);
      continue;
    }
    const port = token.slice(0, colon);
    const checked = checkPath(token.slice(colon + 1));
    if (!isValidPort(port)) {
      report('invalid-port', `paths entry ${quote(token)}: port ${quote(port)} is not a number from 1 to 65535`);
    } else if (typeof checked === 'string') {
      report('invalid-path', `paths entry ${quote(token)}: the path ${checked}`);
    } else {
      const same = paths.get(checked.path);
      if (same === undefined)
        paths.set(checked.path, { path: checked.path, location: checked.location, port: Number(port) });
      else if (same.port === Number(port)) report('duplicate-entry', `paths entry ${quote(token)} is listed twice`);
      else
        report(
          'conflicting-port',
          `paths entry ${quote(token)}: path ${checked.path} already goes to port ${same.port}`,
        );
    }
  }
  return [...paths.values()];
}

// Only a name: the Secret is looked up in the pod's own namespace, so no other namespace's key can be named.
function readTlsSecret(value: string | null, report: Report): string | null {
  if (value === null) return null;
  const name = value.trim();
  if (name === '') return null;
  if (name.includes('/')) {
    report(
      'invalid-tls-secret',
      `TLS Secret ${quote(value)} names another namespace; name a Secret of the pod's own namespace`,
    );
    return null;
  }
  if (!isValidObjectName(name)) {
    report(
      'invalid-tls-secret',
      `TLS Secret ${quote(value)} is not a Kubernetes object name (lower-case letters, digits, "-" and ".")`,
    );
    return null;
  }
  return name;
}

function backendAddress(pod: ProjectedPod, report: Report): string | null {
  if (pod.phase !== 'Running' || !pod.ready || pod.ip === null) return null;
  const ip = pod.ip.toLowerCase();
  if (isIPv4(ip)) return ip;
  if (isIPv6(ip)) return `[${ip}]`;
  report('invalid-pod', `status.podIP ${quote(pod.ip)} is not an IP address`);
  return null;
}

/**
 * Quotes a hostile value for a message: cut to 80 characters, JSON-escaped, and everything outside printable ASCII
 * written as `\uXXXX`, so the message is plain ASCII that `JSON.parse` reads back: no line breaks (U+2028), no bidi
 * overrides (U+202E) or zero-width characters to spoof a log line, and look-alikes show as what they are.
 */
function quote(value: string): string {
  const json = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return json.replace(/[^\x20-\x7e]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

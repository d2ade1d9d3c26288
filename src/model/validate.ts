// Allow-lists for every value that can reach nginx.conf. Full matches only, never deny-lists: annotation values are
// written by anyone who may create a pod (README "Security", docs/architecture.md 3).

/** Longest path we accept, in characters of its annotation form. */
export const MAX_PATH_LENGTH = 512;

const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^(?:\\*\\.)?${DNS_LABEL}(?:\\.${DNS_LABEL})*$`);
const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);
const NAMESPACE = new RegExp(`^${DNS_LABEL}$`);
const SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const PORT = /^[1-9][0-9]{0,4}$/;
const PATH_ALPHABET = /^\/(?:[A-Za-z0-9\-._~/]|%[0-9A-Fa-f]{2})*$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;
const NAME_PART = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Tells whether `host` is a lower-case RFC 1123 DNS name (optionally `*.`-wildcarded) or an IPv4 literal. */
export function isValidHost(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  if (IPV4.test(host)) return true;
  if (!DNS_NAME.test(host)) return false;
  // A name whose last label is all digits is an IPv4 look-alike (`1.2.3.999`), not a DNS name.
  const last = host.slice(host.lastIndexOf('.') + 1);
  return !/^[0-9]+$/.test(last);
}

/** Tells whether `port` is the decimal form of 1-65535: digits only, no sign, no leading zero. */
export function isValidPort(port: string): boolean {
  return PORT.test(port) && Number(port) <= 65535;
}

/** Tells whether `value` is an IPv4 literal in dotted-quad form. */
export function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

/** Tells whether `value` is a lower-case IPv6 literal without zone, optionally ending in a dotted quad. */
export function isIPv6(value: string): boolean {
  if (value.length > 45 || !/^[0-9a-f:.]+$/.test(value)) return false;
  let groups = value.split(':');
  let width = 8;
  const tail = groups[groups.length - 1] ?? '';
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    groups = groups.slice(0, -1);
    width = 6;
    if (groups[groups.length - 1] === '') groups.push('');
  }
  const compressed = value.indexOf('::');
  if (compressed !== value.lastIndexOf('::')) return false;
  if (compressed === -1) return groups.length === width && groups.every((g) => HEX_GROUP.test(g));
  const [head, rest] = splitOnce(groups.join(':'), '::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === '' ? [] : rest.split(':');
  return left.length + right.length < width && [...left, ...right].every((g) => HEX_GROUP.test(g));
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + separator.length)];
}

/** Tells whether `value` is a Kubernetes namespace name (an RFC 1123 label). */
export function isValidNamespace(value: string): boolean {
  return NAMESPACE.test(value);
}

/** Tells whether `value` is a Kubernetes object name (an RFC 1123 subdomain, at most 253 characters). */
export function isValidObjectName(value: string): boolean {
  return value.length <= 253 && SUBDOMAIN.test(value);
}

/**
 * Tells whether `key` is a Kubernetes label or annotation key: an optional DNS-subdomain prefix and `/`, then a name
 * of at most 63 letters, digits, `-`, `_` and `.` that starts and ends with a letter or digit.
 */
export function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash !== -1 && !isValidObjectName(key.slice(0, slash))) return false;
  return NAME_PART.test(key.slice(slash + 1));
}

/** Tells whether `value` is a Kubernetes label value: empty, or a name as in `isQualifiedName` (no prefix). */
export function isLabelValue(value: string): boolean {
  return value === '' || NAME_PART.test(value);
}

/** A path accepted from an annotation: its canonical annotation form and the decoded form nginx matches against. */
export interface CheckedPath {
  /** Canonical form: escapes upper-cased, a trailing `/` dropped (except for `/` itself). */
  readonly path: string;
  /** What nginx compares the decoded request URI with. */
  readonly location: string;
}

/**
 * Checks a path from an annotation and returns its canonical and decoded forms, or the reason it is refused.
 * Accepts `/` followed by unreserved URL characters, `/` and `%XX` escapes of non-ASCII UTF-8 text; refuses
 * `//`, `.` and `..` segments and escapes of ASCII (nginx matches decoded URIs, so `%2e%2e` would be `..`).
 */
export function checkPath(raw: string): CheckedPath | string {
  if (!raw.startsWith('/')) return 'must start with "/"';
  if (raw.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (!PATH_ALPHABET.test(raw)) return 'may hold only letters, digits, "-._~/" and %XX escapes';
  if (raw.includes('//')) return 'must not contain "//"';
  const path = raw.length > 1 && raw.endsWith('/') ? raw.slice(0, -1) : raw;
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return 'must not contain "." or ".." segments';
  }
  const location = decodePath(path);
  if (location === null) return 'has %XX escapes that are not non-ASCII UTF-8 text';
  return { path: path.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase()), location };
}

const PRINTABLE_NON_ASCII = /^[^\p{C}\p{Z}\p{ASCII}]$/u;

function decodePath(path: string): string | null {
  if (!path.includes('%')) return path;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  // Every escape must have produced a printable non-ASCII character: count them against the escapes.
  const escapes = path.match(/%[0-9A-Fa-f]{2}/g)?.length ?? 0;
  let nonAscii = 0;
  for (const char of decoded) {
    if (char.codePointAt(0)! < 0x80) continue;
    if (!PRINTABLE_NON_ASCII.test(char)) return null;
    nonAscii += new TextEncoder().encode(char).length;
  }
  return nonAscii === escapes ? decoded : null;
}

/** Tells whether `location` is the decoded form of a path that `checkPath` accepts. */
export function isValidLocation(location: string): boolean {
  if (!location.startsWith('/') || location.includes('//') || location.length > MAX_PATH_LENGTH * 3) return false;
  if (location.length > 1 && location.endsWith('/')) return false;
  if (location.split('/').some((segment) => segment === '.' || segment === '..')) return false;
  for (const char of location) {
    if (/^[A-Za-z0-9\-._~/]$/.test(char)) continue;
    if (!PRINTABLE_NON_ASCII.test(char)) return false;
  }
  return true;
}

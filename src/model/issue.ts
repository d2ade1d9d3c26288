/** Why an annotation entry or a whole pod was not taken into the routing table. */
export type IssueCode =
  | 'invalid-host'
  | 'invalid-path'
  | 'invalid-port'
  | 'invalid-entry'
  | 'duplicate-entry'
  | 'conflicting-port'
  | 'missing-annotation'
  | 'too-many-entries'
  | 'annotation-too-large'
  | 'host-conflict'
  | 'route-conflict'
  | 'invalid-pod'
  | 'invalid-tls-secret'
  | 'tls-secret-missing'
  | 'tls-secret-wrong-type'
  | 'tls-secret-invalid'
  | 'tls-key-mismatch'
  | 'tls-secret-too-large'
  | 'tls-certificate-expired'
  | 'tls-certificate-not-yet-valid'
  | 'tls-host-not-covered'
  | 'tls-host-is-ip'
  | 'tls-secret-conflict';

/** A problem found in one pod's routing annotations: reported and skipped, never fatal. */
export interface Issue {
  /** `namespace/name` of the pod. */
  readonly pod: string;
  readonly code: IssueCode;
  /** Names the entry and the rule it broke. */
  readonly message: string;
}

/** Returns a stable key for an issue, so that reports can be deduplicated. */
export function issueKey(issue: Issue): string {
  return `${issue.pod}\u0000${issue.code}\u0000${issue.message}`;
}

/** Returns the issues of `next` that were not in `previous`, in order. */
export function newIssues(previous: readonly Issue[], next: readonly Issue[]): Issue[] {
  const seen = new Set(previous.map(issueKey));
  return next.filter((issue) => !seen.has(issueKey(issue)));
}

/** Orders issues by pod, then code, then message. */
export function compareIssues(a: Issue, b: Issue): number {
  return compareStrings(a.pod, b.pod) || compareStrings(a.code, b.code) || compareStrings(a.message, b.message);
}

/** Compares two strings by UTF-16 code units, the same everywhere (no locale). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

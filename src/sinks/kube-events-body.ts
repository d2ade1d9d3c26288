// The core/v1 Event that tells a pod's owner why its routing annotations were rejected (`kubectl describe pod`).
import { createHash } from 'node:crypto';
import type { CoreV1Event } from '@kubernetes/client-node';
import { issueKey, type Issue } from '../model/issue.js';

/** The component name on every Event (source.component and reportingComponent). */
export const EVENT_COMPONENT = 'k8s-pods-ingress';

// The API keeps an Event's message short (events.k8s.io caps its note at 1 KiB); the entry that broke a rule is
// user input of any length, so the message is cut to fit.
const MAX_MESSAGE_BYTES = 1024;
// Event names are DNS subdomains (<= 253): the pod name, a dot, 16 hex digits.
const MAX_NAME_PART = 253 - 17;

/** The pod an issue is about and the identity of its problem. */
export interface EventSubject {
  readonly namespace: string;
  readonly name: string;
  /** metadata.uid of the pod, when known: `kubectl describe pod` lists only Events that carry it. */
  readonly uid?: string;
}

/** Returns the Event reason for an issue code: CamelCase, `invalid-host` -> `InvalidHost`. */
export function eventReason(code: string): string {
  return code
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** Splits an issue's `namespace/name` into the pod it is about. */
export function subjectOf(issue: Issue, uid: string | undefined): EventSubject {
  const slash = issue.pod.indexOf('/');
  const namespace = issue.pod.slice(0, slash);
  const name = issue.pod.slice(slash + 1);
  return uid === undefined ? { namespace, name } : { namespace, name, uid };
}

/** Returns the deduplication key of an issue on one incarnation of its pod. */
export function eventKey(issue: Issue, subject: EventSubject): string {
  return `${issueKey(issue)}\u0000${subject.uid ?? ''}`;
}

/**
 * Returns the Event's name: the pod name and a digest of the problem. The same problem gets the same name in every
 * replica and after a restart, so the API answers a repeated create with 409 instead of storing a duplicate.
 */
export function eventName(subject: EventSubject, key: string): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const base = subject.name.slice(0, MAX_NAME_PART).replace(/[^a-z0-9]+$/, '');
  return `${base === '' ? 'pod' : base}.${digest}`;
}

/** Builds the Warning Event for one issue, first and last seen at `atMs`. */
export function eventBody(
  issue: Issue,
  subject: EventSubject,
  key: string,
  instance: string,
  atMs: number,
): CoreV1Event {
  const at = new Date(atMs);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(subject, key), namespace: subject.namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', ...subject },
    reason: eventReason(issue.code),
    message: truncateBytes(issue.message, MAX_MESSAGE_BYTES),
    type: 'Warning',
    source: { component: EVENT_COMPONENT },
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: instance,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

function truncateBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const marker = '...';
  // A cut inside a multi-byte character decodes to U+FFFD: drop that half character.
  return (
    bytes
      .subarray(0, maxBytes - marker.length)
      .toString('utf8')
      .replace(/\uFFFD$/, '') + marker
  );
}

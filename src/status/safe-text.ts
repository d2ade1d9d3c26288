// Pod names, namespaces and phases come from the API (or from a replay file anyone can write): print them as they
// are only when they are what Kubernetes allows, else quoted so that no value can break a line or a terminal.
import type { ProjectedPod } from '../model/pod.js';
import { isIPv4, isIPv6, isValidNamespace, isValidObjectName } from '../model/validate.js';

const PHASES = new Set(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);

/**
 * Quotes a value: cut to 80 characters, JSON-escaped, everything outside printable ASCII as `\uXXXX` (the Issue
 * messages quote annotation values the same way).
 */
export function quoteValue(value: string): string {
  const json = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return json.replace(/[^\x20-\x7e]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Returns a namespace as is when it is a valid namespace name, else quoted. */
export function safeNamespace(namespace: string): string {
  return isValidNamespace(namespace) ? namespace : quoteValue(namespace);
}

/** Returns a pod name as is when it is a valid object name, else quoted. */
export function safeName(name: string): string {
  return isValidObjectName(name) ? name : quoteValue(name);
}

/** Returns a phase as is when it is one of the API's, `(none)` when empty, else quoted. */
export function safePhase(phase: string): string {
  if (phase === '') return '(none)';
  return PHASES.has(phase) ? phase : quoteValue(phase);
}

/** Returns the pod IP when it is an IPv4 or IPv6 address, else null. */
export function safeIp(ip: string | null): string | null {
  if (ip === null) return null;
  const lower = ip.toLowerCase();
  return isIPv4(lower) || isIPv6(lower) ? lower : null;
}

/** Lists why a pod cannot serve traffic (DESIGN.md 1: Running, a pod IP, Ready=True, not terminating); empty: it can. */
export function notReadyReasons(pod: ProjectedPod): string[] {
  const reasons: string[] = [];
  if (pod.deleting) reasons.push('terminating (deletionTimestamp is set)');
  if (pod.phase !== 'Running') reasons.push(`phase is ${safePhase(pod.phase)}, not Running`);
  if (!pod.ready) reasons.push('condition Ready is not True');
  if (pod.ip === null) reasons.push('no pod IP yet');
  else if (safeIp(pod.ip) === null) reasons.push('status.podIP is not an IP address');
  return reasons;
}

/** Returns ms since the epoch as RFC 3339, or null for "no time" (a missing creationTimestamp) or out of range. */
export function isoTime(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return new Date(ms).toISOString();
}

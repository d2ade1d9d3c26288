// The fold over Secret events: which certificate of each Secret is in force, judged on the pipeline's clock so that
// a replay on virtual time decides exactly as the live run did.
import type { SecretChange, SecretSync } from './events.js';
import { sameSecret, withholdSecret, type ProjectedSecret } from './secret.js';

/** Where a Secret's current version stands in time: usable now, expired, not yet valid, or unreadable (null). */
export type Validity = 'valid' | 'expired' | 'not-yet-valid' | null;

/** One Secret as the state keeps it: its current version, and the version whose certificate is in force. */
export interface SecretEntry {
  readonly secret: ProjectedSecret;
  readonly validity: Validity;
  /**
   * The latest version that was readable and valid: the current one, or an earlier good one when the Secret was
   * updated to something broken (the last good certificate stays in force while it is valid); null for none.
   */
  readonly inForce: ProjectedSecret | null;
}

/** The TLS part of the routing state. */
export interface TlsState {
  /** The first list of Secrets has been folded in. */
  readonly synced: boolean;
  /** Keyed by `namespace/name`. */
  readonly secrets: ReadonlyMap<string, SecretEntry>;
}

/** The TLS state before any Secret event. */
export const EMPTY_TLS_STATE: TlsState = { synced: false, secrets: new Map() };

/** Returns the key a Secret is known by. */
export function secretKey(secret: { readonly namespace: string; readonly name: string }): string {
  return `${secret.namespace}/${secret.name}`;
}

/** Applies Secret events at time `now` (ms); returns `tls` itself when nothing changed. */
export function applySecretEvents(
  tls: TlsState,
  events: readonly (SecretChange | SecretSync)[],
  now: number,
): TlsState {
  let secrets = tls.secrets;
  let synced = tls.synced;
  let copy: Map<string, SecretEntry> | null = null;
  const writable = (): Map<string, SecretEntry> => (copy ??= new Map(secrets));
  for (const event of events) {
    if (event.type === 'SECRET_SYNC') {
      const before = copy ?? secrets;
      const next = new Map<string, SecretEntry>();
      let same = true;
      for (const secret of event.secrets) {
        const key = secretKey(secret);
        const old = before.get(key);
        const entry = settle(old, secret, now);
        if (entry !== old) same = false;
        next.set(key, entry);
      }
      // A relist that found every Secret as it was keeps the map: the state does not move.
      if (!same || next.size !== before.size) {
        secrets = next;
        copy = next;
      }
      synced = true;
      continue;
    }
    const key = secretKey(event.secret);
    const old = (copy ?? secrets).get(key);
    if (event.type === 'SECRET_DELETED') {
      if (old !== undefined) writable().delete(key);
      continue;
    }
    const entry = settle(old, event.secret, now);
    if (entry !== old) writable().set(key, entry);
  }
  const result = copy ?? secrets;
  if (result === tls.secrets && synced === tls.synced) return tls;
  return { synced, secrets: result };
}

/** Judges every Secret again at `now` (a certificate expired or became valid); returns `tls` itself when none moved. */
export function refreshSecrets(tls: TlsState, now: number): TlsState {
  let copy: Map<string, SecretEntry> | null = null;
  for (const [key, entry] of tls.secrets) {
    const next = settle(entry, entry.secret, now);
    if (next !== entry) (copy ??= new Map(tls.secrets)).set(key, next);
  }
  return copy === null ? tls : { synced: tls.synced, secrets: copy };
}

/**
 * Drops the key material of every Secret no key in `referenced` names (`namespace/name`), so keys are held in memory
 * only for Secrets some pod uses; returns `tls` itself when there was nothing to drop.
 */
export function withholdUnreferenced(tls: TlsState, referenced: ReadonlySet<string>): TlsState {
  let copy: Map<string, SecretEntry> | null = null;
  for (const [key, entry] of tls.secrets) {
    if (
      referenced.has(key) ||
      (entry.secret.withheld === true && (entry.inForce === null || entry.inForce.withheld === true))
    )
      continue;
    const secret = withholdSecret(entry.secret);
    const inForce =
      entry.inForce === null ? null : entry.inForce === entry.secret ? secret : withholdSecret(entry.inForce);
    (copy ??= new Map(tls.secrets)).set(key, { secret, validity: entry.validity, inForce });
  }
  return copy === null ? tls : { synced: tls.synced, secrets: copy };
}

/** Returns the earliest time (ms) after `now` at which some Secret's judgement changes, or null. */
export function nextSecretChange(tls: TlsState, now: number): number | null {
  let earliest: number | null = null;
  const consider = (at: number): void => {
    if (at > now && (earliest === null || at < earliest)) earliest = at;
  };
  for (const entry of tls.secrets.values()) {
    for (const secret of [entry.secret, entry.inForce]) {
      const certificate = secret?.certificate;
      if (certificate === undefined || certificate === null) continue;
      consider(certificate.notBefore);
      consider(certificate.notAfter + 1);
    }
  }
  return earliest;
}

/** Returns where a version stands at `now`. */
export function validityAt(secret: ProjectedSecret, now: number): Validity {
  const certificate = secret.certificate;
  if (secret.problem !== null || certificate === null) return null;
  if (now < certificate.notBefore) return 'not-yet-valid';
  if (now > certificate.notAfter) return 'expired';
  return 'valid';
}

function settle(old: SecretEntry | undefined, incoming: ProjectedSecret, now: number): SecretEntry {
  // A relist sends every Secret again: an unchanged one keeps its entry, so the state does not move.
  const secret = old !== undefined && sameSecret(old.secret, incoming) ? old.secret : incoming;
  const validity = validityAt(secret, now);
  const previous = old?.inForce ?? null;
  const inForce =
    validity === 'valid' ? secret : previous !== null && validityAt(previous, now) === 'valid' ? previous : null;
  if (old !== undefined && old.secret === secret && old.validity === validity && old.inForce === inForce) return old;
  return { secret, validity, inForce };
}

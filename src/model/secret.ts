// What the controller knows of a `kubernetes.io/tls` Secret: facts read from its certificate by the source (which
// parses it with node:crypto; the model stays pure), and the key material, kept opaque so that no log, JSON text or
// inspection of a state can ever show it.
import type { IssueCode } from './issue.js';

/** The Secret type the controller serves certificates from. */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/** What the certificate of a Secret says, as far as choosing and naming it goes. Public facts only. */
export interface CertificateFacts {
  /** sha256 (hex) of the DER bytes of every certificate in `tls.crt`, in order: names the key file. */
  readonly sha256: string;
  /** The names the leaf certificate covers: its DNS and IP SANs, lower-cased; its CN only when it has no SAN. */
  readonly names: readonly string[];
  /** notBefore, ms since the epoch. */
  readonly notBefore: number;
  /** notAfter, ms since the epoch. */
  readonly notAfter: number;
}

/** Why a Secret cannot be served, found while reading it (validity in time is judged later, on the pipeline's clock). */
export interface SecretProblem {
  readonly code: IssueCode;
  /** Names the rule broken; never holds any byte of the Secret's data. */
  readonly message: string;
}

/**
 * The certificate chain and private key of a Secret, for the key file only. Holds them behind a function, so that
 * JSON.stringify, util.inspect and structured logging see `[redacted]`.
 */
export interface KeyMaterial {
  /** Returns the file nginx reads: the chain, then the key, PEM. */
  readonly pem: () => string;
}

/** A Secret projected onto what TLS needs. `certificate` is null when it cannot be read; `material` when redacted. */
export interface ProjectedSecret {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly certificate: CertificateFacts | null;
  readonly problem: SecretProblem | null;
  readonly material: KeyMaterial | null;
  /**
   * The key material was left out because no pod referenced the Secret when it was read (or since): it is fetched
   * again when one does, and until then the Secret serves nothing. Absent (false) when redacted by a recording of a
   * Secret that was referenced: replay renders those.
   */
  readonly withheld?: boolean;
}

/** Returns key material that redacts itself wherever it could be printed. */
export function keyMaterial(pem: () => string): KeyMaterial {
  const material = {
    pem,
    toJSON: () => '[redacted]',
    toString: () => '[redacted]',
    [Symbol.for('nodejs.util.inspect.custom')]: () => '[redacted]',
  };
  Object.defineProperty(material, 'pem', { enumerable: false });
  return Object.freeze(material);
}

/** Returns the Secret without its key material: what a recording keeps and replay reads. */
export function redactSecret(secret: ProjectedSecret): ProjectedSecret {
  return secret.material === null ? secret : { ...secret, material: null };
}

/** Returns the Secret without its key material, marked withheld: what the state keeps of an unreferenced Secret. */
export function withholdSecret(secret: ProjectedSecret): ProjectedSecret {
  return secret.withheld === true ? secret : { ...secret, material: null, withheld: true };
}

/** Returns the key file of a certificate, relative to nginx.conf's directory: content-addressed by the chain. */
export function keyFileName(certificate: CertificateFacts): string {
  return `tls/${certificate.sha256}.pem`;
}

/** Tells whether two projections serve the same (material is implied by the chain: the key must match it). */
export function sameSecret(a: ProjectedSecret, b: ProjectedSecret): boolean {
  return (
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.type === b.type &&
    a.certificate?.sha256 === b.certificate?.sha256 &&
    a.problem?.code === b.problem?.code &&
    a.problem?.message === b.problem?.message &&
    (a.material === null) === (b.material === null) &&
    (a.withheld ?? false) === (b.withheld ?? false)
  );
}

/**
 * Tells whether a certificate name covers a host as TLS does (RFC 6125): an exact match, or a `*.` wildcard standing
 * for exactly one leftmost label (`*.example.com` covers `a.example.com`, not `example.com` or `a.b.example.com`).
 * A wildcard host is covered only by the same wildcard.
 */
export function nameCovers(name: string, host: string): boolean {
  if (name === host) return true;
  if (!name.startsWith('*.') || host.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot) === name.slice(1);
}

/** Tells whether a certificate covers a host by any of its names. */
export function certificateCovers(certificate: CertificateFacts, host: string): boolean {
  return certificate.names.some((name) => nameCovers(name, host));
}

// The one place a Secret is turned into recording text: built field by field from public facts, never by
// serialising the projection (which holds the key material), so no future field can carry a key into a file.
import type { IssueCode } from './issue.js';
import type { ProjectedSecret } from './secret.js';

/** A Secret as a recording keeps it: enough for replay to render the same config, nothing secret. */
export interface RecordedSecret {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly certificate: {
    readonly sha256: string;
    readonly names: readonly string[];
    readonly notBefore: string;
    readonly notAfter: string;
  } | null;
  readonly problem: { readonly code: string; readonly message: string } | null;
  /** The live run held no key for it (no pod referenced it): replay serves nothing from it either. */
  readonly withheld?: true;
}

/** Returns the redacted form of a projected Secret. */
export function recordedSecret(secret: ProjectedSecret): RecordedSecret {
  const { certificate, problem } = secret;
  return {
    namespace: secret.namespace,
    name: secret.name,
    type: secret.type,
    certificate:
      certificate === null
        ? null
        : {
            sha256: certificate.sha256,
            names: [...certificate.names],
            notBefore: new Date(certificate.notBefore).toISOString(),
            notAfter: new Date(certificate.notAfter).toISOString(),
          },
    problem: problem === null ? null : { code: problem.code, message: problem.message },
    ...(secret.withheld === true ? { withheld: true as const } : {}),
  };
}

const PROBLEM_CODES: ReadonlySet<string> = new Set<IssueCode>([
  'tls-secret-wrong-type',
  'tls-secret-invalid',
  'tls-key-mismatch',
  'tls-secret-too-large',
]);

/** Reads a recorded Secret back (material null: replay names key files but never has keys), or says why not. */
export function readRecordedSecret(value: unknown): ProjectedSecret | string {
  if (typeof value !== 'object' || value === null) return 'a Secret must be an object';
  const { namespace, name, type, certificate, problem, withheld } = value as Record<string, unknown>;
  if (typeof namespace !== 'string' || namespace === '' || typeof name !== 'string' || name === '')
    return 'a Secret needs a namespace and a name';
  const base = {
    namespace,
    name,
    type: typeof type === 'string' ? type : '',
    material: null,
    ...(withheld === true ? { withheld: true } : {}),
  };
  if (problem !== null && problem !== undefined) {
    const { code, message } = problem as Record<string, unknown>;
    if (typeof code !== 'string' || !PROBLEM_CODES.has(code) || typeof message !== 'string')
      return `Secret ${namespace}/${name}: "problem" needs a known code and a message`;
    return { ...base, certificate: null, problem: { code: code as IssueCode, message } };
  }
  if (certificate === null || certificate === undefined) return { ...base, certificate: null, problem: null };
  const { sha256, names, notBefore, notAfter } = certificate as Record<string, unknown>;
  const from = typeof notBefore === 'string' ? Date.parse(notBefore) : NaN;
  const until = typeof notAfter === 'string' ? Date.parse(notAfter) : NaN;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))
    return `Secret ${namespace}/${name}: certificate.sha256 must be 64 hex digits`;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
    return `Secret ${namespace}/${name}: certificate.names must be a list of names`;
  if (Number.isNaN(from) || Number.isNaN(until))
    return `Secret ${namespace}/${name}: certificate.notBefore and notAfter must be RFC 3339 times`;
  return {
    ...base,
    certificate: { sha256, names: names as string[], notBefore: from, notAfter: until },
    problem: null,
  };
}

// What nginx's OpenSSL refuses to load although node:crypto reads it: at the security level Debian's OpenSSL 3
// uses (2: 112 bits), loading the chain fails ("ee key too small", "ca key too small", "ca md too weak"), `nginx -t`
// fails, and the whole config, every other host's change included, is rejected. Such a Secret is refused when read.
import type { KeyObject, X509Certificate } from 'node:crypto';

/** Smallest RSA or DSA modulus and EC curve size accepted, in bits (OpenSSL security level 2). */
export const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 224;

// DER of the signature algorithm OIDs with MD5 or SHA-1 (refused at security level 1 and up).
const WEAK_SIGNATURES: ReadonlyMap<string, string> = new Map([
  ['2a864886f70d010104', 'MD5 with RSA'],
  ['2a864886f70d010105', 'SHA-1 with RSA'],
  ['2b0e03021d', 'SHA-1 with RSA'],
  ['2a8648ce3d0401', 'ECDSA with SHA-1'],
  ['2a8648ce380403', 'DSA with SHA-1'],
]);

/** Returns why nginx's OpenSSL would refuse this chain (no byte of it or of the key), or null when it loads it. */
export function keyWeakness(chain: readonly X509Certificate[]): string | null {
  for (const [index, cert] of chain.entries()) {
    // The leaf's public key is the private key's (checked before): every key of the chain is judged, as OpenSSL does.
    const weakKey = keyTooSmall(cert.publicKey);
    if (weakKey !== null) return `certificate ${index + 1} of tls.crt has ${weakKey}`;
    // OpenSSL does not judge the signature of a self-signed certificate: nothing depends on it.
    if (cert.subject === cert.issuer) continue;
    const weak = WEAK_SIGNATURES.get(signatureAlgorithm(cert.raw) ?? '');
    if (weak !== undefined)
      return `certificate ${index + 1} of tls.crt is signed with ${weak}, which nginx's OpenSSL refuses`;
  }
  return null;
}

function keyTooSmall(key: KeyObject): string | null {
  const details = key.asymmetricKeyDetails ?? {};
  const type = key.asymmetricKeyType ?? '';
  if ((type === 'rsa' || type === 'rsa-pss' || type === 'dsa') && (details.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `a ${details.modulusLength ?? 0}-bit ${type.toUpperCase()} key; nginx's OpenSSL refuses keys under ${MIN_RSA_BITS} bits`;
  }
  if (type === 'ec') {
    const bits = Number(/(\d{3})/.exec(details.namedCurve ?? '')?.[1] ?? 0);
    if (bits < MIN_EC_BITS)
      return `a key on the EC curve ${JSON.stringify((details.namedCurve ?? 'unknown').slice(0, 32))}; nginx's OpenSSL refuses curves under ${MIN_EC_BITS} bits`;
  }
  return null;
}

/** Returns the hex DER of the outer signatureAlgorithm OID of a certificate, or null if it cannot be found. */
function signatureAlgorithm(der: Buffer): string | null {
  const outer = header(der, 0);
  if (outer === null) return null;
  const tbs = header(der, outer.body);
  if (tbs === null) return null;
  const algorithm = header(der, tbs.body + tbs.length);
  if (algorithm === null) return null;
  const oid = header(der, algorithm.body);
  if (oid === null || der[algorithm.body] !== 0x06) return null;
  return der.subarray(oid.body, oid.body + oid.length).toString('hex');
}

/** Reads a DER tag and length at `at`: where the body starts and how long it is. */
function header(der: Buffer, at: number): { body: number; length: number } | null {
  if (at + 2 > der.length) return null;
  const first = der[at + 1]!;
  if (first < 0x80) return { body: at + 2, length: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4 || at + 2 + count > der.length) return null;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[at + 2 + i]!;
  return { body: at + 2 + count, length };
}

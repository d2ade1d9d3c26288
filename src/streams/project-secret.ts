// Reads a Secret object from the API into what TLS needs, with node:crypto: the certificate's public facts, the
// problems found, and the key material (only for a readable Secret). No message ever carries a byte of its data.
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { isIPv4, isValidHost } from '../model/validate.js';
import { keyWeakness } from './key-strength.js';
import {
  keyMaterial,
  TLS_SECRET_TYPE,
  type CertificateFacts,
  type ProjectedSecret,
  type SecretProblem,
} from '../model/secret.js';

/** Largest Secret data read (tls.crt plus tls.key, base64), unless the settings say otherwise. */
export const DEFAULT_MAX_SECRET_BYTES = 64 * 1024;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/**
 * Projects a Secret object; returns why it cannot be read at all (no name or namespace), as text. With `keep`
 * false the Secret is still checked, but its key material is not kept (`withheld`): no pod references it.
 */
export function projectSecret(
  raw: unknown,
  maxBytes: number = DEFAULT_MAX_SECRET_BYTES,
  keep: (key: string) => boolean = () => true,
): ProjectedSecret | string {
  const metadata = field(raw, 'metadata');
  const name = field(metadata, 'name');
  const namespace = field(metadata, 'namespace');
  if (typeof name !== 'string' || name === '') return 'Secret has no metadata.name';
  if (typeof namespace !== 'string' || namespace === '') return `Secret ${name} has no metadata.namespace`;
  const type = typeof field(raw, 'type') === 'string' ? (field(raw, 'type') as string) : '';
  const base = { namespace, name, type, certificate: null, material: null };
  const broken = (problem: SecretProblem): ProjectedSecret => ({ ...base, problem });
  if (type !== TLS_SECRET_TYPE)
    return broken({
      code: 'tls-secret-wrong-type',
      message: `is of type ${JSON.stringify(type.slice(0, 64))}, not ${TLS_SECRET_TYPE}`,
    });
  const data = field(raw, 'data');
  const crt = field(data, 'tls.crt');
  const key = field(data, 'tls.key');
  const size = (typeof crt === 'string' ? crt.length : 0) + (typeof key === 'string' ? key.length : 0);
  // Checked before decoding anything: an oversized Secret costs nothing but this comparison.
  if (size > maxBytes)
    return broken({
      code: 'tls-secret-too-large',
      message: `holds ${size} bytes of tls.crt and tls.key (base64), over the limit of ${maxBytes}`,
    });
  if (typeof crt !== 'string' || crt === '') return broken({ code: 'tls-secret-invalid', message: 'has no tls.crt' });
  if (typeof key !== 'string' || key === '') return broken({ code: 'tls-secret-invalid', message: 'has no tls.key' });
  const chain = readChain(Buffer.from(crt, 'base64').toString('latin1'));
  if (typeof chain === 'string') return broken({ code: 'tls-secret-invalid', message: chain });
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(key, 'base64'), format: 'pem' });
  } catch {
    return broken({ code: 'tls-secret-invalid', message: 'tls.key is not a readable, unencrypted PEM private key' });
  }
  const leaf = chain[0]!;
  if (!leaf.checkPrivateKey(privateKey))
    return broken({
      code: 'tls-key-mismatch',
      message: 'tls.key is not the private key of the certificate in tls.crt',
    });
  const weakness = keyWeakness(chain);
  if (weakness !== null) return broken({ code: 'tls-secret-invalid', message: weakness });
  const certificate = facts(chain);
  if (typeof certificate === 'string') return broken({ code: 'tls-secret-invalid', message: certificate });
  // The file is normalised (chain re-encoded, key as PKCS#8), so its content follows from the chain alone: the key
  // must match the leaf. That is why the file can be named by the chain's hash, which a redacted recording keeps.
  const pem = (): string =>
    chain.map((cert) => cert.toString()).join('') + (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  if (!keep(`${namespace}/${name}`))
    return { namespace, name, type, certificate, problem: null, material: null, withheld: true };
  return { namespace, name, type, certificate, problem: null, material: keyMaterial(pem) };
}

function readChain(text: string): X509Certificate[] | string {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return 'tls.crt holds no PEM certificate';
  if (blocks.length > 16) return `tls.crt holds ${blocks.length} certificates, more than 16`;
  const chain: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      chain.push(new X509Certificate(block));
    } catch {
      return `certificate ${index + 1} of tls.crt cannot be parsed`;
    }
  }
  return chain;
}

function facts(chain: readonly X509Certificate[]): CertificateFacts | string {
  const leaf = chain[0]!;
  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) return "the certificate's validity dates cannot be read";
  const hash = createHash('sha256');
  for (const cert of chain) hash.update(cert.raw);
  return { sha256: hash.digest('hex'), names: certificateNames(leaf), notBefore, notAfter };
}

/**
 * Returns the names a certificate covers: DNS and IPv4 SANs; the subject's CN only when there is no SAN at all
 * (RFC 6125). Names that are not host names (or that the reader had to quote) are left out: they cover nothing.
 */
export function certificateNames(cert: X509Certificate): string[] {
  const names = new Set<string>();
  const san = cert.subjectAltName;
  if (san !== undefined && san !== '') {
    for (const entry of san.split(', ')) {
      const dns = /^DNS:(.+)$/.exec(entry)?.[1];
      const ip = /^IP Address:(.+)$/.exec(entry)?.[1];
      const name = (dns ?? ip ?? '').toLowerCase();
      if ((dns !== undefined && isValidHost(name)) || (ip !== undefined && isIPv4(name))) names.add(name);
    }
    return [...names].sort();
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]?.toLowerCase();
  return cn !== undefined && isValidHost(cn) ? [cn] : [];
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

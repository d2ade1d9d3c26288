// Certificates made in the test with Debian's openssl: a CA, and leaves signed by it with chosen SANs and validity
// (`openssl ca -startdate/-enddate`, since openssl 3.0's `x509` and `req` cannot backdate). EC P-256, for speed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeSecret } from './fake-api-server.js';

/** A certificate authority on disk. */
export interface TestCa {
  readonly dir: string;
  readonly certPem: string;
  /** Removes its directory. */
  dispose(): void;
}

/** A leaf certificate and its private key, PEM. */
export interface Leaf {
  readonly certPem: string;
  readonly keyPem: string;
}

/** What a leaf is made with. */
export interface LeafOptions {
  /** subjectAltName entries such as `DNS:shop.test` or `IP:127.0.0.1`; none: a certificate with only a CN. */
  readonly sans?: readonly string[];
  readonly cn?: string;
  /** Validity as `YYYYMMDDHHMMSSZ`; default from one day ago to 30 days ahead. */
  readonly notBefore?: string;
  readonly notAfter?: string;
  /** The key, as `openssl req -newkey` takes it (`rsa:2048`, `ec`); default EC P-256. */
  readonly key?: string;
  /** The EC curve when `key` is `ec` (default prime256v1). */
  readonly curve?: string;
  /** The digest the CA signs with (default sha256). */
  readonly md?: string;
}

function openssl(args: readonly string[], cwd: string): string {
  try {
    return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { code?: string; stderr?: string };
    if (failure.code === 'ENOENT')
      throw new Error('openssl is not installed (apt-get install -y openssl): the TLS tests need it');
    throw new Error(`openssl ${args[0]} failed: ${failure.stderr ?? String(error)}`);
  }
}

/** Formats a time as openssl's `YYYYMMDDHHMMSSZ`. */
export function opensslTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Makes a CA in a temporary directory. */
export function makeCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'));
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir/certs',
      'serial = $dir/serial',
      'default_md = sha256',
      'policy = any',
      'copy_extensions = copy',
      'unique_subject = no',
      'email_in_dn = no',
      '[any]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-subj',
      '/CN=k8s-pods-ingress test CA',
      '-days',
      '30',
    ],
    dir,
  );
  return {
    dir,
    certPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

let counter = 0;

/** Makes a leaf signed by the CA. */
export function makeLeaf(ca: TestCa, options: LeafOptions = {}): Leaf {
  const name = `leaf-${process.pid}-${++counter}`;
  const sans = options.sans ?? [];
  const cn = options.cn ?? sans[0]?.replace(/^DNS:|^IP:/, '') ?? 'leaf.test';
  const key = options.key ?? 'ec';
  const keyArgs =
    key === 'ec'
      ? ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${options.curve ?? 'prime256v1'}`]
      : ['-newkey', key];
  const req = [
    'req',
    '-new',
    ...keyArgs,
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ];
  if (sans.length > 0) req.push('-addext', `subjectAltName=${sans.join(',')}`);
  openssl(req, ca.dir);
  const now = Date.now();
  openssl(
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.pem',
      '-keyfile',
      'ca.key',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.pem`,
      '-md',
      options.md ?? 'sha256',
      '-startdate',
      options.notBefore ?? opensslTime(now - 86_400_000),
      '-enddate',
      options.notAfter ?? opensslTime(now + 30 * 86_400_000),
    ],
    ca.dir,
  );
  return {
    certPem: readFileSync(join(ca.dir, `${name}.pem`), 'utf8'),
    keyPem: readFileSync(join(ca.dir, `${name}.key`), 'utf8'),
  };
}

/** Builds a `kubernetes.io/tls` Secret of a leaf (or any certificate and key text). */
export function tlsSecret(
  namespace: string,
  name: string,
  leaf: { readonly certPem: string; readonly keyPem: string },
  type = 'kubernetes.io/tls',
): FakeSecret {
  return {
    metadata: { namespace, name },
    type,
    data: {
      'tls.crt': Buffer.from(leaf.certPem).toString('base64'),
      'tls.key': Buffer.from(leaf.keyPem).toString('base64'),
    },
  };
}

/** Returns the base64 body of a PEM private key: what must never appear in a log or a recording. */
export function keyBody(keyPem: string): string[] {
  return keyPem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
}

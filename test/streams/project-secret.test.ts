// Reading Secrets with node:crypto, on certificates made by openssl: every problem is found, names are read as TLS
// does, the key file is named by the chain, and no message or serialisation carries the key.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { keyBody, makeCa, makeLeaf, tlsSecret } from '../support/certificates.js';
import { projectSecret } from '../../src/streams/project-secret.js';
import type { ProjectedSecret } from '../../src/model/secret.js';

const ca = makeCa();
after(() => ca.dispose());
const leaf = makeLeaf(ca, { sans: ['DNS:Shop.Test', 'DNS:*.shop.test', 'IP:127.0.0.1', 'email:a@b.test'] });
const other = makeLeaf(ca, { sans: ['DNS:other.test'] });
const cnOnly = makeLeaf(ca, { cn: 'legacy.test' });
const weakRsa = makeLeaf(ca, { sans: ['DNS:weak.test'], key: 'rsa:1024' });
const weakEc = makeLeaf(ca, { sans: ['DNS:weak.test'], curve: 'prime192v1' });
const sha1Signed = makeLeaf(ca, { sans: ['DNS:weak.test'], md: 'sha1' });
const strongRsa = makeLeaf(ca, { sans: ['DNS:rsa.test'], key: 'rsa:2048' });

const read = (value: unknown, maxBytes?: number): ProjectedSecret => {
  const result = projectSecret(value, maxBytes);
  assert.equal(typeof result, 'object', String(result));
  return result as ProjectedSecret;
};

test('each broken Secret gets its problem code, and no material', () => {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const cases: [string, unknown, string][] = [
    ['wrong type', tlsSecret('a', 'b', leaf, 'Opaque'), 'tls-secret-wrong-type'],
    [
      'no tls.crt',
      { metadata: { namespace: 'a', name: 'b' }, type: 'kubernetes.io/tls', data: { 'tls.key': b64(leaf.keyPem) } },
      'tls-secret-invalid',
    ],
    [
      'no tls.key',
      { metadata: { namespace: 'a', name: 'b' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(leaf.certPem) } },
      'tls-secret-invalid',
    ],
    ['garbage certificate', tlsSecret('a', 'b', { certPem: 'hello', keyPem: leaf.keyPem }), 'tls-secret-invalid'],
    [
      'corrupt PEM body',
      tlsSecret('a', 'b', {
        certPem: leaf.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA'),
        keyPem: leaf.keyPem,
      }),
      'tls-secret-invalid',
    ],
    ['garbage key', tlsSecret('a', 'b', { certPem: leaf.certPem, keyPem: 'not a key' }), 'tls-secret-invalid'],
    [
      'key of another certificate',
      tlsSecret('a', 'b', { certPem: leaf.certPem, keyPem: other.keyPem }),
      'tls-key-mismatch',
    ],
    [
      'oversized',
      tlsSecret('a', 'b', { certPem: leaf.certPem + 'x'.repeat(70_000), keyPem: leaf.keyPem }),
      'tls-secret-too-large',
    ],
    // Read by node:crypto, but refused by nginx's OpenSSL (nginx -t would fail, and with it every host's change).
    ['RSA key under 2048 bits', tlsSecret('a', 'b', weakRsa), 'tls-secret-invalid'],
    ['EC curve under 224 bits', tlsSecret('a', 'b', weakEc), 'tls-secret-invalid'],
    ['leaf signed with SHA-1', tlsSecret('a', 'b', sha1Signed), 'tls-secret-invalid'],
    [
      'chain certificate with an RSA key under 2048 bits',
      tlsSecret('a', 'b', { certPem: leaf.certPem + weakRsa.certPem, keyPem: leaf.keyPem }),
      'tls-secret-invalid',
    ],
  ];
  for (const [name, value, code] of cases) {
    const secret = read(value);
    assert.equal(secret.problem?.code, code, name);
    if (name.startsWith('RSA'))
      assert.match(
        secret.problem!.message,
        /certificate 1 of tls.crt has a 1024-bit RSA key; nginx's OpenSSL refuses keys under 2048 bits/,
      );
    if (name.startsWith('EC')) assert.match(secret.problem!.message, /EC curve "prime192v1"/);
    if (name.startsWith('chain'))
      assert.match(secret.problem!.message, /certificate 2 of tls.crt has a 1024-bit RSA key/);
    if (name.startsWith('leaf'))
      assert.match(secret.problem!.message, /certificate 1 of tls.crt is signed with ECDSA with SHA-1/);
    assert.equal(secret.material, null, name);
    for (const line of keyBody(leaf.keyPem).concat(keyBody(other.keyPem)))
      assert.ok(!secret.problem!.message.includes(line), `${name}: key in message`);
  }
  assert.equal(read(tlsSecret('a', 'b', leaf), 1024).problem?.code, 'tls-secret-too-large', 'the limit is a setting');
  assert.equal(typeof projectSecret({ metadata: { name: 'x' } }), 'string', 'no namespace: unreadable');
});

test('keys and signatures nginx loads are accepted: RSA 2048, EC P-256', () => {
  assert.equal(read(tlsSecret('a', 'b', strongRsa)).problem, null, 'RSA 2048');
  assert.equal(read(tlsSecret('a', 'b', leaf)).problem, null, 'EC P-256');
});

test('a good Secret: names as TLS reads them, validity, and a file named by the chain', () => {
  const secret = read(tlsSecret('a', 'b', leaf));
  assert.equal(secret.problem, null);
  assert.deepEqual(
    secret.certificate?.names,
    ['*.shop.test', '127.0.0.1', 'shop.test'],
    'lower-cased DNS and IP SANs, no e-mail',
  );
  const x509 = new X509Certificate(leaf.certPem);
  assert.equal(secret.certificate?.notAfter, Date.parse(x509.validTo));
  assert.equal(secret.certificate?.sha256, createHash('sha256').update(x509.raw).digest('hex'));
  const pem = secret.material!.pem();
  // The PEM label is assembled here so that no file of the repo holds a private key's opening line: the test's keys
  // are all made by openssl at run time (test/support/certificates.ts).
  const keyLabel = ['BEGIN', 'PRIVATE', 'KEY'].join(' ');
  assert.ok(pem.startsWith('-----BEGIN CERTIFICATE-----'), 'the chain comes first');
  assert.ok(pem.includes(`-----${keyLabel}-----`), 'then the key as PKCS#8');
  // The CN counts only without SANs.
  assert.deepEqual(read(tlsSecret('a', 'c', cnOnly)).certificate?.names, ['legacy.test']);
});

test('a chain is kept in order and names the file by all of it', () => {
  const chained = read(tlsSecret('a', 'b', { certPem: leaf.certPem + ca.certPem, keyPem: leaf.keyPem }));
  const hash = createHash('sha256')
    .update(new X509Certificate(leaf.certPem).raw)
    .update(new X509Certificate(ca.certPem).raw)
    .digest('hex');
  assert.equal(chained.certificate?.sha256, hash);
  assert.equal(chained.material!.pem().match(/BEGIN CERTIFICATE/g)?.length, 2);
});

test('key material shows as [redacted] in JSON, inspection and string conversion', () => {
  const secret = read(tlsSecret('a', 'b', leaf));
  for (const text of [
    JSON.stringify(secret),
    inspect(secret, { depth: 10, showHidden: true }),
    String(secret.material),
    `${JSON.stringify({ secret })}`,
  ]) {
    for (const line of keyBody(leaf.keyPem)) assert.ok(!text.includes(line), `key bytes in ${text.slice(0, 80)}`);
    assert.ok(!text.includes('PRIVATE KEY'));
  }
});

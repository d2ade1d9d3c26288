// Key files: written once per certificate, 0600 in a 0700 directory, atomically; kept while the config in force or
// the one waiting names them, removed after; never logged with their content.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { keyMaterial, type KeyMaterial } from '../../src/model/secret.js';
import type { RenderedConfig } from '../../src/model/rendered-config.js';
import { TlsFiles } from '../../src/sinks/tls-files.js';
import { captureLogs } from '../support/log-capture.js';

const A = `tls/${'a'.repeat(64)}.pem`;
const B = `tls/${'b'.repeat(64)}.pem`;

function config(files: Record<string, KeyMaterial | null>): RenderedConfig {
  return {
    text: '',
    hash: Object.keys(files).join(),
    routes: 0,
    backends: 0,
    issues: [],
    tlsFiles: new Map(Object.entries(files)),
  };
}

function setup(t: TestContext): { dir: string; files: TlsFiles; lines: Record<string, unknown>[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tls-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { logger, lines } = captureLogs('debug');
  return { dir, files: new TlsFiles(join(dir, 'nginx.conf'), logger), lines };
}

test('writes each named file once, 0600 in a 0700 directory, with the material', (t) => {
  const { dir, files, lines } = setup(t);
  let reads = 0;
  const secret = keyMaterial(() => (reads++, 'SECRET-KEY-BYTES'));
  files.write(config({ [A]: secret }));
  files.write(config({ [A]: secret }));
  assert.equal(reads, 1, 'content-addressed: an existing file is not rewritten');
  assert.equal(statSync(join(dir, 'tls')).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, A)).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, A), 'utf8'), 'SECRET-KEY-BYTES');
  assert.deepEqual(readdirSync(join(dir, 'tls')), [A.slice(4)], 'no temp file left behind');
  assert.ok(!JSON.stringify(lines).includes('SECRET-KEY-BYTES'));
});

test('tightens a directory left too open', (t) => {
  const { dir, files } = setup(t);
  files.write(config({ [A]: keyMaterial(() => 'x') }));
  chmodSync(join(dir, 'tls'), 0o755);
  files.write(config({ [B]: keyMaterial(() => 'y') }));
  assert.equal(statSync(join(dir, 'tls')).mode & 0o777, 0o700);
});

test('prunes what neither the applied nor the latest config names, and stale temp files', (t) => {
  const { dir, files } = setup(t);
  const a = config({ [A]: keyMaterial(() => 'a') });
  const b = config({ [B]: keyMaterial(() => 'b') });
  files.write(a);
  files.write(b);
  writeFileSync(join(dir, 'tls', '.tmp-1-2'), 'half');
  writeFileSync(join(dir, 'tls', 'README'), 'not ours');
  // a is in force while b waits: both stay.
  files.prune(a);
  assert.ok(existsSync(join(dir, A)) && existsSync(join(dir, B)));
  assert.ok(!existsSync(join(dir, 'tls', '.tmp-1-2')));
  files.prune(b);
  assert.ok(!existsSync(join(dir, A)));
  assert.ok(existsSync(join(dir, B)));
  assert.ok(existsSync(join(dir, 'tls', 'README')), 'files that are not key files are left alone');
});

test('a redacted Secret names a file it cannot write: logged, not thrown', (t) => {
  const { dir, files, lines } = setup(t);
  files.write(config({ [A]: null }));
  assert.ok(!existsSync(join(dir, A)));
  assert.ok(lines.some((line) => String(line['message']).includes('no key material')));
});

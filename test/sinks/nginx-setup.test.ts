import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nginxSetupProblem } from '../../src/sinks/nginx-paths.js';
import { runCli } from '../support/cli.js';

test('a wrong NGINX_BIN or an unwritable NGINX_CONF directory is found before start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-setup-'));
  const fake = join(dir, 'fake-nginx');
  writeFileSync(fake, '#!/bin/sh\nexit 0\n');
  chmodSync(fake, 0o755);
  const cases: [string, string, Record<string, string>, RegExp | null][] = [
    [fake, join(dir, 'nginx.conf'), {}, null],
    ['fake-nginx', join(dir, 'nginx.conf'), { PATH: dir }, null],
    ['nginx-that-does-not-exist', join(dir, 'nginx.conf'), { PATH: dir }, /NGINX_BIN nginx-that-does-not-exist is not an executable file on PATH/],
    [join(dir, 'nginx.conf'), join(dir, 'nginx.conf'), {}, /is not an executable file/],
    [fake, '/no/such/dir/nginx.conf', {}, /NGINX_CONF \/no\/such\/dir\/nginx\.conf: its directory \/no\/such\/dir\/ does not exist or is not writable/],
  ];
  for (const [bin, conf, env, expected] of cases) {
    const problem = nginxSetupProblem(bin, conf, env);
    if (expected === null) assert.equal(problem, null, `${bin} ${conf}`);
    else assert.match(problem ?? '', expected, `${bin} ${conf}`);
  }
});

test('run --sink nginx with a wrong NGINX_BIN stops at once with exit 2', () => {
  const { status, stderr } = runCli(['run', '--sink', 'nginx', '--nginx-bin', '/no/such/nginx', '--nginx-conf', join(tmpdir(), 'nginx.conf'), '--http-port', '0'], { KUBE_HOST: 'http://127.0.0.1:9' });
  assert.equal(status, 2, stderr);
  assert.match(stderr, /NGINX_BIN \/no\/such\/nginx is not an executable file/);
});

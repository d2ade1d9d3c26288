import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { luaProblem } from '../../src/sinks/lua-files.js';
import { nginxSetupProblem } from '../../src/sinks/nginx-paths.js';
import { runCli } from '../support/cli.js';
import { NGINX } from '../support/nginx-check.js';

test('a wrong NGINX_BIN or an unwritable NGINX_CONF directory is found before start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-setup-'));
  const fake = join(dir, 'fake-nginx');
  writeFileSync(fake, '#!/bin/sh\nexit 0\n');
  chmodSync(fake, 0o755);
  const cases: [string, string, Record<string, string>, RegExp | null][] = [
    [fake, join(dir, 'nginx.conf'), {}, null],
    ['fake-nginx', join(dir, 'nginx.conf'), { PATH: dir }, null],
    [
      'nginx-that-does-not-exist',
      join(dir, 'nginx.conf'),
      { PATH: dir },
      /NGINX_BIN nginx-that-does-not-exist is not an executable file on PATH/,
    ],
    [join(dir, 'nginx.conf'), join(dir, 'nginx.conf'), {}, /is not an executable file/],
    [
      fake,
      '/no/such/dir/nginx.conf',
      {},
      /NGINX_CONF \/no\/such\/dir\/nginx\.conf: its directory \/no\/such\/dir\/ does not exist or is not writable/,
    ],
  ];
  for (const [bin, conf, env, expected] of cases) {
    const problem = nginxSetupProblem(bin, conf, env);
    if (expected === null) assert.equal(problem, null, `${bin} ${conf}`);
    else assert.match(problem ?? '', expected, `${bin} ${conf}`);
  }
});

test('run --sink nginx with a wrong NGINX_BIN stops at once with exit 2', () => {
  const { status, stderr } = runCli(
    [
      'run',
      '--sink',
      'nginx',
      '--nginx-bin',
      '/no/such/nginx',
      '--nginx-conf',
      join(tmpdir(), 'nginx.conf'),
      '--http-port',
      '0',
    ],
    { KUBE_HOST: 'http://127.0.0.1:9' },
  );
  assert.equal(status, 2, stderr);
  assert.match(stderr, /NGINX_BIN \/no\/such\/nginx is not an executable file/);
});

test('dynamic backends: a missing or unloadable Lua module is found before start-up, naming the packages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lua-'));
  // Module files that exist but are not modules: nginx -t of the probe config fails on load_module.
  for (const name of ['ndk_http_module.so', 'ngx_http_lua_module.so']) writeFileSync(join(dir, name), 'not a module');
  const cases: [string, string, RegExp | null][] = [
    ['shipped modules', '/usr/lib/nginx/modules', null],
    [
      'no such directory',
      '/no/such/modules',
      /\/no\/such\/modules\/ndk_http_module\.so and \/no\/such\/modules\/ngx_http_lua_module\.so are missing; install them with: apt-get install libnginx-mod-http-lua lua-resty-core/,
    ],
    [
      'files that are not modules',
      dir,
      /cannot load the Lua module from .*dlopen.*; install them with: apt-get install libnginx-mod-http-lua lua-resty-core/,
    ],
  ];
  for (const [name, modulesDir, expected] of cases) {
    const problem = luaProblem(NGINX, modulesDir);
    if (expected === null) assert.equal(problem, null, name);
    else assert.match(problem ?? '', expected, name);
  }
});

test('run --sink nginx in dynamic mode without the Lua module stops at once with exit 2, naming the packages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lua-run-'));
  const args = [
    'run',
    '--sink',
    'nginx',
    '--nginx-conf',
    join(dir, 'nginx.conf'),
    '--http-port',
    '0',
    '--nginx-modules-dir',
    '/no/such/modules',
  ];
  const { status, stderr } = runCli(args, { KUBE_HOST: 'http://127.0.0.1:9' });
  assert.equal(status, 2, stderr);
  assert.match(
    stderr,
    /--backends dynamic needs nginx's Lua module.*apt-get install libnginx-mod-http-lua lua-resty-core/,
  );
  const viaEnv = runCli(args.slice(0, -2), {
    KUBE_HOST: 'http://127.0.0.1:9',
    K8S_PODS_INGRESS_NGINX_MODULES_DIR: '/no/such/modules',
  });
  assert.equal(viaEnv.status, 2, viaEnv.stderr);
  assert.match(
    runCli([...args, '--backends', 'nope'], {}).stderr,
    /--backends: "nope" is not accepted: accepted values are dynamic, static/,
  );
});

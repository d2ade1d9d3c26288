// The nginx side of dynamic backends: the team's Lua files (lua/k8s_pods_ingress in the repo), copied into the
// prefix where the rendered config's `lua_package_path "$prefix/lua/?.lua;;"` finds them, and a start-up check that
// this nginx can load Debian's Lua module at all.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LUA_SOURCE_DIR } from '../package-files.js';

/** The Debian packages dynamic mode needs. */
export const LUA_PACKAGES = 'libnginx-mod-http-lua lua-resty-core';

const MODULES = ['ndk_http_module.so', 'ngx_http_lua_module.so'];

/** Copies the Lua files into `<prefix>/lua/k8s_pods_ingress/` (readable by nginx's workers, which may be nobody). */
export function installLua(prefix: string): void {
  const target = join(prefix, 'lua', 'k8s_pods_ingress');
  mkdirSync(target, { recursive: true, mode: 0o755 });
  for (const dir of [join(prefix, 'lua'), target]) chmodSync(dir, 0o755);
  for (const name of readdirSync(LUA_SOURCE_DIR).filter((file) => file.endsWith('.lua'))) {
    copyFileSync(join(LUA_SOURCE_DIR, name), join(target, name));
    chmodSync(join(target, name), 0o644);
  }
}

/**
 * Returns what is missing for dynamic backends, or null: the module files in `modulesDir`, or an nginx that cannot
 * load them with lua-resty-core and our Lua files (checked with `nginx -t` on a tiny config).
 */
export function luaProblem(bin: string, modulesDir: string): string | null {
  const install = `install them with: apt-get install ${LUA_PACKAGES} (or run with --backends static)`;
  const missing = MODULES.map((name) => join(modulesDir, name)).filter((path) => !existsSync(path));
  if (missing.length > 0)
    return `--backends dynamic needs nginx's Lua module, but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing; ${install}`;
  const prefix = mkdtempSync(join(tmpdir(), 'k8s-pods-ingress-lua-'));
  try {
    installLua(prefix);
    const conf = join(prefix, 'probe.conf');
    writeFileSync(conf, probeConfig(modulesDir));
    const result = spawnSync(bin, ['-t', '-q', '-p', `${prefix}/`, '-c', conf, '-e', 'stderr', '-g', 'daemon off;'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (result.status === 0) return null;
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
      .trim()
      .split('\n')
      .filter((line) => !line.endsWith('test failed'))
      .join('; ');
    return `--backends dynamic: ${bin} cannot load the Lua module from ${modulesDir} (${output || result.error?.message || `exit ${result.status}`}); ${install}`;
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

function probeConfig(modulesDir: string): string {
  return [
    ...MODULES.map((name) => `load_module ${join(modulesDir, name)};`),
    'pid probe.pid;',
    'events {}',
    'http {',
    '  lua_package_path "$prefix/lua/?.lua;;";',
    '  lua_shared_dict k8s_pods_ingress 1m;',
    '  init_by_lua_block { require("resty.core"); require("k8s_pods_ingress.balancer") }',
    '}',
    '',
  ].join('\n');
}

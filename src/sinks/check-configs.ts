import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';
import { installLua } from './lua-files.js';
import { checkArgs, nginxPaths } from './nginx-paths.js';

/** nginx refused a config `replay --check` printed. */
export class CheckFailedError extends Error {
  override readonly name = 'CheckFailedError';
}

// The members socket of a dynamic config (an absolute path in NGINX_CONF's directory; nginx -t binds it).
const MEMBERS_SOCKET = /^(\s*listen unix:)(\S+);$/m;

/**
 * Runs `nginx -t` on config text in a throw-away prefix, as the nginx sink tests a candidate; null when accepted. A
 * dynamic config gets what the nginx sink gives its prefix (the Lua files, a run/ directory), and its members socket
 * is moved into the throw-away prefix: `nginx -t` binds it, and NGINX_CONF's directory need not exist here.
 */
export function nginxRefusal(bin: string, text: string): string | null {
  const prefix = mkdtempSync(join(tmpdir(), 'k8s-pods-ingress-check-'));
  try {
    const paths = nginxPaths(join(prefix, 'nginx.conf'));
    let tested = text;
    if (text.includes('lua_package_path')) {
      installLua(prefix);
      mkdirSync(join(prefix, 'run'), { mode: 0o700 });
      tested = text.replace(
        MEMBERS_SOCKET,
        (_line, listen: string) => `${listen}${join(prefix, 'run', 'members.sock')};`,
      );
    }
    writeFileSync(paths.live, tested);
    const result = spawnSync(bin, checkArgs(paths, paths.live), { encoding: 'utf8' });
    if (result.error !== undefined) return `cannot run ${bin}: ${result.error.message} (see --nginx-bin)`;
    return result.status === 0 ? null : `${result.stderr}${result.stdout}`.trim().replaceAll(prefix, '.');
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

/**
 * Tests every config with `nginx -t` as it passes (`replay --check`), and fails with CheckFailedError at the first
 * one nginx refuses, naming its number and the window it came from (ms into the recording, by `now`).
 *
 * ```
 * configs: -A--B--C-|
 * checked: -A--#          (B refused)
 * ```
 */
export function checkConfigs(bin: string, now: () => number): MonoTypeOperatorFunction<RenderedConfig> {
  return (configs$) =>
    defer(() => {
      let sequence = 0;
      let previous: string | null = null;
      return configs$.pipe(
        tap((config) => {
          // A window that changed only the members (dynamic mode) printed no new config: nothing to test.
          if (config.text === previous) return;
          previous = config.text;
          sequence++;
          const refusal = nginxRefusal(bin, config.text);
          if (refusal !== null) {
            const window = `the window that closed ${(now() / 1000).toFixed(3)} s into the recording`;
            throw new CheckFailedError(
              `nginx -t refused config ${sequence} (from ${window}): ${refusal.replaceAll('\n', ' | ')}`,
            );
          }
        }),
      );
    });
}

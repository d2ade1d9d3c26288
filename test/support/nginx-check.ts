// Runs the real nginx from Debian on a config, the way the controller does: unprivileged, in a temporary prefix.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installLua } from '../../src/sinks/lua-files.js';

/** The nginx binary the tests use (NGINX_BIN, else nginx on PATH). */
export const NGINX = process.env['NGINX_BIN'] ?? 'nginx';

/** Throws a clear error when nginx is missing: tests that need it fail loudly, never skip. */
export function requireNginx(): void {
  try {
    execFileSync(NGINX, ['-v'], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(`nginx is required by this test but "${NGINX} -v" failed; install it (apt-get install -y nginx)`, {
      cause: error,
    });
  }
}

/** Runs `nginx -t` on config text in a throw-away prefix; returns nginx's verdict and its own message. */
export function nginxTest(text: string): { ok: boolean; output: string } {
  requireNginx();
  const prefix = mkdtempSync(join(tmpdir(), 'nginx-t-'));
  try {
    const file = join(prefix, 'nginx.conf');
    // A dynamic config loads the Lua files from the prefix when it is tested (init_by_lua), and nginx -t binds its
    // members socket: point that into the throw-away prefix (a rendered config names the one of its NGINX_CONF).
    installLua(prefix);
    mkdirSync(join(prefix, 'run'), { mode: 0o700 });
    writeFileSync(file, text.replace(/^(\s*listen unix:)[^;]+;$/gm, `$1${join(prefix, 'run', 'members.sock')};`));
    const result = spawnSync(NGINX, ['-t', '-q', '-p', `${prefix}/`, '-c', file, '-e', 'stderr'], { encoding: 'utf8' });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

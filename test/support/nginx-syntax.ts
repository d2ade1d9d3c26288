/**
 * Runs `nginx -t` on a config inside a throw-away prefix directory, unprivileged-safe: pid, logs and temp paths of
 * our template are relative, so they land in the prefix. A missing nginx binary throws (tests must fail, not skip).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The outcome of one `nginx -t`. */
export interface NginxTestResult {
  readonly ok: boolean;
  /** nginx's stderr (it reports both success and failure there). */
  readonly output: string;
}

/** nginx could not be run at all (not installed, not executable, timed out). */
export class NginxUnavailableError extends Error {
  override readonly name = 'NginxUnavailableError';
}

/** Tests `text` with `nginx -t -p <tmp>/ -c <tmp>/nginx.conf -e stderr`, then removes the prefix. */
export function nginxTest(text: string, nginxBin = process.env['NGINX_BIN'] ?? 'nginx'): NginxTestResult {
  const prefix = mkdtempSync(join(tmpdir(), 'adversarial-nginx-'));
  try {
    const file = join(prefix, 'nginx.conf');
    writeFileSync(file, text);
    const run = spawnSync(nginxBin, ['-t', '-p', `${prefix}/`, '-c', file, '-e', 'stderr'], { encoding: 'utf8', timeout: 120_000 });
    if (run.error !== undefined) {
      throw new NginxUnavailableError(`cannot run ${nginxBin} -t on ${file}: ${run.error.message}`, { cause: run.error });
    }
    return { ok: run.status === 0, output: run.stderr };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

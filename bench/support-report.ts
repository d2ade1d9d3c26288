// What this folder's live benchmarks add to bench/report.ts: rounding for print, the command that reproduces a run,
// the load before it (report.ts records the load at the end), and bare `nginx -t` timings to hold figures against.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { installLua } from '../src/sinks/lua-files.js';
import { NGINX } from '../test/support/nginx-check.js';

/** Rounds to two decimals, for printing and JSON. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Returns the command line that reproduces this run. */
export function commandLine(script: string): string {
  return `npx tsx bench/${script}.ts ${process.argv.slice(2).join(' ')}`.trim();
}

/** Returns the 1, 5 and 15 minute load averages now, to print next to the figures (the machine is shared). */
export function loadNow(): number[] {
  return loadavg().map(round);
}

/**
 * Times a bare `nginx -t` of a config file `runs` times, in a throw-away prefix and with the globals the controller
 * adds (so the work is the same); returns each duration in ms, or throws with nginx's message if the test fails.
 */
export function timeNginxTest(confPath: string, runs: number): number[] {
  const prefix = mkdtempSync(join(tmpdir(), 'bench-nginx-t-'));
  try {
    const file = join(prefix, 'nginx.conf');
    copyFileSync(confPath, file);
    // A dynamic config loads the Lua files from its prefix and binds its members socket: both into this copy's prefix.
    installLua(prefix);
    mkdirSync(join(prefix, 'run'), { mode: 0o700 });
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^(\s*listen unix:)[^;]+;$/gm, `$1${join(prefix, 'run', 'members.sock')};`),
    );
    return Array.from({ length: runs }, () => {
      const started = performance.now();
      const result = spawnSync(
        NGINX,
        ['-t', '-q', '-p', `${prefix}/`, '-c', file, '-e', 'stderr', '-g', 'daemon off; error_log stderr notice;'],
        { encoding: 'utf8' },
      );
      if (result.status !== 0) throw new Error(`nginx -t failed on a copy of ${confPath}: ${result.stderr}`);
      return performance.now() - started;
    });
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, join, resolve } from 'node:path';

/** Where the nginx sink keeps its files: all in the directory of NGINX_CONF, which is also nginx's prefix. */
export interface NginxPaths {
  /** `-p`: the directory of the live config, with a trailing slash; the template's relative paths resolve here. */
  readonly prefix: string;
  /** The config nginx runs (NGINX_CONF, absolute). */
  readonly live: string;
  /** The next config, written and tested here before it is renamed over `live` (same directory: rename is atomic). */
  readonly candidate: string;
  /** Directives passed with `-g` to the master and to `nginx -t`, besides ours (e.g. `worker_shutdown_timeout 60s;`). */
  readonly globals: string;
}

/** Returns the paths of the sink for an NGINX_CONF path, with extra `-g` directives. */
export function nginxPaths(confPath: string, globals = ''): NginxPaths {
  const live = resolve(confPath);
  const dir = dirname(live);
  return {
    prefix: dir.endsWith('/') ? dir : `${dir}/`,
    live,
    candidate: join(dir, `${basename(live)}.candidate`),
    globals,
  };
}

/** Returns the members socket of an NGINX_CONF path: `run/members.sock` in its directory (nginx's prefix). */
export function membersSocketPath(confPath: string): string {
  return join(dirname(resolve(confPath)), 'run', 'members.sock');
}

// `daemon off`: the master stays in the foreground as our child. `error_log stderr notice`: nginx reports a failed
// reload only in its log, and confirms a good one only at notice level ("start worker processes"); added here, not
// in the template, so confirmation works whatever log a user template sets. Also passed to `nginx -t`, so a
// template that sets `daemon` itself fails the test (a duplicate directive) instead of failing the start.
const GLOBALS = 'daemon off; error_log stderr notice;';

/** Returns the arguments that start a foreground master on the live config; `-e stderr` keeps nginx out of /var/log. */
export function masterArgs(paths: NginxPaths): string[] {
  return ['-p', paths.prefix, '-c', paths.live, '-e', 'stderr', '-g', globals(paths)];
}

/** Returns the arguments of `nginx -t` on a file, with the same prefix, error log and globals as the master. */
export function checkArgs(paths: NginxPaths, file: string): string[] {
  return ['-t', '-q', '-p', paths.prefix, '-c', file, '-e', 'stderr', '-g', globals(paths)];
}

function globals(paths: NginxPaths): string {
  return paths.globals === '' ? GLOBALS : `${GLOBALS} ${paths.globals}`;
}

/**
 * Checks before start-up that the nginx binary can be run and NGINX_CONF's directory can be written; returns what to
 * fix, or null. (Without this, a wrong NGINX_BIN would only surface after the first list, as restart after restart.)
 */
export function nginxSetupProblem(
  bin: string,
  confPath: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | null {
  const dir = nginxPaths(confPath).prefix;
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `NGINX_CONF ${confPath}: its directory ${dir} does not exist or is not writable (nginx's prefix: it holds the config, pid and temp files)`;
  }
  const candidates = bin.includes('/')
    ? [bin]
    : (env['PATH'] ?? '')
        .split(delimiter)
        .filter((d) => d !== '')
        .map((d) => join(d, bin));
  const runnable = candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
  return runnable
    ? null
    : `NGINX_BIN ${bin} is not an executable file${bin.includes('/') ? '' : ' on PATH'} (install nginx, or point NGINX_BIN at it)`;
}

/** The first line of every config the shipped template renders: how the program knows a file is its own. */
export const OWN_MARKER = '# Rendered by k8s-pods-ingress';

/**
 * Makes NGINX_CONF's directory if it is missing, and refuses (returns what to fix) to take over a file the program
 * did not write, one whose first line is not OWN_MARKER, unless `overwrite`: the default path once was Debian's
 * own /etc/nginx/nginx.conf, replaced without a backup.
 */
export function claimNginxConf(confPath: string, overwrite: boolean): string | null {
  const { prefix, live } = nginxPaths(confPath);
  try {
    mkdirSync(prefix, { recursive: true, mode: 0o755 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return `NGINX_CONF ${confPath}: cannot create its directory ${prefix} (${code}); point --nginx-conf (K8S_PODS_INGRESS_NGINX_CONF) at a file in a directory you can write, such as /tmp/k8s-pods-ingress/nginx.conf`;
  }
  if (overwrite) return null;
  let head: string;
  try {
    head = readFirstLine(live);
  } catch {
    return null;
  }
  if (head.startsWith(OWN_MARKER)) return null;
  return `NGINX_CONF ${confPath} exists and was not written by k8s-pods-ingress (its first line is not "${OWN_MARKER} …"): refusing to replace it; choose another --nginx-conf, or pass --overwrite-nginx-conf`;
}

function readFirstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(256);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').split('\n')[0]!;
  } finally {
    closeSync(fd);
  }
}

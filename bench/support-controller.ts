// The controller under benchmark: `k8s-pods-ingress run --sink nginx` as a child process (its own event loop, as in
// production, so the fake API server, the backends and the probes in the benchmark's process do not delay it), with
// its JSON log lines kept and timestamped, its admin port on 127.0.0.1, and a stop that proves nginx is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../scripts/build.js';
import { NGINX } from '../test/support/nginx-check.js';
import { freePort, processesInGroups } from '../test/support/nginx-processes.js';
import { parseExposition, valueOf } from '../test/support/prom-text.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = join(ROOT, 'src', 'main.ts');

/** One log line of the controller: its JSON fields, and when the benchmark read it (ms since the epoch). */
export interface LogLine {
  readonly readAt: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** How to start the controller. */
export interface ControllerOptions {
  readonly kubeHost: string;
  readonly windowMs: number;
  /** Extra flags of `run`. */
  readonly args?: readonly string[];
  /** Flags for node itself, e.g. `--cpu-prof --cpu-prof-dir DIR`. */
  readonly nodeArgs?: readonly string[];
  /** A compiled main.js (see {@link compileController}); default: src/main.ts through tsx. */
  readonly compiledMain?: string;
}

/** A compiled copy of the controller laid out as in the image (dist/, templates/, node_modules); remove it when done. */
export interface CompiledController {
  readonly main: string;
  dispose(): void;
}

/**
 * Builds the program as `npm run build` does (scripts/build.ts) into a temporary directory laid out like the image
 * (/app/dist, templates), so start-up is timed on the JavaScript production runs rather than on tsx transpiling at
 * import. Type checking is left to `npm run typecheck`, which keeps the build to a second.
 */
export function compileController(): CompiledController {
  const dir = mkdtempSync(join(tmpdir(), 'bench-build-'));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  const main = join(dir, 'dist', 'main.js');
  try {
    buildProgram(join(dir, 'dist'), { sourcemap: false });
  } catch (error) {
    dispose();
    throw new Error(`building the controller failed: ${(error as Error).message}`, { cause: error });
  }
  cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  cpSync(join(ROOT, 'lua'), join(dir, 'lua'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return { main, dispose };
}

/** A running controller: where nginx and the admin port listen, its logs, and how to stop it. */
export interface Controller {
  /** When the process was spawned (ms since the epoch). */
  readonly spawnedAt: number;
  readonly nginxPort: number;
  readonly adminPort: number;
  readonly confPath: string;
  readonly logs: readonly LogLine[];
  /** Resolves with the first log line (already read or still to come) that satisfies `match`. */
  waitForLog(match: (fields: Readonly<Record<string, unknown>>) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Returns the CPU time (user + system, in seconds) the controller's own process has used so far. */
  cpuSeconds(): number;
  /** Returns one sample of /metrics, or undefined when absent. */
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number | undefined>;
  /** Stops like SIGTERM does; resolves with the exit code and the nginx processes left (should be none). */
  stop(): Promise<{ readonly code: number | null; readonly nginxLeft: number }>;
}

/** Returns the time a log line was written, from the controller's own timestamp (ms since the epoch). */
export function loggedAt(line: LogLine): number {
  const stamp = line.fields['timestamp'];
  return typeof stamp === 'string' ? Date.parse(stamp) : line.readAt;
}

/** Spawns the controller on a fresh nginx prefix, nginx port and admin port (both free on every address). */
export async function startController(options: ControllerOptions): Promise<Controller> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-controller-'));
  const confPath = join(dir, 'nginx.conf');
  const nginxPort = await freePort();
  const adminPort = await freePort();
  const args = [
    ...(options.nodeArgs ?? []),
    ...(options.compiledMain === undefined ? ['--import', 'tsx', MAIN] : [options.compiledMain]),
    'run',
    '--sink',
    'nginx',
    '--kube-host',
    options.kubeHost,
    '--nginx-bin',
    NGINX,
    '--nginx-conf',
    confPath,
    '--port',
    String(nginxPort),
    '--http-port',
    String(adminPort),
    '--http-address',
    '127.0.0.1',
    '--window',
    String(options.windowMs),
    '--events=false',
    ...(options.args ?? []),
  ];
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv() });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  readLines(child, (text) => {
    try {
      logs.push({ readAt: Date.now(), fields: JSON.parse(text) as Record<string, unknown> });
    } catch {
      logs.push({ readAt: Date.now(), fields: { message: text, unparsed: true } });
    }
    for (const wake of waiters) wake();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  // Should the benchmark die first, the controller still gets its SIGTERM and takes nginx down with it.
  const orphanGuard = (): void => void child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  const waitForLog = (
    match: (fields: Readonly<Record<string, unknown>>) => boolean,
    timeoutMs = 120_000,
  ): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = logs.find((line) => match(line.fields));
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(
        () => (cleanup(), reject(new Error(`no matching controller log line within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const died = (): void => (
        cleanup(),
        reject(new Error(`the controller exited while waiting for a log line; last lines: ${tail(logs)}`))
      );
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', died);
      };
      waiters.add(check);
      child.once('exit', died);
      check();
    });
  return {
    spawnedAt,
    nginxPort,
    adminPort,
    confPath,
    logs,
    waitForLog,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    metric: async (name, labels = {}) =>
      valueOf(parseExposition(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text()), name, labels),
    stop: async () => {
      const masters = logs.flatMap((line) =>
        line.fields['message'] === 'nginx started' && typeof line.fields['pid'] === 'number'
          ? [line.fields['pid']]
          : [],
      );
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      process.off('exit', orphanGuard);
      const left = processesInGroups(masters).length;
      rmSync(dir, { recursive: true, force: true });
      return { code, nginxLeft: left };
    },
  };
}

// Settings come from the flags alone: a stray NGINX_CONF or WINDOW_MS in the benchmark's environment must not leak in.
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'NODE_OPTIONS'];
  return Object.fromEntries(
    keep.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  );
}

function readLines(child: ChildProcess, onLine: (text: string) => void): void {
  let rest = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') onLine(part);
  });
}

// /proc/PID/stat: utime and stime are fields 14 and 15, in clock ticks (100 a second on Linux).
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function tail(logs: readonly LogLine[]): string {
  return logs
    .slice(-5)
    .map((line) => JSON.stringify(line.fields))
    .join(' | ');
}

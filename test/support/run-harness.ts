// The real `run` command with the nginx sink, end to end: nginx on a free port in a temporary prefix, the admin port
// on 127.0.0.1, the fake API server as the cluster and backends on 127.0.0.x as the pods. In-process through `run$`
// (`startRun`), or the same flags for a child CLI (`prepareRun` + `runFlags`). Stopping proves no nginx is left.
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { lastValueFrom, Subject } from 'rxjs';
import { run$ } from '../../src/commands/run.js';
import { parseInvocation } from '../../src/settings.js';
import { startBackends, type Backends } from './backend-servers.js';
import { FakeApiServer } from './fake-api-server.js';
import { buildPod, type FakePod, type PodOptions } from './fake-pods.js';
import { httpGet, waitFor, type Answer, type ProbeOptions } from './http-probe.js';
import { capturingLogger, FAST_ARGS, FAST_BACKOFF } from './live-harness.js';
import { NGINX, requireNginx } from './nginx-check.js';
import { freePort, processesInGroups } from './nginx-processes.js';
import { parseExposition, type Exposition } from './prom-text.js';

/** Where one controller runs: its nginx port, admin port and nginx prefix (NGINX_CONF's directory). */
export interface RunPlace {
  readonly port: number;
  readonly adminPort: number;
  readonly prefix: string;
  readonly confPath: string;
}

/** Picks free ports and makes a temporary prefix that nginx's workers (nobody, when we are root) can enter. */
export async function prepareRun(): Promise<RunPlace> {
  requireNginx();
  const port = await freePort();
  const adminPort = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'run-e2e-'));
  chmodSync(prefix, 0o755);
  return { port, adminPort, prefix, confPath: join(prefix, 'nginx.conf') };
}

/** Returns the flags of `run` for a place: nginx sink, short windows and timeouts, admin port on 127.0.0.1. */
export function runFlags(place: RunPlace): string[] {
  return [
    ...FAST_ARGS,
    '--sink',
    'nginx',
    '--nginx-bin',
    NGINX,
    '--port',
    String(place.port),
    '--nginx-conf',
    place.confPath,
    '--http-port',
    String(place.adminPort),
    '--http-address',
    '127.0.0.1',
  ];
}

/** Returns the pid in nginx.pid in the prefix, or null while there is none. */
export function readMasterPid(place: RunPlace): number | null {
  try {
    const pid = Number(readFileSync(join(place.prefix, 'nginx.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Waits until no process is left in the process groups of the given masters and of the one in nginx.pid (killing
 * what is after the deadline), then removes the prefix.
 */
export async function cleanUpRun(place: RunPlace, masters: Iterable<number>): Promise<void> {
  const groups = new Set(masters);
  const current = readMasterPid(place);
  if (current !== null) groups.add(current);
  try {
    // A killed master's orphans are reaped asynchronously; give them a moment, then insist.
    await waitFor('every nginx process of the run to exit', () => processesInGroups(groups).length === 0, 15_000);
  } finally {
    for (const pid of processesInGroups(groups)) process.kill(pid, 'SIGKILL');
    rmSync(place.prefix, { recursive: true, force: true });
  }
}

/** Sends a GET to the admin port (/healthz, /readyz, /metrics). */
export function adminGet(place: RunPlace, path: string): Promise<Answer> {
  return httpGet(place.adminPort, '127.0.0.1', path, { timeoutMs: 5_000 });
}

/** Scrapes /metrics and parses it strictly. */
export async function scrape(place: RunPlace): Promise<Exposition> {
  const answer = await adminGet(place, '/metrics');
  if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}: ${answer.body}`);
  return parseExposition(answer.body);
}

/** Returns the sha256 (hex) of a file, as config_info labels the config in force. */
export function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A routed pod whose IP is a backend's loopback address (tests send traffic to 127.0.0.0/8 only). */
export function backendPod(
  name: string,
  ip: string,
  routing: { readonly hosts: string; readonly paths: string },
  options: Partial<PodOptions> = {},
): FakePod {
  if (!ip.startsWith('127.')) throw new Error(`pod ${name}: ${ip} is not a loopback address`);
  return buildPod({
    ...options,
    name,
    podIP: ip,
    labels: { microservice: 'true' },
    annotations: { trafficHosts: routing.hosts, publicPaths: routing.paths },
  });
}

/** A controller started in-process by `startRun`. */
export interface RunningController extends RunPlace {
  /** The controller's log lines (JSON objects), debug level and up. */
  readonly logs: readonly Record<string, unknown>[];
  /** Sends a request through nginx with this Host. */
  get(host: string, path: string, options?: ProbeOptions): Promise<Answer>;
  /** Reads nginx.pid (and remembers the pid, so stop() checks its process group too). */
  masterPid(): number | null;
  /** Stops like SIGTERM, resolves with the exit status once no nginx process is left; idempotent. */
  stop(): Promise<number>;
}

/** Options of an in-process run: flags added after the harness's own (a later flag wins), and environment variables. */
export interface StartRunOptions {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `run$` in-process against the fake server with the nginx sink; register `stop` with t.after. */
export async function startRun(fake: FakeApiServer, options: StartRunOptions = {}): Promise<RunningController> {
  const place = await prepareRun();
  const argv = ['run', ...runFlags(place), ...(options.args ?? [])];
  const { settings } = parseInvocation(argv, { ...options.env, KUBE_HOST: fake.url });
  const { logger, lines } = capturingLogger();
  const stop$ = new Subject<void>();
  const done = lastValueFrom(
    run$({ settings, logger, io: { stdout: process.stdout }, stop$, options: { backoff: FAST_BACKOFF } }),
  );
  done.catch(() => undefined);
  const seen = new Set<number>();
  const masterPid = (): number | null => {
    const pid = readMasterPid(place);
    if (pid !== null) seen.add(pid);
    return pid;
  };
  let stopping: Promise<number> | null = null;
  const stop = async (): Promise<number> => {
    stop$.next();
    try {
      return await withDeadline(done, 30_000, 'run$ to finish after stop');
    } finally {
      await cleanUpRun(place, [...seen, ...startedMasters(lines)]);
    }
  };
  return {
    ...place,
    logs: lines,
    get: (host, path, probe) => httpGet(place.port, host, path, probe),
    masterPid,
    stop: () => (stopping ??= stop()),
  };
}

/** Returns the pids of every nginx master the controller logged as started. */
function startedMasters(lines: readonly Record<string, unknown>[]): number[] {
  return lines
    .filter((line) => line['message'] === 'nginx started' && typeof line['pid'] === 'number')
    .map((line) => line['pid'] as number);
}

/** Resolves as `promise` does, or rejects naming `what` if it has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Answers of an admin path polled in the background, in order. */
export interface StatusRecording {
  readonly seen: readonly { readonly status: number; readonly body: string }[];
  /** Stops polling and waits for the request in flight. */
  stop(): Promise<void>;
}

/** Polls an admin path every `intervalMs` until stopped, recording each answer, so short-lived states are seen. */
export function recordStatuses(place: RunPlace, path: string, intervalMs = 15): StatusRecording {
  const seen: { status: number; body: string }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const answer = await adminGet(place, path);
        seen.push({ status: answer.status, body: answer.body.trim() });
      } catch (error) {
        seen.push({ status: 0, body: String(error) });
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/**
 * Returns a function that registers a cleanup; all of them run in one t.after, the last registered first (node runs
 * t.after hooks in registration order, which would stop the API server before the controller watching it). Every
 * cleanup runs even when one fails; the first failure is rethrown.
 */
export function cleanups(t: TestContext): (cleanup: () => unknown) => void {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    let failure: unknown = null;
    for (const cleanup of stack.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  });
  return (cleanup) => void stack.push(cleanup);
}

/** What every end-to-end test of `run` starts from: pods played by backends, and the fake API server. */
export interface Scene {
  readonly cleanup: (cleanup: () => unknown) => void;
  readonly backends: Backends;
  readonly fake: FakeApiServer;
}

/** Starts backends with these names and the fake API server (bookmarks every 200 ms), both stopped after the test. */
export async function startScene(t: TestContext, names: readonly string[]): Promise<Scene> {
  const cleanup = cleanups(t);
  const backends = await startBackends(names);
  cleanup(() => backends.close());
  const fake = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
  cleanup(() => fake.stop());
  return { cleanup, backends, fake };
}

// The real pipeline in-process with the real nginx sink: pod events in, nginx on a free port in a temporary prefix,
// outcomes recorded. `stop()` completes the events (the graceful shutdown path) and proves no nginx process is left.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { installLua } from '../../src/sinks/lua-files.js';
import { MembersChannel, prepareMembersDir } from '../../src/sinks/members-channel.js';
import { membersSocketPath } from '../../src/sinks/nginx-paths.js';
import { answersOn } from '../../src/sinks/port-probe.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, concat, EMPTY, Subject } from 'rxjs';
import { createLogger, type LogLevel, type Logger } from '../../src/logger.js';
import type { PodEvent } from '../../src/model/events.js';
import { DEFAULT_REDUCE_OPTIONS } from '../../src/model/routing-state.js';
import { configsFrom } from '../../src/pipeline.js';
import { loadTemplate } from '../../src/commands/load-template.js';
import { type Template } from '../../src/render/template.js';
import type { Backoff } from '../../src/model/backoff.js';
import { applyToNginx, type ApplyOutcome } from '../../src/sinks/nginx-sink.js';
import { NginxSupervisor, type NginxHealth } from '../../src/sinks/nginx-supervisor.js';
import { httpGet, waitFor, type Answer, type ProbeOptions } from './http-probe.js';
import { NGINX, requireNginx } from './nginx-check.js';
import { freePort, processesInGroups } from './nginx-processes.js';

/** How to run the ingress under test; defaults suit a test (short window, quick retries). */
export interface IngressOptions {
  readonly template?: Template;
  readonly windowMs?: number;
  readonly retryBackoff?: Backoff;
  readonly stopTimeoutMs?: number;
  /** static (default here: the suite written before dynamic mode) or dynamic (members pushed, Lua balancer). */
  readonly backends?: 'static' | 'dynamic';
}

/** A running pipeline + nginx. */
export interface Ingress {
  readonly port: number;
  readonly confPath: string;
  readonly nginx: NginxSupervisor;
  readonly outcomes: readonly ApplyOutcome[];
  /** Every health snapshot the supervisor reported, in order. */
  readonly states: readonly NginxHealth[];
  /** Every master pid started (each is also the id of its process group). */
  readonly masters: ReadonlySet<number>;
  /** Dynamic mode's members channel (null in static mode). */
  readonly channel: MembersChannel | null;
  send(...events: PodEvent[]): void;
  /** Waits for an outcome at index `from` or later that matches. */
  outcome(
    from: number,
    what: string,
    match: (outcome: ApplyOutcome) => boolean,
    timeoutMs?: number,
  ): Promise<ApplyOutcome>;
  get(host: string, path: string, options?: ProbeOptions): Promise<Answer>;
  /** Completes the events, waits for nginx to quit and checks that no process of it is left; idempotent. */
  stop(): Promise<void>;
}

/** Returns a logger for tests: silent unless TEST_LOG_LEVEL is set. */
export function testLogger(): Logger {
  const level = process.env['TEST_LOG_LEVEL'];
  const logger = createLogger((level ?? 'error') as LogLevel, 'text');
  logger.silent = level === undefined;
  return logger;
}

/** Starts the pipeline and the nginx sink; nginx itself starts with the first config (after the first SYNC). */
export async function startIngress(options: IngressOptions = {}): Promise<Ingress> {
  requireNginx();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ingress-'));
  // As root, nginx's workers run as nobody and must reach the temp directories inside the prefix.
  chmodSync(dir, 0o755);
  const confPath = join(dir, 'nginx.conf');
  const logger = testLogger();
  const outcomes: ApplyOutcome[] = [];
  const states: NginxHealth[] = [];
  const masters = new Set<number>();
  const dynamic = options.backends === 'dynamic';
  // The same preparation and readiness steps as `run` (src/commands/nginx-sink-setup.ts).
  const channel = dynamic ? new MembersChannel(prepareMembersDir(dir)) : null;
  if (dynamic) installLua(dir);
  const nginx = new NginxSupervisor({
    bin: NGINX,
    confPath,
    logger,
    stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
    restartBackoff: { initialMs: 100, maxMs: 1_000 },
    globals: 'worker_shutdown_timeout 10s;',
    ready: () => concat(answersOn(port, 10_000), channel?.pushCurrent() ?? EMPTY),
    beforeStart: () => channel !== null && rmSync(channel.paths.socket, { force: true }),
    hooks: {
      health: (health) => {
        states.push(health);
        if (health.pid !== null) masters.add(health.pid);
      },
    },
  });
  const events = new Subject<PodEvent>();
  const configs$ = configsFrom(events, {
    windowMs: options.windowMs ?? 150,
    reduce: DEFAULT_REDUCE_OPTIONS,
    render: {
      port,
      ownership: 'host',
      dynamic: dynamic
        ? { modulesDir: '/usr/lib/nginx/modules', membersSocket: membersSocketPath(confPath) }
        : undefined,
    },
    template: options.template ?? loadTemplate(),
    scheduler: asyncScheduler,
  });
  const finished = new Promise<void>((resolve, reject) => {
    configs$
      .pipe(
        applyToNginx(nginx, {
          logger,
          retryBackoff: options.retryBackoff ?? { initialMs: 200, maxMs: 1_000 },
          members: channel ?? undefined,
        }),
      )
      .subscribe({
        next: (outcome) => outcomes.push(outcome),
        error: reject,
        complete: resolve,
      });
  });
  // Awaited by stop(); marked handled so an early failure is reported there, not as an unhandled rejection.
  finished.catch(() => undefined);
  let stopping: Promise<void> | null = null;
  return {
    port,
    confPath,
    nginx,
    outcomes,
    states,
    masters,
    channel,
    send: (...sent) => sent.forEach((event) => events.next(event)),
    outcome: (from, what, match, timeoutMs = 15_000) =>
      waitFor(what, () => outcomes.slice(from).find(match), timeoutMs),
    get: (host, path, probe) => httpGet(port, host, path, probe),
    stop: () => (stopping ??= shutDown(events, finished, masters, dir)),
  };
}

async function shutDown(
  events: Subject<PodEvent>,
  finished: Promise<void>,
  masters: ReadonlySet<number>,
  dir: string,
): Promise<void> {
  events.complete();
  try {
    await finished;
    // Orphans of a killed master are reaped asynchronously; give them a moment, then insist.
    await waitFor('every nginx process of the test to exit', () => processesInGroups(masters).length === 0, 10_000);
  } finally {
    for (const pid of processesInGroups(masters)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

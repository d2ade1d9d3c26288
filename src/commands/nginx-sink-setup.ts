// Builds the nginx sink from the settings, once: checks what start-up needs (exit 2 with what to fix), prepares
// the prefix (Lua files, the 0700 run/ directory), and wires the supervisor, the members channel and the metrics.
import { rmSync } from 'node:fs';
import { concat, defer, retry, timer, tap, type OperatorFunction } from 'rxjs';
import type { Logger } from '../logger.js';
import type { ApplyReport } from '../model/apply-report.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import { SettingsError, type Settings } from '../settings.js';
import { installLua, luaProblem } from '../sinks/lua-files.js';
import { MembersChannel, prepareMembersDir } from '../sinks/members-channel.js';
import { nginxPaths, nginxSetupProblem } from '../sinks/nginx-paths.js';
import { applyToNginx } from '../sinks/nginx-sink.js';
import { NginxSupervisor, type NginxHealth } from '../sinks/nginx-supervisor.js';
import { oldWorkers } from '../sinks/nginx-workers.js';
import { answersOn, probeHost } from '../sinks/port-probe.js';
import { listenAddresses } from './listen-addresses.js';

/** Where the sink reports: outcomes, nginx up or down, and metrics. */
export interface NginxSinkObservers {
  readonly report: (outcome: ApplyReport) => void;
  /** Each change of the supervisor's state (readiness and health follow it). */
  readonly health: (health: NginxHealth) => void;
  readonly metrics?: Metrics;
  /** Each config nginx now runs (started or reloaded with it). */
  readonly applied?: (config: RenderedConfig) => void;
}

// Longest path a unix socket address holds on Linux (sun_path is 108 bytes with its NUL).
const MAX_SOCKET_PATH = 107;
const READY_TIMEOUT_MS = 10_000;

/** Returns the nginx sink of `run --sink nginx`; throws SettingsError when start-up cannot work. */
export function nginxSink(
  settings: Settings,
  logger: Logger,
  observers: NginxSinkObservers,
): OperatorFunction<RenderedConfig, unknown> {
  const problem = nginxSetupProblem(settings.nginxBin, settings.nginxConf);
  if (problem !== null) throw new SettingsError(problem);
  const prefix = nginxPaths(settings.nginxConf).prefix;
  const dynamic = settings.backends === 'dynamic';
  let channel: MembersChannel | null = null;
  if (dynamic) {
    const lua = luaProblem(settings.nginxBin, settings.nginxModulesDir);
    if (lua !== null) throw new SettingsError(lua);
    try {
      channel = new MembersChannel(prepareMembersDir(prefix));
      installLua(prefix);
    } catch (error) {
      throw new SettingsError(`cannot prepare ${prefix} for dynamic backends: ${(error as Error).message}`);
    }
    if (Buffer.byteLength(channel.paths.socket) > MAX_SOCKET_PATH) {
      throw new SettingsError(
        `NGINX_CONF ${settings.nginxConf}: the members socket ${channel.paths.socket} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter directory`,
      );
    }
  }
  const metrics = observers.metrics;
  const log = logger.child({ component: 'nginx-sink' });
  // After every (re)start: a worker answers on the port, then the members are pushed (nginx loaded them from the
  // file already; the push confirms it), and only then does nginx count as running (readiness).
  const ready = () =>
    concat(
      // On the first listen address (loopback for a wildcard): a --listen of only other addresses is reached there.
      answersOn(settings.port, READY_TIMEOUT_MS, undefined, 20, probeHost(listenAddresses(settings)[0] ?? '0.0.0.0')),
      defer(() => channel?.pushCurrent() ?? []).pipe(
        tap((pushed) => metrics?.membersPushed('success', pushed.durationMs)),
        retry({ count: 5, delay: (_error, n) => timer(50 * 2 ** n) }),
      ),
    );
  const nginx = new NginxSupervisor({
    bin: settings.nginxBin,
    confPath: settings.nginxConf,
    logger,
    globals: `worker_shutdown_timeout ${settings.workerShutdownTimeoutSeconds}s;`,
    ready,
    // A master killed without notice leaves its socket file, and nginx does not bind over one.
    beforeStart: () => {
      if (channel !== null) rmSync(channel.paths.socket, { force: true });
    },
    hooks: {
      health: observers.health,
      loaded: (reason) => metrics?.nginxLoaded(reason),
    },
  });
  metrics?.countOldWorkers(() => oldWorkers(nginx.health().pid));
  return (configs$) =>
    configs$.pipe(
      applyToNginx(nginx, {
        logger: log,
        members: channel ?? undefined,
        onPush: (result, durationMs) => metrics?.membersPushed(result, durationMs),
      }),
      tap((outcome) => {
        if (outcome.type === 'applied') observers.applied?.(outcome.config);
        observers.report(outcome);
      }),
    );
}

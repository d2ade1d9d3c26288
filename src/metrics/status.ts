// The controller's health and readiness as plain state: the source, the sink and nginx report what happened, the
// /healthz and /readyz endpoints ask for a verdict at the time of the request. Every rule of both lives here.
import type { NginxHealth } from '../sinks/nginx-supervisor.js';

/** An endpoint's answer: fine, or not and why (the text a probe or a person reads). */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What the status needs to know up front. */
export interface StatusOptions {
  /** How long the watch may be silent (no event, bookmark or successful (re)connect) before /healthz fails. */
  readonly watchSilenceLimitMs: number;
  /** nginx counts towards health and readiness (the nginx sink is used). */
  readonly nginx: boolean;
  /** When the controller started: silence is counted from here until the watch first shows life. */
  readonly startedAtMs: number;
}

/** Returns the default silence limit: the idle watchdog's timeout plus a minute for the abort, backoff and relist. */
export function defaultWatchSilenceLimitMs(idleTimeoutSeconds: number): number {
  return (idleTimeoutSeconds + 60) * 1000;
}

/**
 * Returns why nginx counts as down for health and readiness, or undefined while it does not. Not started yet (idle)
 * or quitting gracefully (stopping) is not a failure. A master starting after an exit is one: it does not serve
 * until it has bound its ports (nginx retries a busy port for 2.5 s), and it may fail again.
 */
export function nginxDownReason(health: Pick<NginxHealth, 'state' | 'lastExit'>): string | undefined {
  const restarting = health.state === 'starting' && health.lastExit !== null;
  if (health.state !== 'down' && !restarting) return undefined;
  const exit = health.lastExit;
  return exit === null
    ? 'nginx not running'
    : `nginx not running (exited: ${exit.error ?? (exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`)})`;
}

/**
 * Holds what /healthz and /readyz report: healthy while the watch shows life within the limit and nginx (when used)
 * runs; ready once a first config is in force, while nginx runs and until shutdown begins.
 */
export class Status {
  private lastAliveMs: number | null = null;
  // null until nginx reports: before the first config nginx is not started, and that is not a failure.
  private nginxDown: string | null = null;
  private firstAppliedMs: number | null = null;
  private appliedHash: string | null = null;
  private stopping = false;

  /** Creates the status of a controller that started at `options.startedAtMs`. */
  constructor(private readonly options: StatusOptions) {}

  /** Records a sign of life of the watch (event, bookmark, successful list or (re)connect) at `atMs`. */
  watchAlive(atMs: number): void {
    this.lastAliveMs = Math.max(this.lastAliveMs ?? -Infinity, atMs);
  }

  /** Records whether nginx is running; `reason` says why not (e.g. "nginx exited with status 1; restarting"). */
  nginxUp(up: boolean, reason = 'nginx not running'): void {
    this.nginxDown = up ? null : reason;
  }

  /** Records that the config with `hash` was put in force at `atMs`. */
  applied(hash: string, atMs: number): void {
    this.firstAppliedMs ??= atMs;
    this.appliedHash = hash;
  }

  /** Records that shutdown began: readiness fails from now on, so traffic drains away. */
  shuttingDown(): void {
    this.stopping = true;
  }

  /** Returns the hash of the config in force, or null before the first. */
  get configHash(): string | null {
    return this.appliedHash;
  }

  /** Returns the /healthz verdict at `nowMs`. */
  health(nowMs: number): Verdict {
    const limit = this.options.watchSilenceLimitMs;
    const since = this.lastAliveMs ?? this.options.startedAtMs;
    if (nowMs - since > limit) {
      const silent = `${seconds(nowMs - since)} s (limit ${seconds(limit)} s)`;
      return {
        ok: false,
        reason: this.lastAliveMs === null ? `watch not connected after ${silent}` : `watch silent for ${silent}`,
      };
    }
    if (this.options.nginx && this.nginxDown !== null) return { ok: false, reason: this.nginxDown };
    return { ok: true };
  }

  /** Returns the /readyz verdict. */
  readiness(): Verdict {
    if (this.stopping) return { ok: false, reason: 'shutting down' };
    if (this.firstAppliedMs === null) return { ok: false, reason: 'no config applied yet' };
    if (this.options.nginx && this.nginxDown !== null) return { ok: false, reason: this.nginxDown };
    return { ok: true };
  }
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

import {
  AsyncSubject, asyncScheduler, catchError, concatAll, concatMap, defer, EMPTY, ignoreElements, map, Observable, of, Subject, tap,
  throwError, timeout, timer, type SchedulerLike, type Subscription,
} from 'rxjs';
import type { Logger } from '../logger.js';
import { backoffDelay, type Backoff } from '../model/backoff.js';
import { NginxApplyError } from './nginx-apply-error.js';
import { NginxFiles } from './nginx-files.js';
import { nginxLogLevel, type NginxLine } from './nginx-line.js';
import { describeExit, NginxMaster, type Confirmed } from './nginx-master.js';
import { masterArgs, nginxPaths } from './nginx-paths.js';
import { nodeNginxSystem, type ExitStatus, type NginxSystem } from './nginx-system.js';

/** A config to put in force: its text and the hash that names it. */
export interface ConfigText {
  readonly text: string;
  readonly hash: string;
}

/** A config now in force: nginx was started on it or reloaded with it; `confirmed` when nginx's log said so. */
export interface ApplyResult {
  readonly action: 'started' | 'reloaded';
  readonly confirmed: Confirmed;
}

/** Where the master is: never started, starting, serving, dead (restart pending), quitting, gone for good. */
export type NginxState = 'idle' | 'starting' | 'running' | 'down' | 'stopping' | 'stopped';

/** A snapshot for health checks and metrics. */
export interface NginxHealth {
  readonly state: NginxState;
  /** The master is up and serving (not while down, starting or stopping). */
  readonly running: boolean;
  readonly pid: number | null;
  /** Hash of the config in force, null before the first apply. */
  readonly applied: string | null;
  readonly reloads: number;
  readonly restarts: number;
  readonly lastExit: ExitStatus | null;
}

/** Observers for logs and metrics; all optional. */
export interface NginxHooks {
  readonly health?: (health: NginxHealth) => void;
  readonly exited?: (status: ExitStatus, expected: boolean) => void;
  readonly line?: (line: NginxLine) => void;
}

/** How to run nginx; every duration has a default. */
export interface NginxSupervisorOptions {
  readonly bin: string;
  /** NGINX_CONF: the live config; its directory is nginx's prefix (`-p`) and holds every file nginx writes. */
  readonly confPath: string;
  readonly logger: Logger;
  readonly scheduler?: SchedulerLike;
  readonly system?: NginxSystem;
  readonly checkTimeoutMs?: number;
  /** How long a start or reload waits for nginx's word before counting as done unconfirmed. */
  readonly confirmTimeoutMs?: number;
  /** How long a graceful quit (in-flight requests finishing) may take before nginx is killed. */
  readonly stopTimeoutMs?: number;
  readonly restartBackoff?: Backoff;
  readonly hooks?: NginxHooks;
}

// A master that ran this long before dying was healthy: its next restart starts the backoff afresh.
const STABLE_MS = 10_000;
const KILL_WAIT_MS = 2_000;

/**
 * Owns one nginx: starts it on the first applied config, swaps tested configs in, reloads, restarts a dead master on
 * the last applied config (with backoff), and quits gracefully. Operations run one at a time, in order.
 */
export class NginxSupervisor {
  private readonly log: Logger;
  private readonly scheduler: SchedulerLike;
  private readonly system: NginxSystem;
  private readonly files: NginxFiles;
  private readonly ops = new Subject<Observable<unknown>>();
  private master: NginxMaster | null = null;
  private state: NginxState = 'idle';
  private applied: ConfigText | null = null;
  private reloads = 0;
  private restarts = 0;
  private lastExit: ExitStatus | null = null;
  private restartAttempt = 0;
  private restartTimer: Subscription | null = null;
  private readonly reapers = new Map<NginxMaster, Subscription>();
  private stopped: Observable<void> | null = null;

  constructor(private readonly options: NginxSupervisorOptions) {
    this.log = options.logger.child({ component: 'nginx' });
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.system = options.system ?? nodeNginxSystem();
    this.files = new NginxFiles(this.system, nginxPaths(options.confPath), options.bin, options.checkTimeoutMs ?? 60_000);
    this.ops.pipe(concatAll()).subscribe();
  }

  /** Writes the config next to the live one, tests it, renames it over the live file, then starts or reloads nginx. */
  apply(config: ConfigText): Observable<ApplyResult> {
    return this.enqueue(() => this.applyNow(config));
  }

  /** Tells whether the master is up and serving. */
  isRunning(): boolean {
    return this.state === 'running';
  }

  /** Returns the state, pid, config in force and counters. */
  health(): NginxHealth {
    const { state, reloads, restarts, lastExit } = this;
    return { state, running: state === 'running', pid: this.master?.pid ?? null, applied: this.applied?.hash ?? null, reloads, restarts, lastExit };
  }

  /** Asks nginx to quit gracefully (SIGQUIT: in-flight requests finish), kills it after the stop timeout; idempotent. */
  stop(): Observable<void> {
    if (this.stopped === null) {
      this.restartTimer?.unsubscribe();
      this.setState('stopping');
      const done = new AsyncSubject<void>();
      // Set before the quit is queued: from here on an exit is expected and nothing new may start.
      this.stopped = done.asObservable();
      this.enqueue(() => this.quitNow()).subscribe(done);
    }
    return this.stopped;
  }

  private applyNow(config: ConfigText): Observable<ApplyResult> {
    return defer(() => {
      if (this.stopped !== null) throw new NginxApplyError('stopped', `nginx ${this.files.paths.live} is stopping; config not applied`, '');
      return this.files.prepare(config.text);
    }).pipe(
      concatMap(() => {
        this.files.promote();
        if (this.master === null) return this.startNow().pipe(map((confirmed): ApplyResult => ({ action: 'started', confirmed })));
        return this.reloadNow(this.master).pipe(map((confirmed): ApplyResult => ({ action: 'reloaded', confirmed })));
      }),
      tap(() => {
        this.applied = config;
        this.setState(this.state);
      }),
      catchError((error: unknown) => {
        // The live file must say what nginx runs, and a restart must not pick up the config that just failed.
        if (error instanceof NginxApplyError && (error.stage === 'start' || error.stage === 'reload')) this.restoreLive();
        return throwError(() => error);
      }),
    );
  }

  private startNow(): Observable<Confirmed> {
    return defer(() => {
      this.restartTimer?.unsubscribe();
      const onLine = (line: NginxLine): void => this.forward(line);
      const master = NginxMaster.spawn(this.system, this.options.bin, masterArgs(this.files.paths), onLine, this.scheduler.now());
      this.master = master;
      this.setState('starting');
      master.exit$.subscribe((status) => this.onExit(master, status));
      return master.started(this.confirmTimeout(), this.scheduler).pipe(
        tap((confirmed) => {
          // A stop that came while nginx was starting keeps the state at stopping.
          if (this.stopped === null) this.setState('running');
          this.log.info('nginx started', { pid: master.pid, prefix: this.files.paths.prefix, confirmed });
          if (!confirmed) this.warnUnconfirmed('start');
        }),
      );
    });
  }

  private reloadNow(master: NginxMaster): Observable<Confirmed> {
    return master.reload(this.confirmTimeout(), this.scheduler).pipe(
      tap((confirmed) => {
        this.reloads++;
        if (!confirmed) this.warnUnconfirmed('reload');
      }),
    );
  }

  private onExit(master: NginxMaster, status: ExitStatus): void {
    if (master !== this.master) return;
    this.master = null;
    this.lastExit = status;
    const expected = this.stopped !== null;
    this.options.hooks?.exited?.(status, expected);
    if (expected) return;
    this.reapOrphans(master);
    if (this.scheduler.now() - master.startedAt >= STABLE_MS) this.restartAttempt = 0;
    this.setState('down');
    const restartInMs = this.applied === null ? null : this.scheduleRestart();
    this.log.error('nginx master exited', { pid: master.pid, exit: describeExit(status), restartInMs });
  }

  // The workers of a dead master live on and keep the listen socket, so a new master could not bind: SIGQUIT makes
  // them close it at once and finish their requests; whatever is left after the stop timeout is killed.
  private reapOrphans(master: NginxMaster): void {
    if (!master.signalGroup('SIGQUIT')) return;
    const reaper = timer(this.options.stopTimeoutMs ?? 10_000, this.scheduler).subscribe(() => this.killOrphans(master));
    this.reapers.set(master, reaper);
  }

  private killOrphans(master: NginxMaster): void {
    this.reapers.get(master)?.unsubscribe();
    this.reapers.delete(master);
    // A group id is freed with its last member; never signal a group that is now our own master's.
    if (master.pid !== this.master?.pid) master.signalGroup('SIGKILL');
  }

  private scheduleRestart(): number {
    this.restartTimer?.unsubscribe();
    const delayMs = backoffDelay(++this.restartAttempt, this.options.restartBackoff ?? { initialMs: 200, maxMs: 10_000 });
    this.restartTimer = timer(delayMs, this.scheduler).subscribe(() => {
      this.restartTimer = null;
      this.enqueue(() => this.restartNow()).subscribe({
        error: (error: unknown) => {
          this.log.error('nginx restart failed', { error: String(error) });
          // A failed spawn has already rescheduled through onExit; a failed write has not.
          if (this.master === null && this.restartTimer === null && this.stopped === null) this.scheduleRestart();
        },
      });
    });
    return delayMs;
  }

  private restartNow(): Observable<Confirmed> {
    return defer(() => {
      if (this.stopped !== null || this.master !== null || this.applied === null) return EMPTY;
      this.files.restore(this.applied.text);
      this.restarts++;
      return this.startNow();
    });
  }

  private quitNow(): Observable<void> {
    return defer(() => {
      this.restartTimer?.unsubscribe();
      for (const master of [...this.reapers.keys()]) this.killOrphans(master);
      const master = this.master;
      if (master === null) return of(undefined);
      master.signal('SIGQUIT');
      const stopTimeoutMs = this.options.stopTimeoutMs ?? 10_000;
      return master.exit$.pipe(
        timeout({
          first: stopTimeoutMs,
          scheduler: this.scheduler,
          with: () => {
            this.log.warn('nginx did not quit in time; killing it', { pid: master.pid, stopTimeoutMs });
            master.signalGroup('SIGKILL');
            return master.exit$.pipe(timeout({ first: KILL_WAIT_MS, scheduler: this.scheduler, with: () => of(null) }));
          },
        }),
        tap((status) => {
          // After a clean quit the workers are gone; otherwise they may be orphans.
          if (status === null || status.code !== 0) master.signalGroup('SIGKILL');
        }),
        map(() => undefined),
      );
    }).pipe(
      tap(() => {
        this.setState('stopped');
        this.log.info('nginx stopped');
      }),
      ignoreElements(),
    );
  }

  private restoreLive(): void {
    if (this.applied === null) return;
    try {
      this.files.restore(this.applied.text);
    } catch (error) {
      this.log.error('cannot restore the live config', { path: this.files.paths.live, error: String(error) });
    }
  }

  private forward(line: NginxLine): void {
    this.log.log(nginxLogLevel(line.level), line.message, { nginx: line.level, pid: line.pid });
    this.options.hooks?.line?.(line);
  }

  private warnUnconfirmed(what: 'start' | 'reload'): void {
    this.log.warn(`nginx did not confirm the ${what} in its log in time; assuming it took effect`, { confirmTimeoutMs: this.confirmTimeout() });
  }

  private confirmTimeout(): number {
    return this.options.confirmTimeoutMs ?? 30_000;
  }

  private setState(state: NginxState): void {
    this.state = state;
    this.options.hooks?.health?.(this.health());
  }

  // Runs operations one at a time; one whose caller left before its turn is skipped, one under way runs to its end.
  private enqueue<T>(work: () => Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      let wanted = true;
      const op = defer(() => (wanted ? work() : EMPTY)).pipe(tap(subscriber), catchError(() => EMPTY));
      this.ops.next(op);
      return () => {
        wanted = false;
      };
    });
  }
}

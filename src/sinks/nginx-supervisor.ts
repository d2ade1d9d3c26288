import {
  AsyncSubject,
  asyncScheduler,
  catchError,
  concatAll,
  concatMap,
  defer,
  EMPTY,
  endWith,
  ignoreElements,
  map,
  merge,
  Observable,
  of,
  Subject,
  take,
  tap,
  throwError,
  timeout,
  timer,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Logger } from '../logger.js';
import { NginxApplyError } from './nginx-apply-error.js';
import { backoffDelay, type Backoff } from '../model/backoff.js';
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

/**
 * The supervisor's state with what each state owns, so no two fields can disagree: a master exists only while
 * starting, running or stopping; a restart timer only while down; the stop's completion from the stop on.
 */
type Phase =
  | { readonly state: 'idle' }
  | { readonly state: 'starting' | 'running'; readonly master: NginxMaster }
  | { readonly state: 'down'; readonly restart: Subscription | null }
  | { readonly state: 'stopping'; readonly master: NginxMaster | null; readonly done: Observable<void> }
  | { readonly state: 'stopped'; readonly done: Observable<void> };

/** The supervisor's durations, defaults resolved once. */
interface Timing {
  readonly checkTimeoutMs: number;
  readonly confirmTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly restartBackoff: Backoff;
}

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

/** Why nginx read a config: first start, restart after its master died, or a reload for a structural change. */
export type LoadReason = 'start' | 'restart' | 'structure';

/** Observers for logs and metrics; all optional. */
export interface NginxHooks {
  readonly health?: (health: NginxHealth) => void;
  /** nginx read a config and serves it (a confirmed or assumed start or reload). */
  readonly loaded?: (reason: LoadReason) => void;
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
  /** Extra directives for `-g` (master and `nginx -t`), e.g. `worker_shutdown_timeout 60s;`. */
  readonly globals?: string;
  /**
   * Runs after every (re)start, before the master counts as running (and readiness turns 200): e.g. wait until nginx
   * answers on its port, then push the members. Its failure is logged; nginx still counts as running.
   */
  readonly ready?: () => Observable<unknown>;
  /** Runs before every (re)start, e.g. to remove a unix socket a killed master left behind (nginx would not bind). */
  readonly beforeStart?: () => void;
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
  private readonly timing: Timing;
  private readonly files: NginxFiles;
  private readonly ops = new Subject<Observable<unknown>>();
  private phase: Phase = { state: 'idle' };
  private applied: ConfigText | null = null;
  private reloads = 0;
  private restarts = 0;
  private lastExit: ExitStatus | null = null;
  private restartAttempt = 0;
  private readonly reapers = new Map<NginxMaster, Subscription>();

  constructor(private readonly options: NginxSupervisorOptions) {
    this.log = options.logger.child({ component: 'nginx' });
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.system = options.system ?? nodeNginxSystem();
    this.timing = {
      checkTimeoutMs: options.checkTimeoutMs ?? 60_000,
      confirmTimeoutMs: options.confirmTimeoutMs ?? 30_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
      restartBackoff: options.restartBackoff ?? { initialMs: 200, maxMs: 10_000 },
    };
    this.files = new NginxFiles(
      this.system,
      nginxPaths(options.confPath, options.globals ?? ''),
      options.bin,
      this.timing.checkTimeoutMs,
    );
    this.ops.pipe(concatAll()).subscribe();
  }

  /** The files of this nginx: its prefix, live config and candidate. */
  get paths(): NginxFiles['paths'] {
    return this.files.paths;
  }

  /**
   * Writes the config next to the live one, tests it, renames it over the live file, then reloads nginx. The first
   * config is not tested apart: starting nginx parses it exactly as `nginx -t` would and refuses it the same way
   * (the master exits), so nothing untested ever serves, and a large first config is parsed once, not twice.
   */
  apply(config: ConfigText): Observable<ApplyResult> {
    return this.enqueue(() => this.applyNow(config));
  }

  /** Tells whether the master is up and serving. */
  isRunning(): boolean {
    return this.phase.state === 'running';
  }

  /** Returns the state, pid, config in force and counters. */
  health(): NginxHealth {
    const { reloads, restarts, lastExit } = this;
    const state = this.phase.state;
    return {
      state,
      running: state === 'running',
      pid: this.master()?.pid ?? null,
      applied: this.applied?.hash ?? null,
      reloads,
      restarts,
      lastExit,
    };
  }

  /** Asks nginx to quit gracefully (SIGQUIT: in-flight requests finish), kills it after the stop timeout; idempotent. */
  stop(): Observable<void> {
    const phase = this.phase;
    if (phase.state === 'stopping' || phase.state === 'stopped') return phase.done;
    if (phase.state === 'down') phase.restart?.unsubscribe();
    const done = new AsyncSubject<void>();
    // Set before the quit is queued: from here on an exit is expected and nothing new may start.
    this.setPhase({ state: 'stopping', master: this.master(), done: done.asObservable() });
    this.enqueue(() => this.quitNow()).subscribe(done);
    return done.asObservable();
  }

  /** The master of the current state, if it has one. */
  private master(): NginxMaster | null {
    const phase = this.phase;
    return phase.state === 'starting' || phase.state === 'running' || phase.state === 'stopping' ? phase.master : null;
  }

  private stopping(): boolean {
    return this.phase.state === 'stopping' || this.phase.state === 'stopped';
  }

  private applyNow(config: ConfigText): Observable<ApplyResult> {
    return defer(() => {
      if (this.stopping())
        throw new NginxApplyError('stopped', `nginx ${this.files.paths.live} is stopping; config not applied`);
      const master = this.master();
      if (master === null) {
        this.files.restore(config.text);
        return this.startNow('start').pipe(map((confirmed): ApplyResult => ({ action: 'started', confirmed })));
      }
      return this.files.prepare(config.text).pipe(
        concatMap(() => {
          this.files.promote();
          return this.reloadNow(master).pipe(map((confirmed): ApplyResult => ({ action: 'reloaded', confirmed })));
        }),
      );
    }).pipe(
      tap(() => {
        this.applied = config;
        this.setPhase(this.phase);
      }),
      catchError((error: unknown) => {
        // The live file must say what nginx runs, and a restart must not pick up the config that just failed.
        if (error instanceof NginxApplyError && (error.stage === 'start' || error.stage === 'reload'))
          this.restoreLive();
        return throwError(() => error);
      }),
    );
  }

  private startNow(reason: 'start' | 'restart'): Observable<Confirmed> {
    return defer(() => {
      if (this.phase.state === 'down') this.phase.restart?.unsubscribe();
      this.options.beforeStart?.();
      const onLine = (line: NginxLine): void => this.forward(line);
      const master = NginxMaster.spawn(
        this.system,
        this.options.bin,
        masterArgs(this.files.paths),
        onLine,
        this.scheduler.now(),
      );
      this.setPhase({ state: 'starting', master });
      master.exit$.subscribe((status) => this.onExit(master, status));
      return master.started(this.timing.confirmTimeoutMs, this.scheduler).pipe(
        concatMap((confirmed) => this.whenReady(master).pipe(map(() => confirmed))),
        tap((confirmed) => {
          // A stop that came while nginx was starting keeps the state at stopping.
          if (this.phase.state === 'starting' && this.phase.master === master)
            this.setPhase({ state: 'running', master });
          this.log.info('nginx started', { pid: master.pid, prefix: this.files.paths.prefix, confirmed, reason });
          if (!confirmed) this.warnUnconfirmed('start');
          this.options.hooks?.loaded?.(reason);
        }),
      );
    });
  }

  private reloadNow(master: NginxMaster): Observable<Confirmed> {
    return master.reload(this.timing.confirmTimeoutMs, this.scheduler).pipe(
      tap((confirmed) => {
        this.reloads++;
        if (!confirmed) this.warnUnconfirmed('reload');
        this.options.hooks?.loaded?.('structure');
      }),
    );
  }

  // The ready hook, bounded by the master's life: a master that dies meanwhile fails the start as usual.
  private whenReady(master: NginxMaster): Observable<unknown> {
    const ready = this.options.ready;
    if (ready === undefined) return of(undefined);
    const steps$ = defer(ready).pipe(
      ignoreElements(),
      endWith(undefined),
      catchError((error: unknown) => {
        this.log.warn('nginx started, but its readiness steps failed', { pid: master.pid, error: String(error) });
        return of(undefined);
      }),
    );
    const died$ = master.exit$.pipe(
      map((status) => {
        throw new NginxApplyError(
          'start',
          `nginx master ${master.pid ?? ''} exited while getting ready (${describeExit(status)})`,
        );
      }),
    );
    return merge(steps$, died$).pipe(take(1));
  }

  private onExit(master: NginxMaster, status: ExitStatus): void {
    if (master !== this.master()) return;
    this.lastExit = status;
    const phase = this.phase;
    if (phase.state === 'stopping') {
      this.setPhase({ state: 'stopping', master: null, done: phase.done });
      this.options.hooks?.exited?.(status, true);
      return;
    }
    this.options.hooks?.exited?.(status, false);
    this.reapOrphans(master);
    if (this.scheduler.now() - master.startedAt >= STABLE_MS) this.restartAttempt = 0;
    this.setPhase({ state: 'down', restart: null });
    const restartInMs = this.applied === null ? null : this.scheduleRestart();
    this.log.error('nginx master exited', { pid: master.pid, exit: describeExit(status), restartInMs });
  }

  // The workers of a dead master live on and keep the listen socket, so a new master could not bind: SIGQUIT makes
  // them close it at once and finish their requests; whatever is left after the stop timeout is killed.
  private reapOrphans(master: NginxMaster): void {
    if (!master.signalGroup('SIGQUIT')) return;
    const reaper = timer(this.timing.stopTimeoutMs, this.scheduler).subscribe(() => this.killOrphans(master));
    this.reapers.set(master, reaper);
  }

  private killOrphans(master: NginxMaster): void {
    this.reapers.get(master)?.unsubscribe();
    this.reapers.delete(master);
    // A group id is freed with its last member; never signal a group that is now our own master's.
    if (master.pid !== this.master()?.pid) master.signalGroup('SIGKILL');
  }

  // Only while down: the timer belongs to the down state, and leaving it (a start, a stop) cancels it.
  private scheduleRestart(): number {
    if (this.phase.state === 'down') this.phase.restart?.unsubscribe();
    const delayMs = backoffDelay(++this.restartAttempt, this.timing.restartBackoff);
    const restart = timer(delayMs, this.scheduler).subscribe(() => {
      if (this.phase.state === 'down' && this.phase.restart === restart)
        this.setPhase({ state: 'down', restart: null });
      this.enqueue(() => this.restartNow()).subscribe({
        error: (error: unknown) => {
          this.log.error('nginx restart failed', { error: String(error) });
          // A failed spawn has already rescheduled through onExit; a failed write has not.
          if (this.phase.state === 'down' && this.phase.restart === null) this.scheduleRestart();
        },
      });
    });
    this.setPhase({ state: 'down', restart });
    return delayMs;
  }

  private restartNow(): Observable<Confirmed> {
    return defer(() => {
      if (this.phase.state !== 'down' || this.applied === null) return EMPTY;
      this.files.restore(this.applied.text);
      this.restarts++;
      return this.startNow('restart');
    });
  }

  private quitNow(): Observable<void> {
    const phase = this.phase;
    const done = phase.state === 'stopping' || phase.state === 'stopped' ? phase.done : EMPTY;
    return defer(() => {
      for (const master of [...this.reapers.keys()]) this.killOrphans(master);
      const master = this.master();
      if (master === null) return of(undefined);
      master.signal('SIGQUIT');
      const stopTimeoutMs = this.timing.stopTimeoutMs;
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
        this.setPhase({ state: 'stopped', done });
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
    this.log.warn(`nginx did not confirm the ${what} in its log in time; assuming it took effect`, {
      confirmTimeoutMs: this.timing.confirmTimeoutMs,
    });
  }

  private setPhase(phase: Phase): void {
    this.phase = phase;
    this.options.hooks?.health?.(this.health());
  }

  // Runs operations one at a time; one whose caller left before its turn is skipped, one under way runs to its end.
  private enqueue<T>(work: () => Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      let wanted = true;
      const op = defer(() => (wanted ? work() : EMPTY)).pipe(
        tap(subscriber),
        catchError(() => EMPTY),
      );
      this.ops.next(op);
      return () => {
        wanted = false;
      };
    });
  }
}

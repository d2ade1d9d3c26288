import {
  AsyncSubject,
  defer,
  EMPTY,
  filter,
  map,
  merge,
  mergeMap,
  of,
  Subject,
  take,
  timer,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { NginxApplyError } from './nginx-apply-error.js';
import { isFatal, nginxLine, type NginxLine } from './nginx-line.js';
import type { ExitStatus, NginxSystem, ProcessHandle, ProcessListener } from './nginx-system.js';

/** Whether nginx confirmed a start or reload in its log (`true`), or only failed to report a failure in time. */
export type Confirmed = boolean;

// nginx retries a busy port 5 times, 500 ms apart, before `[emerg] still could not bind()`; such an emerg is not
// the end yet.
const BIND_RETRY = /^bind\(\) to .* failed/;
const KEPT_MESSAGES = 8;

/**
 * One nginx master process and what it says. nginx reports a failed reload only in its log, so starts and reloads
 * are judged from the master's lines: `start worker processes` (logged at `notice`) confirms, an `[emerg]` fails,
 * exiting fails, and silence until the deadline counts as an unconfirmed success (`nginx -t` already passed).
 * The lines come at notice level because the master runs with `-g 'error_log stderr notice;'` (see nginx-paths).
 */
export class NginxMaster implements ProcessListener {
  private readonly lines = new Subject<NginxLine>();
  private readonly exits = new AsyncSubject<ExitStatus>();
  private readonly fatal: string[] = [];
  private handle: ProcessHandle | null = null;
  private status: ExitStatus | null = null;
  private previous = '';

  private constructor(
    private readonly onLine: (line: NginxLine, fromMaster: boolean) => void,
    /** When it was spawned, in the scheduler's ms. */
    readonly startedAt: number,
  ) {}

  /** Spawns a master with `args`; every line it writes is parsed and passed to `onLine`. */
  static spawn(
    system: NginxSystem,
    bin: string,
    args: readonly string[],
    onLine: (line: NginxLine, fromMaster: boolean) => void,
    now: number,
  ): NginxMaster {
    const master = new NginxMaster(onLine, now);
    master.handle = system.spawn(bin, args, master);
    return master;
  }

  /** The master's pid (null if it could not be spawned). */
  get pid(): number | null {
    return this.handle?.pid ?? null;
  }

  /** How it exited, or null while it runs. */
  get exited(): ExitStatus | null {
    return this.status;
  }

  /** Emits how the master exited, once, then completes (at once if it already has). */
  get exit$(): Observable<ExitStatus> {
    return this.exits.asObservable();
  }

  /** Receives a line from the process. */
  line(text: string): void {
    // With our `-g 'error_log stderr notice;'` and a template's own `error_log stderr;` nginx writes every error
    // twice, back to back; a repeat of the previous line (same time, pid and text) carries nothing new.
    if (text === this.previous) return;
    this.previous = text;
    const parsed = nginxLine(text);
    const fromMaster = parsed.pid === null || parsed.pid === this.pid;
    if (fromMaster && isFatal(parsed)) {
      this.fatal.push(parsed.message);
      if (this.fatal.length > KEPT_MESSAGES) this.fatal.shift();
    }
    this.onLine(parsed, fromMaster);
    if (fromMaster) this.lines.next(parsed);
  }

  /** Receives the process's exit. */
  exit(status: ExitStatus): void {
    if (this.status !== null) return;
    this.status = status;
    this.exits.next(status);
    this.exits.complete();
    this.lines.complete();
  }

  /** Sends a signal to the master. */
  signal(signal: NodeJS.Signals): void {
    this.handle?.signal(signal);
  }

  /** Sends a signal to the master and its workers (alive or orphaned); returns false if none is left. */
  signalGroup(signal: NodeJS.Signals | 0): boolean {
    return this.handle?.signalGroup(signal) ?? false;
  }

  /** Waits until the master has started its workers; errors (stage `start`) if it exits first. */
  started(timeoutMs: number, scheduler: SchedulerLike): Observable<Confirmed> {
    return merge(
      this.lines.pipe(
        filter((line) => line.message === 'start worker processes'),
        map(() => true),
      ),
      this.failOnExit('start', 'exited while starting'),
      timer(timeoutMs, scheduler).pipe(map(() => false)),
    ).pipe(take(1));
  }

  /** Sends SIGHUP and waits for nginx's verdict; errors (stage `reload`) with nginx's message on failure. */
  reload(timeoutMs: number, scheduler: SchedulerLike): Observable<Confirmed> {
    return defer(() => {
      const problems: string[] = [];
      let reconfiguring = false;
      const verdict$ = this.lines.pipe(
        mergeMap((line) => {
          if (line.message.endsWith('reconfiguring')) reconfiguring = true;
          if (reconfiguring && line.message === 'start worker processes') return of(true);
          if (!isFatal(line)) return EMPTY;
          problems.push(line.message);
          if (BIND_RETRY.test(line.message)) return EMPTY;
          throw this.reloadError(problems);
        }),
      );
      const deadline$ = timer(timeoutMs, scheduler).pipe(
        map(() => {
          if (problems.length > 0) throw this.reloadError(problems);
          return false;
        }),
      );
      const hangUp$ = defer(() => {
        this.signal('SIGHUP');
        return EMPTY;
      });
      return merge(
        merge(verdict$, this.failOnExit('reload', 'exited while reloading'), deadline$).pipe(take(1)),
        hangUp$,
      );
    });
  }

  private failOnExit(stage: 'start' | 'reload', what: string): Observable<never> {
    return this.exits.pipe(
      map((status) => {
        throw new NginxApplyError(
          stage,
          `nginx master ${this.pid ?? '(not spawned)'} ${what} (${describeExit(status)})`,
          { detail: [...new Set(this.fatal)].join('; ') },
        );
      }),
    );
  }

  private reloadError(problems: readonly string[]): NginxApplyError {
    return new NginxApplyError('reload', `nginx master ${this.pid ?? ''} refused the reload`, {
      detail: [...new Set(problems)].join('; '),
    });
  }
}

/** Returns `code 1`, `signal SIGKILL` or the spawn error, for log messages. */
export function describeExit(status: ExitStatus): string {
  if (status.error !== undefined) return status.error;
  return status.signal !== null ? `signal ${status.signal}` : `code ${String(status.code)}`;
}

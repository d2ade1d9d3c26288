import {
  asyncScheduler,
  catchError,
  concat,
  defer,
  EMPTY,
  finalize,
  ignoreElements,
  map,
  Observable,
  of,
  take,
  takeWhile,
  throwError,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import type { Logger } from '../logger.js';
import { EMPTY_MEMBERSHIP, sameMembership, unionMembership, type Membership } from '../model/membership.js';
import { shortHash, type RenderedConfig } from '../model/rendered-config.js';
import { applyLatest, type LatestQueue } from './apply-latest.js';
import { MembersPushError, type PushProblem, type Pushed } from './members-channel.js';
import { NginxApplyError, type ApplyStage } from './nginx-apply-error.js';
import { backoffDelay, type Backoff } from '../model/backoff.js';
import type { ApplyResult, ConfigText } from './nginx-supervisor.js';

/** What became of one attempt to put a config (structure and members) in force. */
export type ApplyOutcome =
  | {
      readonly type: 'applied';
      readonly config: RenderedConfig;
      readonly action: ApplyResult['action'];
      /** nginx's log confirmed the start or reload (else it only reported no failure in time). */
      readonly confirmed: boolean;
      /** 1 for the first try of this config. */
      readonly attempt: number;
      readonly durationMs: number;
    }
  /** Dynamic mode: only the members changed, and nginx serves them now (no reload). */
  | {
      readonly type: 'pushed';
      readonly config: RenderedConfig;
      readonly version: number;
      readonly attempt: number;
      readonly durationMs: number;
    }
  | {
      readonly type: 'failed';
      readonly config: RenderedConfig;
      readonly stage: ApplyStage;
      /** Includes nginx's own message (for `check`, the output of `nginx -t`). */
      readonly message: string;
      readonly attempt: number;
      readonly durationMs: number;
      /** When this config is tried again; null when a newer config replaces it or the sink is ending. */
      readonly retryInMs: number | null;
    }
  /** The config is the one already in force (a failed change was reverted): nothing to do, pending retries dropped. */
  | { readonly type: 'unchanged'; readonly config: RenderedConfig };

/** What the sink needs of nginx; an NginxSupervisor. */
export interface NginxTarget {
  apply(config: ConfigText): Observable<ApplyResult>;
  health(): { readonly applied: string | null };
  stop(): Observable<void>;
}

/** What the sink needs of the members channel (dynamic mode); a MembersChannel. */
export interface MembersTarget {
  /** The membership last written, or null. */
  readonly current: Membership | null;
  /** nginx confirmed the snapshot last written. */
  readonly inSync: boolean;
  /** Writes the next snapshot to the file nginx loads at (re)start; returns its version. */
  write(membership: Membership): number;
  /** Pushes the snapshot last written to the running nginx. */
  pushCurrent(): Observable<Pushed>;
}

/** Logging, time and retry pacing of the sink. */
export interface ApplyToNginxOptions {
  readonly logger: Logger;
  readonly scheduler?: SchedulerLike;
  /** Pause before trying a failed config again; default 1 s doubling to 30 s. */
  readonly retryBackoff?: Backoff;
  /** Dynamic mode: members go through this channel, and only structural changes reload nginx. */
  readonly members?: MembersTarget;
  /** Told the result of every members push (for metrics). */
  readonly onPush?: (result: 'success' | PushProblem, durationMs: number) => void;
}

/**
 * Puts each config in force in nginx, one at a time, latest wins (applyLatest): a failed config is retried with
 * capped backoff until it succeeds or a newer config replaces it. In dynamic mode a config whose text is in force
 * only pushes its members; a structural change pushes the union of old and new members first (so workers of either
 * config find their routes), then tests, swaps and reloads, then pushes the new members. nginx lives as long as the
 * subscription: when the configs end (or on unsubscribe) it is stopped gracefully, and the outcomes complete once
 * it has quit.
 *
 * ```
 * configs:  -A-B-C-----------|
 * applies:  -[A--]-[C--]              (B replaced by C while A ran)
 * outcomes: -----a-----c-----(stop)|
 * ```
 */
export function applyToNginx(
  nginx: NginxTarget,
  options: ApplyToNginxOptions,
): OperatorFunction<RenderedConfig, ApplyOutcome> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const backoff = options.retryBackoff ?? { initialMs: 1_000, maxMs: 30_000 };
  const log = options.logger.child({ component: 'nginx' });
  return (configs$) =>
    defer(() => {
      let failure: { readonly error: unknown } | null = null;
      let stopping = false;
      const stop = (): Observable<void> => {
        stopping = true;
        return nginx.stop();
      };
      const steps = new ApplySteps(nginx, options, log, scheduler, backoff);
      const outcomes$ = configs$.pipe(
        catchError((error: unknown) => {
          failure = { error };
          return EMPTY;
        }),
        applyLatest<RenderedConfig, ApplyOutcome>({
          work: (config, attempt, queue) => steps.apply(config, attempt, queue),
          retryInMs: (last) => (last?.type === 'failed' ? last.retryInMs : null),
          scheduler,
        }),
        // nginx refusing applies because it is stopping ends the sink.
        takeWhile((outcome) => !(outcome.type === 'failed' && outcome.stage === 'stopped'), true),
      );
      return concat(
        outcomes$,
        defer(stop).pipe(ignoreElements()),
        defer(() => (failure === null ? EMPTY : throwError(() => failure!.error))),
      ).pipe(
        finalize(() => {
          if (!stopping) stop().subscribe({ error: () => undefined });
        }),
      );
    });
}

/** The steps of one apply. */
class ApplySteps {
  constructor(
    private readonly nginx: NginxTarget,
    private readonly options: ApplyToNginxOptions,
    private readonly log: Logger,
    private readonly scheduler: SchedulerLike,
    private readonly backoff: Backoff,
  ) {}

  apply(config: RenderedConfig, attempt: number, queue: LatestQueue): Observable<ApplyOutcome> {
    return defer(() => {
      const started = this.scheduler.now();
      const elapsed = (): number => this.scheduler.now() - started;
      const channel = this.options.members;
      const members = config.members ?? EMPTY_MEMBERSHIP;
      // The last config applied, not the last one received: a failed apply must be retried even though upstream
      // skip-unchanged will never send it again (and an undo of a failed change needs no apply at all).
      const structural = config.hash !== this.nginx.health().applied;
      if (!structural && (channel === undefined || this.inForce(channel, members))) {
        this.log.debug('config already in force', { hash: shortHash(config) });
        return of<ApplyOutcome>({ type: 'unchanged', config });
      }
      if (!structural) {
        return this.publish(channel!, members).pipe(
          map((version): ApplyOutcome => {
            this.log.info('members pushed', {
              hash: shortHash(config),
              version,
              attempt,
              durationMs: elapsed(),
              routes: config.routes,
              backends: config.backends,
            });
            return { type: 'pushed', config, version, attempt, durationMs: elapsed() };
          }),
          catchError((error: unknown) => of(this.failed(config, attempt, elapsed(), error, queue))),
        );
      }
      const running = this.nginx.health().applied !== null;
      const before$ =
        channel === undefined
          ? EMPTY
          : running && channel.current !== null
            ? this.publishBefore(channel, members)
            : defer(() => (this.write(channel, members), EMPTY));
      const after$ =
        channel === undefined
          ? EMPTY
          : defer(() => (this.inForce(channel, members) ? EMPTY : this.publish(channel, members)));
      let result: ApplyResult | null = null;
      return concat(
        before$,
        this.nginx.apply(config).pipe(
          take(1),
          map((applied) => (result = applied)),
          ignoreElements(),
          // The supervisor completing without a result means it stopped.
          endWith$(() =>
            result === null
              ? throwError(() => new NginxApplyError('stopped', 'nginx ended the apply without a result'))
              : EMPTY,
          ),
        ),
        after$.pipe(ignoreElements()),
        defer(() => {
          const applied = result!;
          this.log.info('nginx config applied', {
            hash: shortHash(config),
            ...applied,
            attempt,
            durationMs: elapsed(),
            routes: config.routes,
            backends: config.backends,
          });
          return of<ApplyOutcome>({ type: 'applied', config, ...applied, attempt, durationMs: elapsed() });
        }),
      ).pipe(catchError((error: unknown) => of(this.failed(config, attempt, elapsed(), error, queue))));
    });
  }

  private inForce(channel: MembersTarget, members: Membership): boolean {
    return channel.current !== null && channel.inSync && sameMembership(channel.current, members);
  }

  private write(channel: MembersTarget, members: Membership): number {
    try {
      return channel.write(members);
    } catch (error) {
      throw new NginxApplyError('write', 'cannot write the members file', {
        detail: (error as Error).message,
        cause: error,
      });
    }
  }

  /** Writes and pushes a membership; emits the version nginx confirmed. */
  private publish(channel: MembersTarget, members: Membership): Observable<number> {
    return defer(() => {
      this.write(channel, members);
      return channel.pushCurrent().pipe(
        map((pushed) => {
          this.options.onPush?.('success', pushed.durationMs);
          return pushed.version;
        }),
        catchError((error: unknown) => {
          if (error instanceof MembersPushError) {
            this.options.onPush?.(error.problem, 0);
            const hint =
              error.problem === 'no-memory'
                ? ' (shared memory short: raise --lua-shared-dict-min, K8S_PODS_INGRESS_LUA_SHARED_DICT_MIN_MB)'
                : '';
            return throwError(() => new NginxApplyError('push', `${error.message}${hint}`, { cause: error }));
          }
          return throwError(() => error);
        }),
      );
    });
  }

  /**
   * Before a reload: the union of the members in force and the new ones, so the new workers find the members of new
   * routes at once and the old ones keep theirs. A union too large for the old config's limits is only written (the
   * reload loads it from the file).
   */
  private publishBefore(channel: MembersTarget, members: Membership): Observable<never> {
    const union = unionMembership(channel.current!, members);
    return this.publish(channel, union).pipe(
      ignoreElements(),
      catchError((error: unknown) => {
        const cause = error instanceof NginxApplyError ? error.cause : null;
        if (cause instanceof MembersPushError && cause.problem !== 'unreachable') {
          this.log.warn('members before the reload not pushed; the reload loads them from the file', {
            error: String(error),
          });
          return EMPTY;
        }
        return throwError(() => error);
      }),
    );
  }

  private failed(
    config: RenderedConfig,
    attempt: number,
    durationMs: number,
    error: unknown,
    queue: LatestQueue,
  ): ApplyOutcome {
    // Anything that is not an NginxApplyError is a bug on our side; retrying is still the best answer.
    const stage: ApplyStage = error instanceof NginxApplyError ? error.stage : 'write';
    const message = error instanceof Error ? error.message : String(error);
    const retryInMs = stage === 'stopped' || queue.superseded() ? null : backoffDelay(attempt, this.backoff);
    const kept =
      this.nginx.health().applied !== null ? 'the previous config stays in force' : 'nginx has no config yet';
    const what =
      stage === 'push' ? 'members not pushed; nginx keeps the previous members' : `nginx config not applied; ${kept}`;
    this.log.error(what, { hash: shortHash(config), stage, error: message, attempt, retryInMs });
    return { type: 'failed', config, stage, message, attempt, durationMs, retryInMs };
  }
}

/** Appends what `tail` returns once the source completed. */
function endWith$<T>(tail: () => Observable<T>): OperatorFunction<T, T> {
  return (source$) => concat(source$, defer(tail));
}

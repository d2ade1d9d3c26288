import { asyncScheduler, Observable, Subscription, timer, type OperatorFunction, type SchedulerLike, type Subscriber } from 'rxjs';
import type { Logger } from '../logger.js';
import { backoffDelay, type Backoff } from '../model/backoff.js';
import { shortHash, type RenderedConfig } from '../model/rendered-config.js';
import { NginxApplyError, type ApplyStage } from './nginx-apply-error.js';
import type { ApplyResult, ConfigText } from './nginx-supervisor.js';

/** What became of one attempt to put a config in force. */
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

/** Logging, time and retry pacing of the sink. */
export interface ApplyToNginxOptions {
  readonly logger: Logger;
  readonly scheduler?: SchedulerLike;
  /** Pause before trying a failed config again; default 1 s doubling to 30 s. */
  readonly retryBackoff?: Backoff;
}

/**
 * Puts each config in force in nginx, one apply at a time: while one runs only the newest config waits (latest
 * wins); a failed config is retried with capped backoff until it succeeds or a newer config replaces it. nginx
 * lives as long as the subscription: when the configs end (or on unsubscribe) it is stopped gracefully, and the
 * outcomes complete once it has quit.
 *
 * ```
 * configs:  -A-B-C-----------|
 * applies:  -[A--]-[C--]              (B replaced by C while A ran)
 * outcomes: -----a-----c-----(stop)|
 * ```
 */
export function applyToNginx(nginx: NginxTarget, options: ApplyToNginxOptions): OperatorFunction<RenderedConfig, ApplyOutcome> {
  return (configs$) =>
    new Observable<ApplyOutcome>((subscriber) => {
      const loop = new ApplyLoop(nginx, options, subscriber);
      const upstream = configs$.subscribe({
        next: (config) => loop.offer(config),
        error: (error: unknown) => loop.end({ error }),
        complete: () => loop.end(null),
      });
      return () => {
        upstream.unsubscribe();
        loop.dispose();
      };
    });
}

class ApplyLoop {
  private readonly log: Logger;
  private readonly scheduler: SchedulerLike;
  private readonly applies = new Subscription();
  private pending: RenderedConfig | null = null;
  private busy = false;
  private retry: Subscription | null = null;
  private ending: { readonly error: unknown } | null = null;
  private finished = false;

  constructor(
    private readonly nginx: NginxTarget,
    private readonly options: ApplyToNginxOptions,
    private readonly subscriber: Subscriber<ApplyOutcome>,
  ) {
    this.log = options.logger.child({ component: 'nginx' });
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  offer(config: RenderedConfig): void {
    if (this.busy) {
      this.pending = config;
      return;
    }
    this.cancelRetry();
    this.begin(config, 1);
  }

  end(ending: { readonly error: unknown } | null): void {
    this.ending = ending ?? { error: null };
    this.pending = null;
    this.cancelRetry();
    if (!this.busy) this.finish();
  }

  dispose(): void {
    this.cancelRetry();
    this.applies.unsubscribe();
    if (this.finished) return;
    this.finished = true;
    this.nginx.stop().subscribe({ error: () => undefined });
  }

  private begin(config: RenderedConfig, attempt: number): void {
    // The last config applied, not the last one received: a failed apply must be retried even though upstream
    // skip-unchanged will never send it again (and an undo of a failed change needs no apply at all).
    if (config.hash === this.nginx.health().applied) {
      this.log.debug('config already in force', { hash: shortHash(config) });
      this.subscriber.next({ type: 'unchanged', config });
      return;
    }
    this.busy = true;
    const started = this.scheduler.now();
    let settled = false;
    const settle = (result: ApplyResult | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      this.settle(config, attempt, this.scheduler.now() - started, result);
    };
    this.applies.add(
      this.nginx.apply(config).subscribe({
        next: (result) => settle(result),
        error: (error: unknown) => settle({ error }),
        complete: () => settle({ error: new NginxApplyError('stopped', 'nginx ended the apply without a result', '') }),
      }),
    );
  }

  private settle(config: RenderedConfig, attempt: number, durationMs: number, result: ApplyResult | { error: unknown }): void {
    this.busy = false;
    if ('error' in result) {
      this.failed(config, attempt, durationMs, result.error);
    } else {
      this.log.info('nginx config applied', { hash: shortHash(config), ...result, attempt, durationMs, routes: config.routes, backends: config.backends });
      this.subscriber.next({ type: 'applied', config, ...result, attempt, durationMs });
    }
    if (this.ending !== null) return this.finish();
    const next = this.pending;
    if (next === null) return;
    this.pending = null;
    this.cancelRetry();
    this.begin(next, 1);
  }

  private failed(config: RenderedConfig, attempt: number, durationMs: number, error: unknown): void {
    // Anything that is not an NginxApplyError is a bug on our side; retrying is still the best answer.
    const stage: ApplyStage = error instanceof NginxApplyError ? error.stage : 'write';
    const message = error instanceof Error ? error.message : String(error);
    const retryInMs = stage === 'stopped' || this.pending !== null || this.ending !== null ? null : backoffDelay(attempt, this.backoff());
    const kept = this.nginx.health().applied !== null ? 'the previous config stays in force' : 'nginx has no config yet';
    this.log.error(`nginx config not applied; ${kept}`, { hash: shortHash(config), stage, error: message, attempt, retryInMs });
    this.subscriber.next({ type: 'failed', config, stage, message, attempt, durationMs, retryInMs });
    if (stage === 'stopped') {
      this.end(null);
    } else if (retryInMs !== null) {
      this.retry = timer(retryInMs, this.scheduler).subscribe(() => {
        this.retry = null;
        this.begin(config, attempt + 1);
      });
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const error = this.ending?.error ?? null;
    this.nginx.stop().subscribe({
      error: (stopError: unknown) => this.subscriber.error(stopError),
      complete: () => (error === null ? this.subscriber.complete() : this.subscriber.error(error)),
    });
  }

  private cancelRetry(): void {
    this.retry?.unsubscribe();
    this.retry = null;
  }

  private backoff(): Backoff {
    return this.options.retryBackoff ?? { initialMs: 1_000, maxMs: 30_000 };
  }
}

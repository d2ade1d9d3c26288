import { defer, repeat, retry, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';

/** How reconnects are spaced. */
export interface BackoffOptions {
  /** Wait before the second reconnect in a row; each further one doubles it. */
  readonly initialMs: number;
  /** Longest wait. */
  readonly maxMs: number;
  /** An attempt that lasted this long counts as healthy: the next reconnect starts the sequence again. */
  readonly resetAfterMs: number;
  /** Fraction of each wait that is random (0: none, 0.5: between half and all of it), so replicas spread out. */
  readonly jitter: number;
}

/** The spacing the live source uses unless told otherwise. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000, jitter: 0.5 };

/**
 * Returns the wait before a reconnect that follows `failures` short-lived attempts in a row: none after a healthy
 * attempt (a watch that simply reached its timeout resumes at once), then initialMs, doubling up to maxMs, jittered.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(failures - 1, 52));
  return Math.round(ceiling * (1 - options.jitter * random()));
}

/** Observers of the reconnect loop. */
export interface BackoffHooks {
  /** Called before each wait with its length and the number of short-lived attempts in a row so far. */
  readonly waiting?: (delayMs: number, failures: number) => void;
}

/**
 * Resubscribes to the source whenever it completes or fails, after a capped, jittered exponential wait that resets
 * only once an attempt has lasted `resetAfterMs` (a source that fails right after connecting keeps backing off).
 * The result never completes or fails by itself; unsubscribing stops it.
 *
 * ```
 * source:  --a--|                          (each attempt; initialMs 2, maxMs 8, jitter 0, all shorter than resetAfterMs)
 * result:  --a----a------a--------a------------a...     waits 0, 2, 4, 8, 8 frames between attempts
 * ```
 */
export function reconnectWithBackoff<T>(
  options: BackoffOptions,
  scheduler: SchedulerLike,
  random: () => number = Math.random,
  hooks: BackoffHooks = {},
): MonoTypeOperatorFunction<T> {
  return (source$) =>
    defer(() => {
      let failures = 0;
      let startedAt = scheduler.now();
      const wait = () => {
        if (scheduler.now() - startedAt >= options.resetAfterMs) failures = 0;
        const delayMs = backoffDelay(failures, options, random);
        failures++;
        hooks.waiting?.(delayMs, failures);
        return timer(delayMs, scheduler);
      };
      const attempt$ = defer(() => {
        startedAt = scheduler.now();
        return source$;
      });
      return attempt$.pipe(retry({ delay: wait }), repeat({ delay: wait }));
    });
}

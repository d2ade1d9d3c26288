import { defer, repeat, retry, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { backoffDelay, type Backoff } from '../model/backoff.js';

/** How reconnects are spaced: the common backoff, reset by a healthy attempt, jittered so replicas spread out. */
export interface BackoffOptions extends Backoff {
  /** An attempt that lasted this long counts as healthy: the next reconnect starts the sequence again. */
  readonly resetAfterMs: number;
  readonly jitter: number;
}

/** The spacing the live source uses unless told otherwise. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000, jitter: 0.5 };

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

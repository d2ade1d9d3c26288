import { throwError, timeout, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';

/**
 * Fails with `idleError()` when the source has emitted nothing for `idleMs` (counted from subscription, then from
 * each value), which unsubscribes it: a watch that has gone silent is aborted instead of waited on forever (the
 * client's watches are known to go quiet without an error). Bookmarks count as signs of life.
 *
 * ```
 * source: -a-b-------        idleMs = 4 frames
 * result: -a-b----#
 * ```
 */
export function abortWhenIdle<T>(
  idleMs: number,
  scheduler: SchedulerLike,
  idleError: () => Error,
): MonoTypeOperatorFunction<T> {
  return timeout({ each: idleMs, scheduler, with: () => throwError(idleError) });
}

import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { PodEvent } from '../model/events.js';
import { ClaimIndex, nextExpiry } from '../model/ownership.js';
import { nextSecretChange } from '../model/secret-state.js';
import {
  applyEvents,
  DEFAULT_REDUCE_OPTIONS,
  EMPTY_STATE,
  type ReduceOptions,
  type RoutingState,
} from '../model/routing-state.js';

/**
 * Folds batches of pod events into the routing state (a `scan` over `applyEvents`), emitting only states that
 * changed. Unlike a plain `scan` it also wakes itself when an ownership grace period ends, so a host released by
 * its owner passes to the next claimant even if no further event arrives, and when a certificate in use expires or
 * becomes valid.
 *
 * ```
 * batches: -[SYNC]--[routing-neutral MODIFIED]--[ADDED]-|
 * states:  -s1-------------------------------------s2----|
 * ```
 */
export function reduceEvents(
  options: ReduceOptions = DEFAULT_REDUCE_OPTIONS,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<readonly PodEvent[], RoutingState> {
  return (batches$) =>
    new Observable<RoutingState>((subscriber) => {
      let state = EMPTY_STATE;
      const claims = new ClaimIndex(options.ownership);
      let wake: Subscription | null = null;
      const apply = (events: readonly PodEvent[]): void => {
        const next = applyEvents(state, events, scheduler.now(), options, claims);
        if (next !== state) {
          state = next;
          subscriber.next(state);
        }
        wake?.unsubscribe();
        const at = earliest(
          nextExpiry(state.holds, options.ownershipGraceMs),
          state.tls === undefined ? null : nextSecretChange(state.tls, scheduler.now()),
        );
        // Capped: a timer over 2^31-1 ms (certificates expire months ahead) fires at once in Node; waking early is harmless.
        wake =
          at === null
            ? null
            : scheduler.schedule(() => apply([]), Math.min(MAX_DELAY_MS, Math.max(0, at - scheduler.now())));
      };
      const source = batches$.subscribe({
        next: apply,
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        source.unsubscribe();
        wake?.unsubscribe();
      };
    });
}

const MAX_DELAY_MS = 2 ** 31 - 1;

function earliest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

import { asyncScheduler, Observable, Subscription, timer, type OperatorFunction, type SchedulerLike } from 'rxjs';

/** What the work for one item may ask of the queue. */
export interface LatestQueue {
  /** True once a newer item waits or the items have ended: a failure now will not be retried. */
  superseded(): boolean;
}

/** How to apply items and when to try one again. */
export interface ApplyLatestOptions<T, R> {
  /** Applies one item (attempt 1 for the first try); its values are passed on. Failures are values, not errors. */
  readonly work: (item: T, attempt: number, queue: LatestQueue) => Observable<R>;
  /** After the work for an item completed, given its last value: ms until that item is tried again, or null. */
  readonly retryInMs: (last: R | undefined, attempt: number) => number | null;
  readonly scheduler?: SchedulerLike;
}

/**
 * Applies items one at a time, latest wins: while the work for one item runs only the newest item waits, a retry is
 * scheduled for an item whose work asks for one and dropped when a newer item arrives. When the items end the work
 * under way finishes (the waiting item is dropped), then the result completes; an error of the items is passed on
 * at the same point.
 *
 * ```
 * items:   -a-b-c--------|      work takes 3 frames; c's work asks for a retry in 2
 * values:  ----A----C--C'|      (b replaced by c while a ran; c tried again)
 * ```
 */
export function applyLatest<T, R>(options: ApplyLatestOptions<T, R>): OperatorFunction<T, R> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (items$) =>
    new Observable<R>((subscriber) => {
      let waiting: { readonly item: T } | null = null;
      let ending: { readonly error: unknown } | null = null;
      // The work under way, or the timer of a retry; never both.
      let current: { readonly busy: boolean; readonly subscription: Subscription } | null = null;
      const queue: LatestQueue = { superseded: () => waiting !== null || ending !== null };
      const finish = (): void => {
        if (ending?.error === undefined || ending.error === null) subscriber.complete();
        else subscriber.error(ending.error);
      };
      const start = (item: T, attempt: number): void => {
        let last: R | undefined;
        const subscription = new Subscription();
        current = { busy: true, subscription };
        subscription.add(
          options.work(item, attempt, queue).subscribe({
            next: (value) => {
              last = value;
              subscriber.next(value);
            },
            error: (error: unknown) => subscriber.error(error),
            complete: () => {
              current = null;
              settle(item, attempt, last);
            },
          }),
        );
      };
      const settle = (item: T, attempt: number, last: R | undefined): void => {
        if (ending !== null) return finish();
        if (waiting !== null) {
          const next = waiting.item;
          waiting = null;
          return start(next, 1);
        }
        const delayMs = options.retryInMs(last, attempt);
        if (delayMs === null) return;
        const subscription = timer(delayMs, scheduler).subscribe(() => start(item, attempt + 1));
        current = { busy: false, subscription };
      };
      const end = (error: unknown): void => {
        ending = { error };
        waiting = null;
        if (current?.busy === true) return;
        current?.subscription.unsubscribe();
        current = null;
        finish();
      };
      const upstream = items$.subscribe({
        next: (item) => {
          if (current?.busy === true) {
            waiting = { item };
            return;
          }
          current?.subscription.unsubscribe();
          start(item, 1);
        },
        error: (error: unknown) => end(error),
        complete: () => end(null),
      });
      return () => {
        upstream.unsubscribe();
        current?.subscription.unsubscribe();
      };
    });
}

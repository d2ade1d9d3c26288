import { asyncScheduler, bufferTime, filter, Observable, Subject, Subscription, type OperatorFunction, type SchedulerLike } from 'rxjs';

/** Largest batch before a window is cut early, so a burst cannot hold unbounded events in memory. */
export const MAX_BATCH = 10_000;

/** How events are batched; every field optional. */
export interface BatchOptions<T> {
  readonly scheduler?: SchedulerLike;
  /** Largest batch (default MAX_BATCH). */
  readonly maxBatch?: number;
  /**
   * Closes the first window at once when an event matching this arrives (the first full list): start-up need not
   * wait out a window. The fixed windows start from that event.
   */
  readonly closeFirstOn?: (event: T) => boolean;
}

/**
 * Groups events into fixed windows of `windowMs` and drops empty windows. Fixed windows, not a debounce: a
 * quiet-period timer starves under constant churn (the original project's bug). With `closeFirstOn`, everything up
 * to the first matching event is one batch, emitted when that event arrives.
 *
 * ```
 * events:  -a-b------c--|        windowMs = 4 frames
 * batches: ----[a,b]----[c]|
 *
 * events:  -a-S-b-------c--|     closeFirstOn S
 * batches: ---[a,S]---[b]--[c]|
 * ```
 */
export function batchEvents<T>(windowMs: number, options: BatchOptions<T> = {}): OperatorFunction<T, T[]> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxBatch = options.maxBatch ?? MAX_BATCH;
  const windows = (events$: Observable<T>): Observable<T[]> =>
    events$.pipe(
      bufferTime(windowMs, null, maxBatch, scheduler),
      filter((batch) => batch.length > 0),
    );
  const closeFirstOn = options.closeFirstOn;
  if (closeFirstOn === undefined) return windows;
  return (events$) =>
    new Observable<T[]>((subscriber) => {
      let head: T[] | null = [];
      const tail = new Subject<T>();
      // Made first: a source that emits while being subscribed to still finds it.
      const subscription = new Subscription();
      const source = events$.subscribe({
        next: (event) => {
          if (head === null) return tail.next(event);
          head.push(event);
          if (closeFirstOn(event)) {
            const batch = head;
            head = null;
            subscriber.next(batch);
            // The windows start now, so the next batch comes a full window after the first.
            subscription.add(windows(tail).subscribe(subscriber));
          } else if (head.length >= maxBatch) {
            subscriber.next(head);
            head = [];
          }
        },
        error: (error: unknown) => (head === null ? tail.error(error) : subscriber.error(error)),
        complete: () => {
          if (head === null) return tail.complete();
          if (head.length > 0) subscriber.next(head);
          subscriber.complete();
        },
      });
      subscription.add(source);
      return subscription;
    });
}

import {
  asyncScheduler,
  bufferTime,
  filter,
  Observable,
  Subject,
  Subscription,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';

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
 * quiet-period timer starves under constant churn (the original project's bug). With `closeFirstOn`, the window
 * holding the first matching event closes when that event arrives, and the fixed windows start again from there.
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
      // Made first: a source that emits while being subscribed to still finds it.
      const subscription = new Subscription();
      const open = (): Subject<T> => {
        const events = new Subject<T>();
        subscription.add(
          windows(events).subscribe({
            next: (batch) => subscriber.next(batch),
            error: (error: unknown) => subscriber.error(error),
          }),
        );
        return events;
      };
      let current = open();
      let first = true;
      subscription.add(
        events$.subscribe({
          next: (event) => {
            current.next(event);
            if (!first || !closeFirstOn(event)) return;
            first = false;
            // Completing the first windows emits what they hold, this event included; new windows start now.
            const done = current;
            current = open();
            done.complete();
          },
          error: (error: unknown) => current.error(error),
          complete: () => {
            current.complete();
            subscriber.complete();
          },
        }),
      );
      return subscription;
    });
}

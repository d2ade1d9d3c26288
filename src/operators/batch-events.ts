import { asyncScheduler, bufferTime, filter, type OperatorFunction, type SchedulerLike } from 'rxjs';

/** Largest batch before a window is cut early, so a burst cannot hold unbounded events in memory. */
export const MAX_BATCH = 10_000;

/**
 * Groups events into fixed windows of `windowMs` and drops empty windows. Fixed windows, not a debounce: a
 * quiet-period timer starves under constant churn (the original project's bug).
 *
 * ```
 * events:  -a-b------c--|        windowMs = 4 frames
 * batches: ----[a,b]----[c]|
 * ```
 */
export function batchEvents<T>(
  windowMs: number,
  scheduler: SchedulerLike = asyncScheduler,
  maxBatch: number = MAX_BATCH,
): OperatorFunction<T, T[]> {
  return (events$) =>
    events$.pipe(
      bufferTime(windowMs, null, maxBatch, scheduler),
      filter((batch) => batch.length > 0),
    );
}

import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/** The real-time facilities the clock runs on; tests pass a fake. */
export interface WallClock {
  readonly now: () => number;
  readonly setTimer: (run: () => void, delayMs: number) => unknown;
  readonly clearTimer: (handle: unknown) => void;
  readonly queueMicrotask: (run: () => void) => void;
}

const REAL_TIME: WallClock = {
  now: () => Date.now(),
  setTimer: (run, delayMs) => setTimeout(run, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
  queueMicrotask: (run) => queueMicrotask(run),
};

/**
 * The live pipeline's scheduler: real time, but reading like the replay's virtual time, so a recording stamped
 * with `now()` replays into exactly the batches the live run made. rxjs's asyncScheduler drifts: each window of
 * `bufferTime` starts when the previous timer actually fired, about half a millisecond late, so after an hour of
 * 2 s windows the live boundaries sit a second away from the replay's. Here:
 * - an action runs with `now()` equal to its due time, so a window re-armed inside it starts exactly on time;
 * - outside actions `now()` is wall time, held still for one synchronous job (the START line and the first window
 *   read the same instant), never going back, and kept just before any timer that is due but has not run yet
 *   (an event handled before a late window timer belongs to that window, as on replay).
 */
export class LiveClock implements SchedulerLike {
  private readonly queue: LiveAction<unknown>[] = [];
  private running: number | null = null;
  private held: number | null = null;
  private last = -Infinity;
  private timer: { readonly handle: unknown; readonly due: number } | null = null;
  private firing = false;

  /** Creates a clock on real time, or on the given wall clock. */
  constructor(private readonly wall: WallClock = REAL_TIME) {}

  /** Returns the logical time in ms since the epoch (see the class comment). */
  now(): number {
    if (this.running !== null) return this.running;
    if (this.held === null) {
      let time = Math.max(this.last, this.wall.now());
      const overdue = this.queue[0];
      if (overdue !== undefined && overdue.due <= time) time = Math.max(this.last, overdue.due - 1);
      this.held = this.last = time;
      this.wall.queueMicrotask(() => (this.held = null));
    }
    return this.held;
  }

  /** Schedules `work` to run after `delay` ms of logical time. */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new LiveAction<T>(this, work).schedule(state, delay);
  }

  /** Queues an action at now() + delay (internal to LiveAction). */
  enqueue(action: LiveAction<unknown>, delay: number): void {
    this.dequeue(action);
    action.due = this.now() + Math.max(0, delay);
    // After every action due at the same time: same-time actions run in the order they were scheduled.
    const index = this.queue.findIndex((other) => other.due > action.due);
    this.queue.splice(index === -1 ? this.queue.length : index, 0, action);
    this.arm();
  }

  /** Removes an action from the queue (internal to LiveAction). */
  dequeue(action: LiveAction<unknown>): void {
    const index = this.queue.indexOf(action);
    if (index !== -1) this.queue.splice(index, 1);
    this.arm();
  }

  private arm(): void {
    if (this.firing) return;
    const next = this.queue[0];
    if (this.timer !== null && (next === undefined || this.timer.due !== next.due)) {
      this.wall.clearTimer(this.timer.handle);
      this.timer = null;
    }
    if (next === undefined || this.timer !== null) return;
    const handle = this.wall.setTimer(() => this.fire(next.due), Math.max(0, next.due - this.wall.now()));
    this.timer = { handle, due: next.due };
  }

  /** Runs, in due order, every action due by the timer's time (or by wall time if the timer fired late). */
  private fire(timerDue: number): void {
    this.timer = null;
    this.firing = true;
    const until = Math.max(timerDue, this.wall.now());
    try {
      for (let action = this.queue[0]; action !== undefined && action.due <= until; action = this.queue[0]) {
        this.queue.shift();
        this.running = action.due;
        this.last = Math.max(this.last, action.due);
        action.execute();
      }
    } finally {
      this.running = null;
      this.held = null;
      this.firing = false;
      this.arm();
    }
  }
}

/** One scheduled piece of work of a LiveClock (rxjs reschedules the same action for periodic work). */
class LiveAction<T> extends Subscription implements SchedulerAction<T> {
  due = 0;
  private state: T | undefined;

  constructor(
    private readonly clock: LiveClock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.clock.enqueue(this as LiveAction<unknown>, delay);
    return this;
  }

  execute(): void {
    this.work.call(this, this.state);
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.clock.dequeue(this as LiveAction<unknown>);
    super.unsubscribe();
  }
}

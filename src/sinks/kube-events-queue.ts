// A small work queue for API writes that must never hold up the pipeline: bounded in concurrency and in length.

/** A unit of work; it handles its own failures (a rejection is a bug, and is swallowed to keep the queue alive). */
export type Task = () => Promise<void>;

/** Runs tasks at most `maxConcurrent` at a time and holds at most `maxQueued` waiting; push refuses the rest. */
export class TaskQueue {
  private readonly waiting: Task[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  /** Creates an empty queue. */
  constructor(
    private readonly maxConcurrent: number,
    private readonly maxQueued: number,
  ) {}

  /** Returns how many tasks wait or run. */
  get size(): number {
    return this.waiting.length + this.running;
  }

  /** Starts or queues a task; returns false (and drops it) when the queue is full. */
  push(task: Task): boolean {
    if (this.running < this.maxConcurrent) {
      this.run(task);
      return true;
    }
    if (this.waiting.length >= this.maxQueued) return false;
    this.waiting.push(task);
    return true;
  }

  /** Drops every waiting task (running ones finish); returns how many were dropped. */
  clear(): number {
    return this.waiting.splice(0).length;
  }

  /** Resolves once nothing waits or runs. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private run(task: Task): void {
    this.running++;
    void Promise.resolve()
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        this.running--;
        const next = this.waiting.shift();
        if (next !== undefined) this.run(next);
        else if (this.running === 0) this.wake();
      });
  }

  private wake(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

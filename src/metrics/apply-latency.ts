// Event-to-applied latency: how long after a pod event arrived the config containing it was in force. The pipeline
// tells arrivals, batches, state changes and renders in order; the sink tells applies, by hash, in the order the
// configs were rendered (superseded ones skipped). Only events that changed the routing state count, and only
// configs that differ from the previous one: a routing-neutral event is in force at once, there is nothing to wait for.

/** Renders remembered while waiting for their apply; past this the oldest are merged (keeping the earliest time). */
const MAX_PENDING = 256;

interface Pending {
  readonly hash: string;
  readonly earliestMs: number | null;
}

/** Tracks the arrival time of the earliest event behind each rendered config until that config is applied. */
export class ApplyLatency {
  private readonly arrivals: number[] = [];
  private head = 0;
  private batchEarliest: number | null = null;
  private foldedEarliest: number | null = null;
  private lastRendered: string | null = null;
  private pending: Pending[] = [];

  /** Records that an event arrived at `atMs`. */
  arrived(atMs: number): void {
    this.arrivals.push(atMs);
  }

  /** Records that the next `count` arrived events were batched (batches keep arrival order). */
  batched(count: number): void {
    const first = this.arrivals[this.head];
    this.head = Math.min(this.arrivals.length, this.head + count);
    // Without arrival times (no event hook wired) there is nothing to measure, but nothing breaks either.
    this.batchEarliest = first ?? null;
    if (this.head > 1024 && this.head * 2 > this.arrivals.length) {
      this.arrivals.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Records that the last batch changed the routing state, so its events count. */
  stateChanged(): void {
    this.foldedEarliest = earliest(this.foldedEarliest, this.batchEarliest);
    this.batchEarliest = null;
  }

  /** Records a rendered config; returns true when it equals the previous one (the pipeline will skip it). */
  rendered(hash: string): boolean {
    const earliestMs = this.foldedEarliest;
    this.foldedEarliest = null;
    // Events behind an unchanged config are in force as soon as the config before it is: not waited for.
    if (hash === this.lastRendered) return true;
    this.lastRendered = hash;
    this.pending.push({ hash, earliestMs });
    if (this.pending.length > MAX_PENDING) {
      const [oldest, next] = this.pending.splice(0, 2) as [Pending, Pending];
      this.pending.unshift({ hash: next.hash, earliestMs: earliest(oldest.earliestMs, next.earliestMs) });
    }
    return false;
  }

  /**
   * Records that the config `hash` is in force at `atMs`, with every config rendered before it (superseded), and
   * returns the latency in ms, or null when it contains no measured event or was not waiting.
   */
  applied(hash: string, atMs: number): number | null {
    const index = this.pending.findIndex((entry) => entry.hash === hash);
    if (index === -1) return null;
    const done = this.pending.splice(0, index + 1);
    const first = done.reduce<number | null>((min, entry) => earliest(min, entry.earliestMs), null);
    return first === null ? null : Math.max(0, atMs - first);
  }
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

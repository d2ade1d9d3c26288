import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bufferTime, Subject } from 'rxjs';
import { LiveClock, type WallClock } from '../../src/streams/live-clock.js';

/** A hand-driven wall clock: timers fire when the test advances time, `lateMs` after they are due. */
class FakeWall implements WallClock {
  time = 1000;
  private timers: { at: number; run: () => void }[] = [];
  private microtasks: (() => void)[] = [];

  constructor(private readonly lateMs = 0) {}

  readonly now = (): number => this.time;
  readonly setTimer = (run: () => void, delayMs: number): unknown => {
    const timer = { at: this.time + delayMs, run };
    this.timers.push(timer);
    return timer;
  };
  readonly clearTimer = (handle: unknown): void => {
    this.timers = this.timers.filter((timer) => timer !== handle);
  };
  readonly queueMicrotask = (run: () => void): void => void this.microtasks.push(run);

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Runs one job (an I/O callback, say) at the current time, then its microtasks. */
  job(run: () => void): void {
    run();
    for (let task = this.microtasks.shift(); task !== undefined; task = this.microtasks.shift()) task();
  }

  /** Moves time to `until`, firing each timer `lateMs` after it is due. */
  advanceTo(until: number): void {
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at)[0];
      if (next === undefined || next.at + this.lateMs > until) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = next.at + this.lateMs;
      this.job(next.run);
    }
    this.time = until;
  }
}

/** Collects the batches of a bufferTime on the clock with the clock's time at each emission. */
function windows(
  wall: FakeWall,
  clock: LiveClock,
  windowMs: number,
): { events: Subject<string>; batches: [number, string[]][] } {
  const events = new Subject<string>();
  const batches: [number, string[]][] = [];
  wall.job(() =>
    events.pipe(bufferTime(windowMs, null, Infinity, clock)).subscribe((batch) => batches.push([clock.now(), batch])),
  );
  return { events, batches };
}

describe('LiveClock', () => {
  it('keeps bufferTime windows on exact multiples even when every timer fires late', () => {
    const wall = new FakeWall(3);
    const clock = new LiveClock(wall);
    const { events, batches } = windows(wall, clock, 100);
    wall.advanceTo(1150);
    wall.job(() => events.next('x'));
    wall.advanceTo(1510);
    assert.deepEqual(
      batches.map(([at]) => at),
      [1100, 1200, 1300, 1400, 1500],
    );
    assert.deepEqual(batches[1], [1200, ['x']]);
  });

  it('puts an event handled before a late window timer into that window, stamped just before its end', () => {
    const wall = new FakeWall(5);
    const clock = new LiveClock(wall);
    const { events, batches } = windows(wall, clock, 100);
    wall.advanceTo(1102);
    let stamp = 0;
    wall.job(() => {
      stamp = clock.now();
      events.next('late');
    });
    wall.advanceTo(1110);
    wall.job(() => events.next('next'));
    wall.advanceTo(1210);
    assert.equal(stamp, 1099);
    assert.deepEqual(batches, [
      [1100, ['late']],
      [1200, ['next']],
    ]);
  });

  it('holds now() still within one job and never goes back', () => {
    const wall = new FakeWall();
    const clock = new LiveClock(wall);
    const seen: number[] = [];
    wall.job(() => {
      seen.push(clock.now());
      wall.time += 7;
      seen.push(clock.now());
    });
    wall.job(() => seen.push(clock.now()));
    wall.time -= 500;
    wall.job(() => seen.push(clock.now()));
    assert.deepEqual(seen, [1000, 1000, 1007, 1007]);
  });

  it('runs actions in due order with now() at their due time, and reschedules from it', () => {
    const wall = new FakeWall(4);
    const clock = new LiveClock(wall);
    const runs: string[] = [];
    wall.job(() => {
      clock.schedule(() => runs.push(`b@${clock.now()}`), 20);
      clock.schedule(
        function (count?: number) {
          runs.push(`a${count}@${clock.now()}`);
          if (count! < 2) this.schedule(count! + 1, 15);
        },
        10,
        0,
      );
    });
    wall.advanceTo(1100);
    assert.deepEqual(runs, ['a0@1010', 'b@1020', 'a1@1025', 'a2@1040']);
  });

  it('clears its wall timer when the last action is unsubscribed, so the process can exit', () => {
    const wall = new FakeWall();
    const clock = new LiveClock(wall);
    let ran = false;
    wall.job(() => {
      const action = clock.schedule(() => (ran = true), 50);
      assert.equal(wall.pendingTimers, 1);
      action.unsubscribe();
    });
    assert.equal(wall.pendingTimers, 0);
    wall.advanceTo(2000);
    assert.equal(ran, false);
  });
});

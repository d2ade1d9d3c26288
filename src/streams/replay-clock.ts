import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/**
 * A virtual-time scheduler driven by the timestamps of a recording: before each recorded event is emitted, the
 * clock advances to its time and runs every timer due by then, so windows close exactly where the live controller
 * would have closed them. Frame 0 is the recording's origin; `now()` is the recorded wall time (origin + frame), so
 * what is judged against the time of day (a certificate's validity) is judged as it was when recorded.
 */
export class ReplayClock extends VirtualTimeScheduler {
  private epoch = 0;

  constructor() {
    super(VirtualAction, Infinity);
    // The scheduler's `now` is an instance property (set by the base constructor), so it is replaced here.
    this.now = (): number => this.epoch + this.frame;
  }

  /** Sets the wall time (ms since the epoch) of frame 0: the recording's first time. */
  setOrigin(at: number): void {
    this.epoch = at;
  }

  /** Runs every action due at or before `time` (ms since the origin) and sets the clock there. */
  advanceTo(time: number): void {
    if (time < this.frame) return;
    this.maxFrames = time;
    this.flush();
    this.frame = time;
  }
}

import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/**
 * A virtual-time scheduler driven by the timestamps of a recording: before each recorded event is emitted, the
 * clock advances to its time and runs every timer due by then, so windows close exactly where the live controller
 * would have closed them. Time 0 is the recording's origin.
 */
export class ReplayClock extends VirtualTimeScheduler {
  constructor() {
    super(VirtualAction, Infinity);
  }

  /** Runs every action due at or before `time` (ms since the origin) and sets the clock there. */
  advanceTo(time: number): void {
    if (time < this.frame) return;
    this.maxFrames = time;
    this.flush();
    this.frame = time;
  }
}

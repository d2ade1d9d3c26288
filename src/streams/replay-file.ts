import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Observable } from 'rxjs';
import type { PodEvent } from '../model/events.js';
import { parseLine, type LineOptions } from './parse-line.js';
import type { ReplayClock } from './replay-clock.js';

/** A replay file that cannot be read at all (missing, unreadable). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/** What replaying needs: how to read lines, the clock to drive, and where to report bad or notable lines. */
export interface ReplayOptions extends LineOptions {
  readonly clock: ReplayClock;
  readonly onBadLine: (lineNumber: number, reason: string) => void;
  readonly onNote?: (lineNumber: number, note: string) => void;
  /** Returns a promise while the consumer is congested (stdout full), so reading waits instead of buffering. */
  readonly congested?: () => Promise<unknown> | null;
}

/**
 * Streams a recorded file as pod events on the replay clock: line by line (memory grows with pods, not with the
 * file), advancing the clock to each line's time before emitting it. A line without a time arrives with the line
 * before it. A file that does not start with a list starts from an empty cluster (an empty SYNC).
 */
export function replayFile(path: string, options: ReplayOptions): Observable<PodEvent> {
  return new Observable<PodEvent>((subscriber) => {
    const input = createReadStream(path);
    const lines = createInterface({ input, crlfDelay: Infinity });
    let origin: number | null = null;
    let started = false;
    const advance = (at: number | null): void => {
      if (at === null) return;
      origin ??= at;
      options.clock.advanceTo(at - origin);
    };
    const emit = (event: PodEvent): void => {
      if (!started && event.type !== 'SYNC') subscriber.next({ type: 'SYNC', pods: [] });
      started = true;
      subscriber.next(event);
    };
    const fail = (error: Error): void =>
      subscriber.error(new SourceError(`cannot read replay file ${path}: ${error.message}`, { cause: error }));
    const read = async (): Promise<void> => {
      let lineNumber = 0;
      for await (const line of lines) {
        lineNumber++;
        if (subscriber.closed) return;
        if (line.trim() === '') continue;
        const parsed = parseLine(line, options);
        if (typeof parsed === 'string') {
          options.onBadLine(lineNumber, parsed);
          continue;
        }
        advance(parsed.at);
        if (parsed.kind === 'event') emit(parsed.event);
        else if (parsed.kind === 'skip' && parsed.note !== undefined) options.onNote?.(lineNumber, parsed.note);
        const wait = options.congested?.();
        if (wait) await wait;
      }
      if (!started) subscriber.next({ type: 'SYNC', pods: [] });
      subscriber.complete();
    };
    input.on('error', fail);
    read().catch(fail);
    return () => {
      lines.close();
      input.destroy();
    };
  });
}

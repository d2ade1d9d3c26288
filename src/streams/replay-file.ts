import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Observable } from 'rxjs';
import type { PodEvent } from '../model/events.js';
import { JsonDepth } from './json-document.js';
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
      if (!started && event.type !== 'SYNC') subscriber.next({ type: 'SYNC', pods: [], implied: true });
      started = true;
      subscriber.next(event);
    };
    const fail = (error: Error): void =>
      subscriber.error(new SourceError(`cannot read replay file ${path}: ${error.message}`, { cause: error }));
    const handle = (text: string, lineNumber: number): void => {
      const parsed = parseLine(text, options);
      if (typeof parsed === 'string') {
        options.onBadLine(lineNumber, parsed);
        return;
      }
      advance(parsed.at);
      if (parsed.kind === 'event') emit(parsed.event);
      else if (parsed.kind === 'skip' && parsed.note !== undefined) options.onNote?.(lineNumber, parsed.note);
    };
    const read = async (): Promise<void> => {
      let lineNumber = 0;
      // A line holding only "{" opens a pretty-printed document (kubectl get -o json): it is read up to its end.
      let document: { lines: string[]; start: number; depth: JsonDepth } | null = null;
      for await (const line of lines) {
        lineNumber++;
        if (subscriber.closed) return;
        if (document !== null) {
          document.lines.push(line);
          if (document.depth.feed(line) > 0) continue;
          handle(document.lines.join('\n'), document.start);
          document = null;
        } else if (line.trim() === '{') {
          document = { lines: [line], start: lineNumber, depth: new JsonDepth() };
          document.depth.feed(line);
          continue;
        } else if (line.trim() !== '') {
          handle(line, lineNumber);
        }
        const wait = options.congested?.();
        if (wait) await wait;
      }
      if (document !== null) options.onBadLine(document.start, 'the JSON document that starts on this line never ends');
      if (!started) subscriber.next({ type: 'SYNC', pods: [], implied: true });
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

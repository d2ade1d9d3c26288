import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';
import { isSecretEvent, type PodEvent } from '../model/events.js';
import { JsonDepth } from './json-document.js';
import { parseLine, type LineOptions } from './parse-line.js';
import { readLines } from './read-lines.js';
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
  /** Longest line (or pretty-printed document) read; a longer one is reported as malformed and skipped. */
  readonly maxLineBytes?: number;
  /** Called once at the end when the input held nothing but blank lines. */
  readonly onEmpty?: () => void;
}

/** What to replay: a file by its path, or a stream already open (standard input for `replay -`). */
export type ReplaySource = string | { readonly name: string; readonly stream: Readable };

const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

/**
 * Streams a recorded file as pod events on the replay clock: line by line (memory grows with pods, not with the
 * file), advancing the clock to each line's time before emitting it. A line without a time arrives with the line
 * before it. A file that does not start with a list starts from an empty cluster (an empty SYNC).
 */
export function replayFile(source: ReplaySource, options: ReplayOptions): Observable<PodEvent> {
  return new Observable<PodEvent>((subscriber) => {
    const path = typeof source === 'string' ? source : source.name;
    const input = typeof source === 'string' ? createReadStream(path) : source.stream;
    const maxBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    let origin: number | null = null;
    let started = false;
    const advance = (at: number | null): void => {
      if (at === null) return;
      if (origin === null) {
        origin = at;
        options.clock.setOrigin(at);
      }
      options.clock.advanceTo(at - origin);
    };
    const emit = (event: PodEvent): void => {
      // Secret lines say nothing about pods: only a pod line before any list means "started from an empty cluster".
      if (!isSecretEvent(event)) {
        if (!started && event.type !== 'SYNC') subscriber.next({ type: 'SYNC', pods: [], implied: true });
        started = true;
      }
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
      if (parsed.kind === 'event' && parsed.note !== undefined) options.onNote?.(lineNumber, parsed.note);
      if (parsed.kind === 'event') emit(parsed.event);
      else if (parsed.kind === 'skip' && parsed.note !== undefined) options.onNote?.(lineNumber, parsed.note);
    };
    const read = async (): Promise<void> => {
      let lineNumber = 0;
      let blank = true;
      // A line holding only "{" or "[" opens a pretty-printed document (kubectl get -o json, jq): read to its end.
      let document: { lines: string[]; start: number; depth: JsonDepth; length: number } | null = null;
      for await (const read of readLines(input, maxBytes)) {
        lineNumber++;
        if (subscriber.closed) return;
        if (read.text === undefined) {
          blank = false;
          options.onBadLine(
            document?.start ?? lineNumber,
            `longer than the line limit of ${maxBytes} bytes (${read.tooLong} bytes; see --max-line-bytes): skipped`,
          );
          document = null;
          continue;
        }
        const line = read.text;
        if (document !== null) {
          document.lines.push(line);
          document.length += line.length + 1;
          if (document.length > maxBytes) {
            options.onBadLine(
              document.start,
              `the document that starts on this line is longer than the line limit of ${maxBytes} bytes (see --max-line-bytes): skipped`,
            );
            document = null;
            continue;
          }
          if (document.depth.feed(line) > 0) continue;
          handle(document.lines.join('\n'), document.start);
          document = null;
        } else if (line.trim() === '{' || line.trim() === '[') {
          blank = false;
          document = { lines: [line], start: lineNumber, depth: new JsonDepth(), length: line.length };
          document.depth.feed(line);
          continue;
        } else if (line.trim() !== '') {
          blank = false;
          handle(line, lineNumber);
        }
        const wait = options.congested?.();
        if (wait) await wait;
      }
      if (document !== null) options.onBadLine(document.start, 'the JSON document that starts on this line never ends');
      if (blank) options.onEmpty?.();
      if (!started) subscriber.next({ type: 'SYNC', pods: [], implied: true });
      subscriber.complete();
    };
    input.on('error', fail);
    read().catch(fail);
    return () => {
      // Standard input is not ours to close.
      if (typeof source === 'string') input.destroy();
    };
  });
}

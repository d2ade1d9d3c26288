import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { isSecretEvent, type PodEvent } from '../model/events.js';
import { parseInWorker } from './parse-in-worker.js';
import type { ReplayClock } from './replay-clock.js';
import { parseItem, ReplayReader, type ReaderOptions, type ReplayItem } from './replay-reader.js';

/** A replay file that cannot be read at all (missing, unreadable). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/** What replaying needs: how to read lines, the clock to drive, and where to report bad or notable lines. */
export interface ReplayOptions extends ReaderOptions {
  readonly clock: ReplayClock;
  readonly onBadLine: (lineNumber: number, reason: string) => void;
  readonly onNote?: (lineNumber: number, note: string) => void;
  /** Returns a promise while the consumer is congested (stdout full), so reading waits instead of buffering. */
  readonly congested?: () => Promise<unknown> | null;
  /** Called once at the end when the input held nothing but blank lines. */
  readonly onEmpty?: () => void;
  /**
   * Where a file is parsed: on this thread (`inline`) or on a worker thread that reads it (`worker`). By default a
   * file of at least WORKER_MIN_BYTES is parsed on a worker, a smaller one inline; a stream (standard input) always
   * inline.
   */
  readonly parser?: 'inline' | 'worker';
  /** Called with the parsing worker when one starts (diagnostics, tests). */
  readonly onWorker?: (worker: Worker) => void;
}

/** What to replay: a file by its path, or a stream already open (standard input for `replay -`). */
export type ReplaySource = string | { readonly name: string; readonly stream: Readable };

/**
 * The smallest file parsed on a worker: below it, starting the worker (a new V8 isolate loading the reader's
 * modules, some tens of milliseconds) costs about what it would save, and the README's small examples start fast.
 */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Streams a recorded file as pod events on the replay clock: chunk by chunk (memory grows with pods, not with the
 * file), advancing the clock to each line's time before emitting it. A line without a time arrives with the line
 * before it. A file that does not start with a list starts from an empty cluster (an empty SYNC).
 */
export function replayFile(source: ReplaySource, options: ReplayOptions): Observable<PodEvent> {
  return new Observable<PodEvent>((subscriber) => {
    const path = typeof source === 'string' ? source : source.name;
    const inWorker = typeof source === 'string' && parsesInWorker(source, options);
    const input = inWorker ? null : typeof source === 'string' ? createReadStream(path) : source.stream;
    const abort = new AbortController();
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
    const handle = (item: ReplayItem): void => {
      switch (item.kind) {
        case 'bad':
          return options.onBadLine(item.line, item.reason);
        case 'empty':
          return options.onEmpty?.();
        case 'raw':
          return handle(parseItem(item.text, item.line, options));
        case 'line': {
          const parsed = item.parsed;
          advance(parsed.at);
          if (parsed.kind !== 'start' && parsed.note !== undefined) options.onNote?.(item.line, parsed.note);
          if (parsed.kind === 'event') emit(parsed.event);
        }
      }
    };
    const read = async (): Promise<void> => {
      const batches =
        input === null ? parseInWorker(path, options, abort.signal, options.onWorker) : parseInline(input, options);
      for await (const batch of batches) {
        for (const item of batch) {
          if (subscriber.closed) return;
          handle(item);
          const wait = options.congested?.();
          if (wait) await wait;
        }
      }
      if (subscriber.closed) return;
      if (!started) subscriber.next({ type: 'SYNC', pods: [], implied: true });
      subscriber.complete();
    };
    input?.on('error', fail);
    read().catch(fail);
    return () => {
      abort.abort();
      // Standard input is not ours to close.
      if (typeof source === 'string') input?.destroy();
    };
  });
}

async function* parseInline(input: Readable, options: ReaderOptions): AsyncGenerator<readonly ReplayItem[]> {
  const reader = new ReplayReader(options);
  for await (const chunk of input as AsyncIterable<Buffer | string>)
    yield reader.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  yield reader.end();
}

function parsesInWorker(path: string, options: ReplayOptions): boolean {
  if (options.parser !== undefined) return options.parser === 'worker';
  try {
    return statSync(path).size >= WORKER_MIN_BYTES;
  } catch {
    return false; // unreadable: the read reports it, as for any file
  }
}

// The one reading of a replay input, from bytes to meaning: framing (lines, CRLF, pretty-printed documents, the line
// limit), parsing and projection. Both ways of replaying run it: inline on the main thread, and in the parsing
// worker (replay-worker.ts), so the two cannot drift apart.
import { JsonDepth } from './json-document.js';
import { LineSplitter, type InputLine } from './line-splitter.js';
import { parseLine, type LineOptions, type ReplayLine } from './parse-line.js';

/** What one stretch of input says, in order: a line's meaning, a malformed line, or that the input was empty. */
export type ReplayItem =
  | { readonly kind: 'line'; readonly line: number; readonly parsed: ReplayLine }
  | { readonly kind: 'bad'; readonly line: number; readonly reason: string }
  /** A line the worker leaves to the main thread to parse (its result would not survive the copy between threads). */
  | { readonly kind: 'raw'; readonly line: number; readonly text: string }
  /** The input held nothing but blank lines (given once, at the end). */
  | { readonly kind: 'empty' };

/** How the input is read: the line options, and the longest line (or pretty-printed document) accepted. */
export interface ReaderOptions extends LineOptions {
  /** Longest line (or pretty-printed document) read; a longer one is reported as malformed and skipped. */
  readonly maxLineBytes?: number;
}

/** Turns one line (or document) of text, starting at `line`, into its item. */
export type ParseItem = (text: string, line: number, options: LineOptions) => ReplayItem;

/** The line limit when the options give none (the settings' default of `--max-line-bytes` is the same). */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Parses one line (or document) into its item: its meaning, or why it is malformed. */
export function parseItem(text: string, line: number, options: LineOptions): ReplayItem {
  const parsed = parseLine(text, options);
  return typeof parsed === 'string' ? { kind: 'bad', line, reason: parsed } : { kind: 'line', line, parsed };
}

/**
 * Reads a replay input chunk by chunk: `push` each chunk of bytes, then `end`; each returns the items completed so
 * far, in order. A line holding only "{" or "[" opens a pretty-printed document (kubectl get -o json, jq), read to
 * its end and reported at the line where it starts.
 */
export class ReplayReader {
  private readonly splitter: LineSplitter;
  private readonly maxBytes: number;
  private items: ReplayItem[] = [];
  private lineNumber = 0;
  private blank = true;
  private document: { lines: string[]; start: number; depth: JsonDepth; length: number } | null = null;

  constructor(
    private readonly options: ReaderOptions,
    private readonly parse: ParseItem = parseItem,
  ) {
    this.maxBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.splitter = new LineSplitter(this.maxBytes);
  }

  /** Reads one chunk and returns the items of the lines it completed. */
  push(chunk: Uint8Array): ReplayItem[] {
    this.splitter.push(chunk, this.onLine);
    return this.take();
  }

  /** Ends the input and returns the last items: a last line without a newline, an unended document, emptiness. */
  end(): ReplayItem[] {
    this.splitter.end(this.onLine);
    if (this.document !== null) this.bad(this.document.start, 'the JSON document that starts on this line never ends');
    this.document = null;
    if (this.blank) this.items.push({ kind: 'empty' });
    return this.take();
  }

  private take(): ReplayItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  private bad(line: number, reason: string): void {
    this.items.push({ kind: 'bad', line, reason });
  }

  private readonly onLine = (read: InputLine): void => {
    const lineNumber = ++this.lineNumber;
    const maxBytes = this.maxBytes;
    if (read.text === undefined) {
      this.blank = false;
      this.bad(
        this.document?.start ?? lineNumber,
        `longer than the line limit of ${maxBytes} bytes (${read.tooLong} bytes; see --max-line-bytes): skipped`,
      );
      this.document = null;
      return;
    }
    const line = read.text;
    const document = this.document;
    if (document !== null) {
      document.lines.push(line);
      document.length += line.length + 1;
      if (document.length > maxBytes) {
        this.bad(
          document.start,
          `the document that starts on this line is longer than the line limit of ${maxBytes} bytes (see --max-line-bytes): skipped`,
        );
        this.document = null;
        return;
      }
      if (document.depth.feed(line) > 0) return;
      this.document = null;
      this.items.push(this.parse(document.lines.join('\n'), document.start, this.options));
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '{' || trimmed === '[') {
      this.blank = false;
      this.document = { lines: [line], start: lineNumber, depth: new JsonDepth(), length: line.length };
      this.document.depth.feed(line);
    } else if (trimmed !== '') {
      this.blank = false;
      this.items.push(this.parse(line, lineNumber, this.options));
    }
  };
}

/** One line of input: its text, or only its length when it was longer than the bound. */
export type InputLine =
  { readonly text: string; readonly tooLong?: undefined } | { readonly text?: undefined; readonly tooLong: number };

const NEWLINE = 0x0a;

/**
 * Splits byte chunks into lines (LF, or CRLF) without ever holding more than `maxBytes` of one line: the bytes of a
 * longer line are dropped as they arrive and the line is given as `tooLong` with its length. (A 587 MB line read as
 * one string used to crash the replay with "Invalid string length".) Synchronous, so the same code frames lines on
 * the main thread and in the replay's parsing worker. Decoding per line is safe: a newline byte never occurs inside a
 * UTF-8 sequence.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private dropping = false;

  constructor(private readonly maxBytes: number) {}

  /** Feeds one chunk, calling `line` for each line it completes; the chunk is not kept once this returns. */
  push(chunk: Uint8Array, line: (read: InputLine) => void): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    while (start < bytes.length) {
      const end = bytes.indexOf(NEWLINE, start);
      const stop = end === -1 ? bytes.length : end;
      this.length += stop - start;
      if (!this.dropping && this.length > this.maxBytes) {
        this.dropping = true;
        this.parts = [];
      }
      // The unfinished end of a chunk is copied, so that the caller may reuse its chunk once push returns.
      if (!this.dropping && stop > start)
        this.parts.push(end === -1 ? Buffer.from(bytes.subarray(start, stop)) : bytes.subarray(start, stop));
      if (end === -1) break;
      line(this.finish());
      start = end + 1;
    }
  }

  /** Ends the input, calling `line` for a last line that had no newline. */
  end(line: (read: InputLine) => void): void {
    if (this.length > 0 || this.dropping) line(this.finish());
  }

  private finish(): InputLine {
    const read: InputLine = this.dropping ? { tooLong: this.length } : { text: decode(this.parts, this.length) };
    this.parts = [];
    this.length = 0;
    this.dropping = false;
    return read;
  }
}

function decode(parts: readonly Buffer[], length: number): string {
  const text = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts, length).toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

import type { Readable } from 'node:stream';

/** One line of input: its text, or only its length when it was longer than the bound. */
export type InputLine =
  { readonly text: string; readonly tooLong?: undefined } | { readonly text?: undefined; readonly tooLong: number };

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines (LF, or CRLF) without ever holding more than `maxBytes` of one line: the bytes of
 * a longer line are dropped as they arrive and the line is given as `tooLong` with its length. (A 587 MB line read
 * as one string used to crash the replay with "Invalid string length".) Decoding per line is safe: a newline byte
 * never occurs inside a UTF-8 sequence.
 */
export async function* readLines(input: Readable, maxBytes: number): AsyncGenerator<InputLine> {
  let parts: Buffer[] = [];
  let length = 0;
  let dropping = false;
  const finish = (): InputLine => {
    const line: InputLine = dropping ? { tooLong: length } : { text: decode(parts, length) };
    parts = [];
    length = 0;
    dropping = false;
    return line;
  };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (start < bytes.length) {
      const end = bytes.indexOf(NEWLINE, start);
      const stop = end === -1 ? bytes.length : end;
      length += stop - start;
      if (!dropping && length > maxBytes) {
        dropping = true;
        parts = [];
      }
      if (!dropping && stop > start) parts.push(bytes.subarray(start, stop));
      if (end === -1) break;
      yield finish();
      start = end + 1;
    }
  }
  if (length > 0 || dropping) yield finish();
}

function decode(parts: readonly Buffer[], length: number): string {
  const text = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts, length).toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

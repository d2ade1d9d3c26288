import type { Readable } from 'node:stream';
import { LineSplitter, type InputLine } from './line-splitter.js';

export type { InputLine } from './line-splitter.js';

/** Splits a byte stream into lines as `LineSplitter` does (LF or CRLF, a too-long line given by its length). */
export async function* readLines(input: Readable, maxBytes: number): AsyncGenerator<InputLine> {
  const splitter = new LineSplitter(maxBytes);
  let lines: InputLine[] = [];
  const collect = (line: InputLine): void => void lines.push(line);
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, collect);
    yield* lines;
    lines = [];
  }
  splitter.end(collect);
  yield* lines;
}

// A logger with the program's own format (src/logger.ts) whose JSON lines are kept for assertions.
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger, type LogLevel } from '../../src/logger.js';

/** Creates a logger like production's, writing parsed JSON lines to `lines` instead of stderr. */
export function captureLogs(level: LogLevel = 'debug'): {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n'))
        if (text.trim() !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(level, 'json');
  logger.clear();
  logger.add(new winston.transports.Stream({ stream }));
  return { logger, lines };
}

/** Polls `check` every 10 ms until it holds, failing after a generous deadline. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

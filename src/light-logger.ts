// A logger with exactly the lines of src/logger.ts (winston's JSON with sorted keys, or the text format), without
// loading winston: replay starts in about half the time, and it logs little.
import { LOG_LEVELS as LEVELS, type LogLevel } from './log-levels.js';
import type { Logger } from './logger.js';

/** Creates a logger writing JSON lines (or text) at `level` and above to `write` (stderr by default). */
export function createLightLogger(
  level: LogLevel,
  format: 'json' | 'text',
  write: (line: string) => void = (line) => void process.stderr.write(line),
): Logger {
  const limit = LEVELS.indexOf(level);
  const make = (bound: Record<string, unknown>): Logger => {
    const log = (lvl: LogLevel, message: string, meta: Record<string, unknown> = {}): void => {
      if (LEVELS.indexOf(lvl) > limit) return;
      const fields: Record<string, unknown> = { ...bound, ...meta };
      const { component = 'main', ...rest } = fields;
      const timestamp = new Date().toISOString();
      write(
        format === 'json'
          ? `${stableJson({ ...rest, component, level: lvl, message, timestamp })}\n`
          : textLine(timestamp, lvl, component, message, rest),
      );
    };
    const at =
      (lvl: LogLevel) =>
      (message: string, meta?: Record<string, unknown>): void =>
        log(lvl, message, meta);
    return {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      http: at('http'),
      verbose: at('verbose'),
      debug: at('debug'),
      silly: at('silly'),
      log,
      child: (meta) => make({ ...bound, ...meta }),
    };
  };
  return make({});
}

function textLine(
  timestamp: string,
  level: string,
  component: unknown,
  message: string,
  rest: Record<string, unknown>,
): string {
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${timestamp} ${level} [${String(component)}] ${message}${extra}\n`;
}

// winston's json format writes keys sorted at every depth (safe-stable-stringify).
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(
      Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

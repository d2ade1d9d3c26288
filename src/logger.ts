import winston from 'winston';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';

export { LOG_LEVELS, type LogLevel };

type LogMethod = (message: string, meta?: Record<string, unknown>) => unknown;

/** A logger for one component; every line carries `component`. winston's, or the light one replay uses. */
export interface Logger {
  readonly error: LogMethod;
  readonly warn: LogMethod;
  readonly info: LogMethod;
  readonly http: LogMethod;
  readonly verbose: LogMethod;
  readonly debug: LogMethod;
  readonly silly: LogMethod;
  log(level: LogLevel, message: string, meta?: Record<string, unknown>): unknown;
  child(meta: Record<string, unknown>): Logger;
}

/**
 * Creates the root logger: JSON lines (or readable text) on stderr, so stdout stays free for configs.
 * Components take children: `logger.child({ component: 'replay' })`.
 */
export function createLogger(level: LogLevel, format: 'json' | 'text'): winston.Logger {
  const text = winston.format.printf(({ level: lvl, message, timestamp, component, ...rest }) => {
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${String(timestamp)} ${lvl} [${String(component)}] ${String(message)}${extra}`;
  });
  return winston.createLogger({
    level,
    format: winston.format.combine(
      winston.format.timestamp(),
      withComponent(),
      format === 'json' ? winston.format.json() : text,
    ),
    transports: [new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
  });
}

// Lines of the root logger carry `component: "main"`, so every line can be filtered by its component.
const withComponent = winston.format((info) => {
  info['component'] ??= 'main';
  return info;
});

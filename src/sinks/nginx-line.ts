import type { LogLevel } from '../logger.js';

/** nginx's own severities, most severe first. */
export type NginxLevel = 'emerg' | 'alert' | 'crit' | 'error' | 'warn' | 'notice' | 'info' | 'debug';

/** One line nginx wrote to stderr, parsed. */
export interface NginxLine {
  /** The severity nginx gave it, or null for a line in no known format. */
  readonly level: NginxLevel | null;
  /** The writing process (`PID#TID:`), or null when the line names none (messages before the log is set up). */
  readonly pid: number | null;
  /** The text after the level and pid. */
  readonly message: string;
}

const LEVELS: readonly NginxLevel[] = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'];

// `2026/11/28 04:19:08 [emerg] 9014#9014: bind() to ... failed` (error log) or `nginx: [emerg] unknown directive`
// (before the log is open, and `nginx -t`). `*123 ` is a connection number, dropped with the pid.
const LINE = /^(?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d |nginx: )\[([a-z]+)\] (?:(\d+)#\d+: )?(?:\*\d+ )?(.*)$/;

/** Parses a line of nginx's stderr into level, pid and message; unknown formats keep the whole text. */
export function nginxLine(text: string): NginxLine {
  const match = LINE.exec(text);
  const level = match?.[1] as NginxLevel | undefined;
  if (match === null || level === undefined || !LEVELS.includes(level))
    return { level: null, pid: null, message: text };
  return { level, pid: match[2] === undefined ? null : Number(match[2]), message: match[3] ?? '' };
}

/** Returns the controller's log level for an nginx severity: per-request errors are warnings, notices are chatter. */
export function nginxLogLevel(level: NginxLevel | null): LogLevel {
  switch (level) {
    case 'emerg':
    case 'alert':
    case 'crit':
      return 'error';
    case 'error':
    case 'warn':
      return 'warn';
    case 'notice':
      return 'verbose';
    case 'info':
    case 'debug':
      return 'debug';
    case null:
      return 'info';
  }
}

/** Tells whether nginx gave up on what it was doing (a failed start or reload reports itself this way). */
export function isFatal(line: NginxLine): boolean {
  return line.level === 'emerg';
}

// The log levels on their own, so that the settings and the light logger can name them without loading winston.

/** Log levels accepted by --log-level, most severe first (winston's npm levels). */
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

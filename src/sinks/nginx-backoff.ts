/** Capped exponential backoff: attempt 1 waits `initialMs`, each further attempt twice as long, up to `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Returns the wait in ms before retry number `attempt` (1 for the first retry). */
export function nginxBackoff(backoff: Backoff, attempt: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
}

// The one backoff of the product: the live source's reconnects and the nginx sink's retries and restarts.

/** Capped exponential backoff: retry 1 waits `initialMs`, each further retry twice as long, up to `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Fraction of each wait that is random (0, the default: none; 0.5: between half and all of it). */
  readonly jitter?: number;
}

/**
 * Returns the wait in ms before retry number `retry` (1 for the first retry; 0 or less: no wait), capped and
 * jittered; `random` returns a number in [0, 1).
 */
export function backoffDelay(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  if (retry <= 0) return 0;
  // The exponent is capped so that very many failures give maxMs, never Infinity or NaN.
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(retry - 1, 52));
  const jitter = backoff.jitter ?? 0;
  return jitter === 0 ? ceiling : Math.round(ceiling * (1 - jitter * random()));
}

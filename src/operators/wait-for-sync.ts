import { skipWhile, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Holds back states until the first full list (SYNC) has been folded in, and with `secrets` the first list of TLS
 * Secrets too: an early, partial config would close connections for every host not seen yet (or take it off HTTPS).
 *
 * ```
 * states: -a-b-S-c-|   (S is the first synced state)
 * result: -----S-c-|
 * ```
 */
export function waitForSync<T extends { readonly synced: boolean; readonly tls?: { readonly synced: boolean } }>(
  secrets = false,
): MonoTypeOperatorFunction<T> {
  return skipWhile((state) => !state.synced || (secrets && state.tls?.synced !== true));
}

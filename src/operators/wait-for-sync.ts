import { skipWhile, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Holds back states until the first full list (SYNC) has been folded in: an early, partial config would close
 * connections for every host not seen yet.
 *
 * ```
 * states: -a-b-S-c-|   (S is the first synced state)
 * result: -----S-c-|
 * ```
 */
export function waitForSync<T extends { readonly synced: boolean }>(): MonoTypeOperatorFunction<T> {
  return skipWhile((state) => !state.synced);
}

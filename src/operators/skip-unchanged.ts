import { distinctUntilChanged, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Drops a config whose text equals the one before it: the same pods in any order render the same bytes, so an
 * unchanged text means nginx has nothing to reload.
 *
 * ```
 * configs: -A-A-B-A-|
 * result:  -A---B-A-|
 * ```
 */
export function skipUnchanged<T extends { readonly text: string }>(): MonoTypeOperatorFunction<T> {
  return distinctUntilChanged((a, b) => a.text === b.text);
}

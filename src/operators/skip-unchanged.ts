import { distinctUntilChanged, type MonoTypeOperatorFunction } from 'rxjs';
import { sameText, type RenderedConfig } from '../model/rendered-config.js';

/**
 * Drops a config whose text equals the one before it: the same pods in any order render the same bytes, so an
 * unchanged text means nginx has nothing to reload. Configs are compared by their parts where they have them, so
 * a dropped config's text need never be joined.
 *
 * ```
 * configs: -A-A-B-A-|
 * result:  -A---B-A-|
 * ```
 */
export function skipUnchanged<T extends Pick<RenderedConfig, 'text' | 'parts'>>(): MonoTypeOperatorFunction<T> {
  return distinctUntilChanged<T>(sameText);
}

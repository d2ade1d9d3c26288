import { distinctUntilChanged, type MonoTypeOperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';
import { sameText } from '../render/same-text.js';

/**
 * Drops a config whose text equals the one before it: the same pods in any order render the same bytes, so an
 * unchanged text means nginx has nothing to reload. Configs the renderer kept the parts of are compared piece by
 * piece, so a dropped config's text need never be joined.
 *
 * ```
 * configs: -A-A-B-A-|
 * result:  -A---B-A-|
 * ```
 */
export function skipUnchanged<T extends Pick<RenderedConfig, 'text'>>(): MonoTypeOperatorFunction<T> {
  return distinctUntilChanged<T>(sameText);
}

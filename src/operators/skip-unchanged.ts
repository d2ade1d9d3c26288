import { distinctUntilChanged, type MonoTypeOperatorFunction } from 'rxjs';
import { EMPTY_MEMBERSHIP, sameMembership } from '../model/membership.js';
import { sameText, type RenderedConfig } from '../model/rendered-config.js';

/**
 * Drops a config whose text and membership both equal the one before it: the same pods in any order render the
 * same bytes and members, so nothing changed for nginx. Text and membership are compared apart (a change of members
 * alone still passes: in dynamic mode it is pushed, not reloaded). The renderer's configs compare their texts
 * without joining them (src/render/same-text.ts), so a dropped config's text need never be joined.
 *
 * ```
 * configs: -A-A-B-A-|
 * result:  -A---B-A-|
 * ```
 */
export function skipUnchanged<
  T extends Pick<RenderedConfig, 'text' | 'sameTextAs' | 'members'>,
>(): MonoTypeOperatorFunction<T> {
  return distinctUntilChanged<T>(
    (a, b) => sameText(a, b) && sameMembership(a.members ?? EMPTY_MEMBERSHIP, b.members ?? EMPTY_MEMBERSHIP),
  );
}

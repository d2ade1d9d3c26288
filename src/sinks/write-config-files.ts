import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { membersText } from '../model/members-text.js';
import { EMPTY_MEMBERSHIP, sameMembership } from '../model/membership.js';
import { sameText, type RenderedConfig } from '../model/rendered-config.js';

/**
 * Writes each config to its own file `DIR/config-NNNNNN.conf`, numbered from 1 like the printed headers. With
 * `members` (dynamic mode), a config is written only when its text changed, and each change of membership goes to
 * `DIR/members-NNNNNN.txt` (numbered like the printed `# members N` blocks, in their form).
 *
 * ```
 * configs: -A--B-|
 * files:   -1--2-|
 * ```
 */
export function writeConfigFiles(dir: string, options: { readonly members?: boolean } = {}): MonoTypeOperatorFunction<RenderedConfig> {
  const file = (kind: string, n: number, ext: string): string => join(dir, `${kind}-${String(n).padStart(6, '0')}.${ext}`);
  return (configs$) =>
    defer(() => {
      mkdirSync(dir, { recursive: true });
      let sequence = 0;
      let membersSequence = 0;
      let previous: RenderedConfig | null = null;
      return configs$.pipe(
        tap((config) => {
          const last = previous;
          previous = config;
          if (options.members !== true || last === null || !sameText(last, config)) writeFileSync(file('config', ++sequence, 'conf'), config.text);
          if (options.members !== true) return;
          const now = config.members ?? EMPTY_MEMBERSHIP;
          if (last === null || !sameMembership(last.members ?? EMPTY_MEMBERSHIP, now)) {
            membersSequence++;
            writeFileSync(file('members', membersSequence, 'txt'), membersText(now, membersSequence, config.membersHash ?? ''));
          }
        }),
      );
    });
}

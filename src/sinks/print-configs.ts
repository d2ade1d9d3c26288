import { defer, takeLast, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { membersText } from '../model/members-text.js';
import { EMPTY_MEMBERSHIP, sameMembership } from '../model/membership.js';
import { sameText, type RenderedConfig } from '../model/rendered-config.js';

/** How configs are printed. */
export interface PrintOptions {
  /** Only the final config (and, with `members`, its members block), so it can be saved as nginx.conf. */
  readonly last: boolean;
  /** Dynamic mode: print each membership too, as `#` comment lines (see membersText). */
  readonly members?: boolean;
  /** What follows a config's header (default: its text); `replay --diff` gives a diff against the config before. */
  readonly body?: (before: RenderedConfig | null, config: RenderedConfig, sequence: number) => string;
}

/**
 * Writes each config with a header comment line `# config N ...` (N counts from 1), or with `last` only the final
 * config, bare. With `members`, a config whose text equals the previous one prints no text, and every change of
 * membership prints a block of comment lines `# members M ...` after the config it belongs to; with `last` too the
 * final members follow the final config (comments: the output still is a valid nginx.conf).
 *
 * ```
 * configs: -A--B--C-|
 * written: -A--B--C-|     (last: ---------C|)
 * ```
 */
export function printConfigs(
  write: (text: string) => void,
  options: PrintOptions,
): MonoTypeOperatorFunction<RenderedConfig> {
  const members = options.members === true;
  if (options.last) {
    return (configs$) =>
      configs$.pipe(
        takeLast(1),
        tap((config) =>
          write(
            members
              ? `${config.text}${membersText(config.members ?? EMPTY_MEMBERSHIP, 1, config.membersHash ?? '')}`
              : config.text,
          ),
        ),
      );
  }
  const body = options.body ?? ((_before: RenderedConfig | null, config: RenderedConfig): string => config.text);
  return (configs$) =>
    defer(() => {
      let sequence = 0;
      const block = membersBlocks();
      let previous: RenderedConfig | null = null;
      return configs$.pipe(
        tap((config) => {
          const last = previous;
          previous = config;
          // Without members every config is new text (skip-unchanged upstream compares the text alone).
          if (!members || last === null || !sameText(last, config)) {
            sequence++;
            write(`${configHeader(sequence, config)}\n${body(last, config, sequence)}`);
          }
          if (!members) return;
          const changed = block(last, config);
          if (changed !== null) write(changed);
        }),
      );
    });
}

/** Returns the header comment line of config number `sequence`. */
export function configHeader(sequence: number, config: RenderedConfig): string {
  return `# config ${sequence} sha256:${config.hash.slice(0, 16)} routes=${config.routes} backends=${config.backends} issues=${config.issues.length}`;
}

/**
 * Returns a function that, for each config after `last`, gives the `# members M …` block of its membership when it
 * changed (M counting the changes from 1), else null.
 */
function membersBlocks(): (last: RenderedConfig | null, config: RenderedConfig) => string | null {
  let sequence = 0;
  return (last, config) => {
    const now = config.members ?? EMPTY_MEMBERSHIP;
    if (last !== null && sameMembership(last.members ?? EMPTY_MEMBERSHIP, now)) return null;
    return membersText(now, ++sequence, config.membersHash ?? '');
  };
}

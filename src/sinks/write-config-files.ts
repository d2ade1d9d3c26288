import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { membersText } from '../model/members-text.js';
import { EMPTY_MEMBERSHIP, sameMembership } from '../model/membership.js';
import { sameText, type RenderedConfig } from '../model/rendered-config.js';

const OWN_FILE = /^(config-[0-9]{6,}\.conf|members-[0-9]{6,}\.txt)$/;

/**
/**
 * Makes `dir` ready for a replay's configs: creates it, or removes the config and members files an earlier replay left
 * there, so two runs' files are never mixed. Returns what to fix when it holds anything else (nothing is removed then).
 */
export function prepareOutDir(dir: string): string | null {
  let names: string[];
  try {
    mkdirSync(dir, { recursive: true });
    names = readdirSync(dir);
  } catch (error) {
    return `--out ${dir}: cannot use it as a directory: ${(error as Error).message}`;
  }
  const foreign = names.filter((name) => !OWN_FILE.test(name));
  if (foreign.length > 0) {
    return `--out ${dir} holds files replay did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}): give an empty or new directory`;
  }
  for (const name of names) rmSync(join(dir, name));
  return null;
}

/**
 * Writes each config to its own file `DIR/config-NNNNNN.conf`, numbered from 1 like the printed headers; with
 * `last`, only the final config (and its membership), under its number. With `members` (dynamic mode), a config is
 * written only when its text changed, and each change of membership goes to `DIR/members-NNNNNN.txt` (numbered like
 * the printed `# members N` blocks, in their form).
 *
 * ```
 * configs: -A--B-|
 * files:   -1--2-|      (last: ------2|)
 * ```
 */
export function writeConfigFiles(
  dir: string,
  options: { readonly last?: boolean; readonly members?: boolean } = {},
): MonoTypeOperatorFunction<RenderedConfig> {
  const file = (kind: string, n: number, ext: string): string =>
    join(dir, `${kind}-${String(n).padStart(6, '0')}.${ext}`);
  return (configs$) =>
    defer(() => {
      let sequence = 0;
      let membersSequence = 0;
      let previous: RenderedConfig | null = null;
      let final: { config: RenderedConfig; sequence: number; membersSequence: number } | null = null;
      const writeMembers = (config: RenderedConfig, n: number): void =>
        writeFileSync(
          file('members', n, 'txt'),
          membersText(config.members ?? EMPTY_MEMBERSHIP, n, config.membersHash ?? ''),
        );
      return configs$.pipe(
        tap({
          next: (config) => {
            const last = previous;
            previous = config;
            const textChanged = options.members !== true || last === null || !sameText(last, config);
            const membersChanged =
              options.members === true &&
              (last === null || !sameMembership(last.members ?? EMPTY_MEMBERSHIP, config.members ?? EMPTY_MEMBERSHIP));
            if (textChanged) sequence++;
            if (membersChanged) membersSequence++;
            if (options.last === true) {
              final = { config, sequence, membersSequence };
              return;
            }
            if (textChanged) writeFileSync(file('config', sequence, 'conf'), config.text);
            if (membersChanged) writeMembers(config, membersSequence);
          },
          complete: () => {
            if (final === null) return;
            writeFileSync(file('config', final.sequence, 'conf'), final.config.text);
            if (options.members === true) writeMembers(final.config, final.membersSequence);
          },
        }),
      );
    });
}

import { createTwoFilesPatch } from 'diff';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';
import { configHeader, membersBlocks } from './print-configs.js';

/**
 * Writes the first config whole and each later one as a unified diff against the one before, each after its
 * `# config N …` header line, so what changed, at which config, reads at a glance (`replay --diff`). With `members`
 * (dynamic mode), as printConfigs does: a config whose text did not change prints no diff, and each change of
 * membership prints its `# members M …` block whole.
 *
 * ```
 * configs: -A--B--C-|
 * written: -A--Δ--Δ-|     (Δ: diff of B against A, of C against B)
 * ```
 */
export function printDiffs(
  write: (text: string) => void,
  options: { readonly members?: boolean } = {},
): MonoTypeOperatorFunction<RenderedConfig> {
  return (configs$) =>
    defer(() => {
      let sequence = 0;
      const block = membersBlocks();
      let previous: RenderedConfig | null = null;
      return configs$.pipe(
        tap((config) => {
          const last = previous;
          previous = config;
          const text = config.text;
          if (last === null || last.text !== text) {
            const header = configHeader(++sequence, config);
            write(`${header}\n${last === null ? text : unifiedDiff(last.text, text, sequence)}`);
          }
          if (options.members !== true) return;
          const changed = block(last, config);
          if (changed !== null) write(changed);
        }),
      );
    });
}

/** Returns the unified diff (3 lines of context) of config `sequence` against the one before it. */
export function unifiedDiff(before: string, after: string, sequence: number): string {
  const patch = createTwoFilesPatch(
    `config-${pad(sequence - 1)}.conf`,
    `config-${pad(sequence)}.conf`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  );
  // The jsdiff banner ("=====" and "Index:" lines) is not part of a unified diff.
  return patch.replace(/^={3,}\n/m, '');
}

function pad(n: number): string {
  return String(n).padStart(6, '0');
}

import { createTwoFilesPatch } from 'diff';
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';
import { printConfigs } from './print-configs.js';

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
  return printConfigs(write, {
    last: false,
    members: options.members,
    body: (before, config, sequence) =>
      before === null ? config.text : unifiedDiff(before.text, config.text, sequence),
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

import { createTwoFilesPatch } from 'diff';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';
import { configHeader } from './print-configs.js';

/**
 * Writes the first config whole and each later one as a unified diff against the one before, each after its
 * `# config N …` header line, so what changed, at which config, reads at a glance (`replay --diff`).
 *
 * ```
 * configs: -A--B--C-|
 * written: -A--Δ--Δ-|     (Δ: diff of B against A, of C against B)
 * ```
 */
export function printDiffs(write: (text: string) => void): MonoTypeOperatorFunction<RenderedConfig> {
  return (configs$) =>
    defer(() => {
      let sequence = 0;
      let previous: string | null = null;
      return configs$.pipe(
        tap((config) => {
          const header = configHeader(++sequence, config);
          const text = config.text;
          const body = previous === null ? text : unifiedDiff(previous, text, sequence);
          previous = text;
          write(`${header}\n${body}`);
        }),
      );
    });
}

/** Returns the unified diff (3 lines of context) of config `sequence` against the one before it. */
export function unifiedDiff(before: string, after: string, sequence: number): string {
  const patch = createTwoFilesPatch(`config-${pad(sequence - 1)}.conf`, `config-${pad(sequence)}.conf`, before, after, undefined, undefined, { context: 3 });
  // The jsdiff banner ("=====" and "Index:" lines) is not part of a unified diff.
  return patch.replace(/^={3,}\n/m, '');
}

function pad(n: number): string {
  return String(n).padStart(6, '0');
}

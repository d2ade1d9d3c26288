import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';

const OWN_FILE = /^config-[0-9]{6,}\.conf$/;

/** Returns the name of config number `sequence` in an `--out` directory. */
export function configFileName(sequence: number): string {
  return `config-${String(sequence).padStart(6, '0')}.conf`;
}

/**
 * Makes `dir` ready for a replay's configs: creates it, or removes the config files an earlier replay left there, so
 * two runs' configs are never mixed. Returns what to fix when it holds anything else (nothing is removed then).
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
 * `last`, only the final config, under its number.
 *
 * ```
 * configs: -A--B-|
 * files:   -1--2-|      (last: ------2|)
 * ```
 */
export function writeConfigFiles(dir: string, options: { readonly last?: boolean } = {}): MonoTypeOperatorFunction<RenderedConfig> {
  return (configs$) =>
    defer(() => {
      let sequence = 0;
      let final: RenderedConfig | null = null;
      const write = (config: RenderedConfig, n: number): void => writeFileSync(join(dir, configFileName(n)), config.text);
      if (!options.last) return configs$.pipe(tap((config) => write(config, ++sequence)));
      return configs$.pipe(
        tap({
          next: (config) => {
            sequence++;
            final = config;
          },
          complete: () => {
            if (final !== null) write(final, sequence);
          },
        }),
      );
    });
}

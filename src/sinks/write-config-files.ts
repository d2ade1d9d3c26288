import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';

/**
 * Writes each config to its own file `DIR/config-NNNNNN.conf`, numbered from 1 like the printed headers.
 *
 * ```
 * configs: -A--B-|
 * files:   -1--2-|
 * ```
 */
export function writeConfigFiles(dir: string): MonoTypeOperatorFunction<RenderedConfig> {
  return (configs$) =>
    defer(() => {
      mkdirSync(dir, { recursive: true });
      let sequence = 0;
      return configs$.pipe(tap((config) => writeFileSync(join(dir, `config-${String(++sequence).padStart(6, '0')}.conf`), config.text)));
    });
}

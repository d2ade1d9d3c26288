import { defer, takeLast, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';

/**
 * Writes each config with a header comment line `# config N ...` (N counts from 1), or with `last` only the final
 * config, bare, so it can be saved as nginx.conf.
 *
 * ```
 * configs: -A--B--C-|
 * written: -A--B--C-|     (last: ---------C|)
 * ```
 */
export function printConfigs(write: (text: string) => void, options: { readonly last: boolean }): MonoTypeOperatorFunction<RenderedConfig> {
  if (options.last) return (configs$) => configs$.pipe(takeLast(1), tap((config) => write(config.text)));
  return (configs$) =>
    defer(() => {
      let sequence = 0;
      return configs$.pipe(tap((config) => write(`${configHeader(++sequence, config)}\n${config.text}`)));
    });
}

/** Returns the header comment line of config number `sequence`. */
export function configHeader(sequence: number, config: RenderedConfig): string {
  return `# config ${sequence} sha256:${config.hash.slice(0, 16)} routes=${config.routes} backends=${config.backends} issues=${config.issues.length}`;
}

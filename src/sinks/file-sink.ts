import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defer, map, of, switchMap, tap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import type { Backoff } from '../model/backoff.js';
import { shortHash, type RenderedConfig } from '../model/rendered-config.js';
import { AFTER_WRITE_BACKOFF, runAfterWrite } from './after-write.js';
import { writeAtomically } from './atomic-write.js';

/** What became of one config in the file sink. */
export type FileOutcome =
  | { readonly type: 'written' | 'unchanged'; readonly config: RenderedConfig; readonly path: string }
  | { readonly type: 'failed'; readonly config: RenderedConfig; readonly path: string; readonly message: string };

/**
 * Replaces the file at `path` with `text` atomically: a temporary file in the same directory, flushed, then renamed
 * over it, so a reader sees the old bytes or the new, never a torn file. Returns false (and writes nothing) when the
 * file already holds exactly these bytes.
 */
export function writeFileAtomically(path: string, text: string): boolean {
  const target = resolve(path);
  const bytes = Buffer.from(text, 'utf8');
  if (sameBytes(target, bytes)) return false;
  writeAtomically(target, bytes, 0o644);
  return true;
}

function sameBytes(path: string, bytes: Buffer): boolean {
  try {
    return readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
}

/** What the file sink does besides writing: a command after each write (`--after-write`), retried on failure. */
export interface FileSinkOptions {
  readonly afterWrite?: string | null;
  readonly backoff?: Backoff;
  readonly scheduler?: SchedulerLike;
}

/**
 * Writes each config to `path` (NGINX_CONF) atomically, skipping identical bytes; for `--sink file`, where
 * something else runs nginx. A failed write is reported as an outcome and the stream goes on. With `afterWrite`,
 * a written config counts only once the command succeeded; each failure is reported and the command is retried
 * with backoff until it succeeds or a newer config is written.
 *
 * ```
 * configs:  -A--B--A-|
 * outcomes: -w--w--w-|     (w: written, or unchanged when the file already held those bytes)
 * with afterWrite: -A------|  outcomes: --f--f-w|   (f: the command failed, retried)
 * ```
 */
export function fileSink(
  path: string,
  logger: Logger,
  options: FileSinkOptions = {},
): OperatorFunction<RenderedConfig, FileOutcome> {
  const log = logger.child({ component: 'file' });
  const command = options.afterWrite ?? null;
  return switchMap((config) =>
    defer(() => {
      let written: boolean;
      try {
        written = writeFileAtomically(path, config.text);
      } catch (error) {
        const message = `cannot write ${path}: ${(error as Error).message}`;
        log.error('config not written; the previous file stays', { path, error: message });
        return of<FileOutcome>({ type: 'failed', config, path, message });
      }
      if (written)
        log.info('config written', { path, hash: shortHash(config), routes: config.routes, backends: config.backends });
      if (!written || command === null)
        return of<FileOutcome>({ type: written ? 'written' : 'unchanged', config, path });
      return runAfterWrite(command, path, options.backoff ?? AFTER_WRITE_BACKOFF, options.scheduler).pipe(
        tap((result) => {
          if (result.ok) log.info('after-write command succeeded', { path, command });
          else
            log.error('after-write command failed; the file is written, the command is retried', {
              path,
              error: result.message,
              retryInMs: result.retryInMs,
            });
        }),
        map((result): FileOutcome =>
          result.ok ? { type: 'written', config, path } : { type: 'failed', config, path, message: result.message },
        ),
      );
    }),
  );
}

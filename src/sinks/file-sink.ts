import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { concatMap, defer, of, type OperatorFunction } from 'rxjs';
import type { Logger } from '../logger.js';
import { shortHash, type RenderedConfig } from '../model/rendered-config.js';

/** What became of one config in the file sink. */
export type FileOutcome =
  | { readonly type: 'written' | 'unchanged'; readonly config: RenderedConfig; readonly path: string }
  | { readonly type: 'failed'; readonly config: RenderedConfig; readonly path: string; readonly message: string };

let sequence = 0;

/**
 * Replaces the file at `path` with `text` atomically: a temporary file in the same directory, flushed, then renamed
 * over it, so a reader sees the old bytes or the new, never a torn file. Returns false (and writes nothing) when the
 * file already holds exactly these bytes.
 */
export function writeFileAtomically(path: string, text: string): boolean {
  const target = resolve(path);
  const bytes = Buffer.from(text, 'utf8');
  if (sameBytes(target, bytes)) return false;
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${++sequence}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return true;
}

function sameBytes(path: string, bytes: Buffer): boolean {
  try {
    return readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
}

/**
 * Writes each config to `path` (NGINX_CONF) atomically, skipping identical bytes; for `--sink file`, where
 * something else runs nginx. A failed write is reported as an outcome and the stream goes on.
 *
 * ```
 * configs:  -A--B--A-|
 * outcomes: -w--w--w-|     (w: written, or unchanged when the file already held those bytes)
 * ```
 */
export function fileSink(path: string, logger: Logger): OperatorFunction<RenderedConfig, FileOutcome> {
  const log = logger.child({ component: 'file' });
  return concatMap((config) =>
    defer(() => {
      try {
        const written = writeFileAtomically(path, config.text);
        if (written) log.info('config written', { path, hash: shortHash(config), routes: config.routes, backends: config.backends });
        return of<FileOutcome>({ type: written ? 'written' : 'unchanged', config, path });
      } catch (error) {
        const message = `cannot write ${path}: ${(error as Error).message}`;
        log.error('config not written; the previous file stays', { path, error: message });
        return of<FileOutcome>({ type: 'failed', config, path, message });
      }
    }),
  );
}

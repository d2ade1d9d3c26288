// The one way the sinks put a file in place: a temp file in the same directory, created exclusively with its final
// mode from the first byte (`wx`: never through a file someone else made), flushed, then renamed over the target
// (atomic within one directory). Used for nginx.conf, the members snapshot and the TLS key files.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let sequence = 0;

/** Returns the default temp file next to `path`: hidden, named after it, unique in this process. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++sequence}.tmp`);
}

/** Where the temp file goes, and whether the data is flushed to disk before the rename (default true). */
export interface AtomicWriteOptions {
  readonly temp?: string;
  readonly durable?: boolean;
}

/** Writes `data` to `path` atomically with file mode `mode`; the temp file is removed if anything fails. */
export function writeAtomically(
  path: string,
  data: string | Uint8Array,
  mode: number,
  options: AtomicWriteOptions = {},
): void {
  const temp = options.temp ?? tempPathFor(path);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      if (options.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

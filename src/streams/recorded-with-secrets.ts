import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Tells whether a recording comes from a run that watched TLS Secrets: its first line is the recorder's START with
 * `"secrets":true`. Reads only the first line (at most 4 KiB), before the file is streamed.
 */
export function recordedWithSecrets(path: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(4096);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const first = buffer.subarray(0, length).toString('utf8').split('\n')[0] ?? '';
    const value = JSON.parse(first) as { type?: unknown; secrets?: unknown };
    return value.type === 'START' && value.secrets === true;
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

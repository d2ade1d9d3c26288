// Runs the real replay command in-process, capturing stdout.
import { lastValueFrom } from 'rxjs';
import { replay$ } from '../../src/commands/replay.js';
import { createLogger } from '../../src/logger.js';
import { parseInvocation } from '../../src/settings.js';

/** Replays a file with the given flags; returns what it printed on stdout and its exit status. */
export async function replayCapture(
  file: string,
  flags: readonly string[] = [],
): Promise<{ stdout: string; status: number }> {
  // The listen addresses are pinned: by default they follow the host (IPv6 or not), and goldens must not.
  const listen = flags.includes('--listen') ? [] : ['--listen', '0.0.0.0,::'];
  const { settings, args } = parseInvocation(['replay', file, ...listen, ...flags], {});
  let stdout = '';
  const sink = {
    write: (text: string) => ((stdout += text), true),
    writableNeedDrain: false,
  } as unknown as NodeJS.WritableStream;
  const status = await lastValueFrom(
    replay$(settings, args, createLogger('error', 'json'), { stdout: sink, stderr: process.stderr }),
  );
  return { stdout, status };
}

/** Replays a file with `--last` (the final config only). */
export const replayLast = (file: string, flags: readonly string[] = []) => replayCapture(file, ['--last', ...flags]);

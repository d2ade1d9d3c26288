// A large replay runs again in a child process whose V8 heap is sized for a batch job's footprint, because V8 sizes
// its heap by its limits:
// - Allowed 2 GB or more (the default here is ~4 GB), it lets the old space grow to about 4x the live data before a
//   full collection; capped at 1 GB, to about 1.6x.
// - `--heap-growing-percent=20` holds that growth at 1.2x the live data. A replay of 20k pods keeps ~60 MB live and
//   promotes ~2 MB a window, so full collections come more often but each marks little.
// - `--max-semi-space-size=8` halves the young generation (16 MB instead of 32). Alone it saves nothing: more of each
//   window's short-lived data lives through two scavenges and is promoted. With the growth held, it does.
// Together they hold the peak RSS of 1M events over 20k pods under 300 MB for a few % more time (BENCHMARKS.md section
// 2). 1 GB is above what a replay of the largest cluster Kubernetes supports (150k pods) keeps live.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { WORKER_MIN_BYTES } from '../streams/replay-file.js';

/** The old-space cap of a large replay, in MB. */
export const REPLAY_HEAP_MB = 1024;

/** The V8 options of a large replay's child, by name: the cap, and the heap growth and young generation. */
export const REPLAY_V8_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['max-old-space-size', String(REPLAY_HEAP_MB)],
  ['heap-growing-percent', '20'],
  ['max-semi-space-size', '8'],
]);

/** Set in the child's environment: it is the capped run, and must not start another. */
const CAPPED = 'K8S_PODS_INGRESS_REPLAY_CAPPED';

/**
 * Tells whether this replay should run again under the cap: its input is a file as large as the parse worker's
 * (below that, a second process costs what it saves), the heap is not capped already, and nobody chose a heap size
 * (`--max-old-space-size` or `--max-heap-size` in the node options: then the replay runs as they say).
 */
export function wantsHeapCap(args: readonly string[], env: NodeJS.ProcessEnv, execArgv: readonly string[]): boolean {
  if (env[CAPPED] !== undefined || args.length !== 1 || args[0] === '-') return false;
  const chosen = chosenOptions(execArgv, env);
  if (
    chosen('max-old-space-size') ||
    chosen('max-heap-size') ||
    getHeapStatistics().heap_size_limit <= 2 * REPLAY_HEAP_MB * 1024 * 1024
  )
    return false;
  try {
    return statSync(args[0]!).size >= WORKER_MIN_BYTES;
  } catch {
    // The replay itself reports a missing file.
    return false;
  }
}

/** The V8 options the child is given: REPLAY_V8_OPTIONS but those the node options already choose (theirs win). */
export function replayV8Options(execArgv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const chosen = chosenOptions(execArgv, env);
  return [...REPLAY_V8_OPTIONS].filter(([name]) => !chosen(name)).map(([name, value]) => `--${name}=${value}`);
}

// Tells whether the command line's node options or NODE_OPTIONS name an option (V8 reads `-` and `_` alike).
function chosenOptions(execArgv: readonly string[], env: NodeJS.ProcessEnv): (name: string) => boolean {
  const given = [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].map((option) => option.replaceAll('_', '-'));
  return (name) => given.some((option) => option === `--${name}` || option.startsWith(`--${name}=`));
}

/**
 * Runs this very command again (same node, options, script and arguments, standard streams shared) with its heap
 * sized by REPLAY_V8_OPTIONS, passing SIGINT and SIGTERM on. Resolves to its exit status; a child killed by a signal
 * is reported the shell's way (128 + the signal's number), and one that ran out of its heap says how to give it more.
 */
export function rerunWithHeapCap(): Promise<number> {
  const args = [...process.execArgv, ...replayV8Options(process.execArgv, process.env), ...process.argv.slice(1)];
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, [CAPPED]: '1' } });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`k8s-pods-ingress: cannot start the replay process: ${error.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      // V8 aborts (SIGABRT) when the heap is full.
      if (signal === 'SIGABRT')
        process.stderr.write(
          `k8s-pods-ingress: the replay ran out of its ${REPLAY_HEAP_MB} MB heap; give it more with ` +
            `NODE_OPTIONS=--max-old-space-size=4096 (MB)\n`,
        );
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}

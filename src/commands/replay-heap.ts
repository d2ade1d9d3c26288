// A large replay runs again in a child process whose V8 old space is capped, because V8 sizes its heap by the cap:
// allowed 2 GB or more (the default here is ~4 GB), it lets the heap grow to about 4x the live data before a full
// collection; capped at 1 GB, to about 1.6x. A replay of 20k pods keeps ~90 MB live and makes ~2 MB of garbage a
// window, so the cap is what holds its peak RSS near 300 MB instead of 600 (BENCHMARKS.md section 2). 1 GB is above
// what a replay of the largest cluster Kubernetes supports (150k pods) keeps live.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { WORKER_MIN_BYTES } from '../streams/replay-file.js';

/** The old-space cap of a large replay, in MB. */
export const REPLAY_HEAP_MB = 1024;

/** Set in the child's environment: it is the capped run, and must not start another. */
const CAPPED = 'K8S_PODS_INGRESS_REPLAY_CAPPED';

/**
 * Tells whether this replay should run again under the cap: its input is a file as large as the parse worker's
 * (below that, a second process costs what it saves), the heap is not capped already, and nobody chose a heap size
 * (`--max-old-space-size` in the node options wins over ours).
 */
export function wantsHeapCap(args: readonly string[], env: NodeJS.ProcessEnv, execArgv: readonly string[]): boolean {
  if (env[CAPPED] !== undefined || args.length !== 1 || args[0] === '-') return false;
  const chosen = [...execArgv, env['NODE_OPTIONS'] ?? ''].some((option) =>
    /--max-old-space-size|--max-heap-size|--max_old_space_size/.test(option),
  );
  if (chosen || getHeapStatistics().heap_size_limit <= 2 * REPLAY_HEAP_MB * 1024 * 1024) return false;
  try {
    return statSync(args[0]!).size >= WORKER_MIN_BYTES;
  } catch {
    // The replay itself reports a missing file.
    return false;
  }
}

/**
 * Runs this very command again (same node, options, script and arguments, standard streams shared) with the old
 * space capped, passing SIGINT and SIGTERM on. Resolves to its exit status; a child killed by a signal is reported
 * the shell's way (128 + the signal's number), and one that ran out of its heap says how to give it more.
 */
export function rerunWithHeapCap(): Promise<number> {
  const args = [...process.execArgv, `--max-old-space-size=${REPLAY_HEAP_MB}`, ...process.argv.slice(1)];
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

import { spawn } from 'node:child_process';
import { asyncScheduler, catchError, concat, map, Observable, of, switchMap, timer, type SchedulerLike } from 'rxjs';
import { backoffDelay, type Backoff } from '../model/backoff.js';

/** How `--after-write` is retried: as a failed reload is (1 s doubling to 30 s). */
export const AFTER_WRITE_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000 };

/** One run of the after-write command: it succeeded, or failed with a message (and is retried). */
export type AfterWriteResult =
  { readonly ok: true } | { readonly ok: false; readonly message: string; readonly retryInMs: number };

/**
 * Runs `command` through `sh -c` with K8S_PODS_INGRESS_CONFIG set to the file just written, until it exits 0:
 * emits each failure (with the wait before the next try), then `ok` and completes. Unsubscribing (a newer config
 * was written) kills a command still running and cancels the retry.
 *
 * ```
 * runs:    -f---f------s|     (f: non-zero exit or no start, s: exit 0; waits 1 s, 2 s, … up to 30 s)
 * ```
 */
export function runAfterWrite(
  command: string,
  file: string,
  backoff: Backoff = AFTER_WRITE_BACKOFF,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<AfterWriteResult> {
  const attempt = (n: number): Observable<AfterWriteResult> =>
    shell(command, file).pipe(
      map((): AfterWriteResult => ({ ok: true })),
      catchError((error: Error) => {
        const retryInMs = backoffDelay(n, backoff);
        return concat(
          of<AfterWriteResult>({ ok: false, message: error.message, retryInMs }),
          timer(retryInMs, scheduler).pipe(switchMap(() => attempt(n + 1))),
        );
      }),
    );
  return attempt(1);
}

function shell(command: string, file: string): Observable<void> {
  return new Observable<void>((subscriber) => {
    const child = spawn('/bin/sh', ['-c', command], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, K8S_PODS_INGRESS_CONFIG: file },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-500)));
    child.once('error', (error) =>
      subscriber.error(new Error(`after-write command could not start: ${error.message}`)),
    );
    child.once('close', (code, signal) => {
      if (code === 0) {
        subscriber.next();
        subscriber.complete();
        return;
      }
      const how = code === null ? `was killed by ${signal}` : `exited with status ${code}`;
      subscriber.error(
        new Error(
          `after-write command ${JSON.stringify(command)} ${how}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`,
        ),
      );
    });
    return () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
  });
}

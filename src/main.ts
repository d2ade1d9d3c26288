#!/usr/bin/env node
// The only place that subscribes, handles signals and exits. Each command is an Observable of its exit status, and
// is imported only when it runs: replay never loads the Kubernetes client, prom-client or the HTTP server.
import { fromEvent, map, merge, take, tap, type Observable } from 'rxjs';
import { errorReport, EXIT, exitVerdict } from './exit-status.js';
import { helpText, topLevelHelp, version } from './help-text.js';
import type { Logger } from './logger.js';
import { parseInvocation, type Invocation } from './settings.js';

async function command$(invocation: Invocation): Promise<Observable<number>> {
  const { settings } = invocation;
  // Replay logs little and should start fast: the light logger writes the same lines without loading winston.
  const logger: Logger =
    invocation.command === 'replay'
      ? (await import('./light-logger.js')).createLightLogger(settings.logLevel, settings.logFormat)
      : (await import('./logger.js')).createLogger(settings.logLevel, settings.logFormat);
  for (const warning of invocation.warnings) logger.warn(warning, { component: 'main' });
  switch (invocation.command) {
    case 'replay': {
      const { replay$ } = await import('./commands/replay.js');
      return replay$(settings, invocation.args, logger, {
        stdout: process.stdout,
        stderr: process.stderr,
        stdin: process.stdin,
      });
    }
    case 'run': {
      const { run$ } = await import('./commands/run.js');
      return run$({ settings, logger, io: { stdout: process.stdout }, stop$: stopSignal$(logger) });
    }
    case 'record': {
      const { record$ } = await import('./commands/record.js');
      return record$({ settings, logger, io: { stdout: process.stdout }, stop$: stopSignal$(logger) });
    }
  }
}

/** Emits on the first SIGTERM or SIGINT and stops listening, so a second one kills the process the default way. */
function stopSignal$(logger: Logger): Observable<string> {
  const signal$ = (name: NodeJS.Signals): Observable<string> => fromEvent(process, name).pipe(map(() => name));
  return merge(signal$('SIGTERM'), signal$('SIGINT')).pipe(
    take(1),
    tap((signal) =>
      logger.info('stopping: watch aborted, finishing the current window', { component: 'main', signal }),
    ),
  );
}

function fail(error: unknown): number {
  process.stderr.write(errorReport(error));
  return exitVerdict(error).status;
}

async function main(): Promise<void> {
  // `replay … | head` closes stdout early: stop quietly, as command-line tools do, instead of a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? EXIT.OK);
  });
  let invocation: Invocation;
  try {
    invocation = parseInvocation(process.argv.slice(2), process.env);
  } catch (error) {
    process.exitCode = fail(error);
    return;
  }
  if (invocation.version) {
    process.stdout.write(`k8s-pods-ingress ${version()}\n`);
    return;
  }
  if (invocation.help) {
    process.stdout.write(invocation.explicit ? helpText(invocation.command) : topLevelHelp());
    return;
  }
  if (invocation.command === 'replay') {
    const { rerunWithHeapCap, wantsHeapCap } = await import('./commands/replay-heap.js');
    if (wantsHeapCap(invocation.args, process.env, process.execArgv)) {
      process.exitCode = await rerunWithHeapCap();
      return;
    }
  }
  let status: number = EXIT.OK;
  try {
    (await command$(invocation)).subscribe({
      next: (code) => (status = code),
      error: (error: unknown) => {
        process.exitCode = fail(error);
      },
      complete: () => {
        process.exitCode = status;
      },
    });
  } catch (error) {
    process.exitCode = fail(error);
  }
}

void main();

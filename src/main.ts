#!/usr/bin/env node
// The only place that subscribes, handles signals and exits. Each command is an Observable of its exit status.
import { fromEvent, map, merge, take, tap, type Observable } from 'rxjs';
import { record$ } from './commands/record.js';
import { replay$ } from './commands/replay.js';
import { run$ } from './commands/run.js';
import { createLogger, type Logger } from './logger.js';
import { TemplateError } from './render/template.js';
import { helpText, parseInvocation, SettingsError, type Invocation } from './settings.js';
import { KubeConfigError } from './streams/load-kube-config.js';
import { SourceError } from './streams/replay-file.js';

/** Exit statuses of the CLI. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

function command$(invocation: Invocation): Observable<number> {
  const { settings } = invocation;
  const logger = createLogger(settings.logLevel, settings.logFormat);
  switch (invocation.command) {
    case 'replay':
      return replay$(settings, invocation.args, logger, { stdout: process.stdout, stderr: process.stderr });
    case 'run':
      return run$(settings, logger, { stdout: process.stdout }, stopSignal$(logger));
    case 'record':
      return record$(settings, logger, { stdout: process.stdout }, stopSignal$(logger));
  }
}

/** Emits on the first SIGTERM or SIGINT and stops listening, so a second one kills the process the default way. */
function stopSignal$(logger: Logger): Observable<string> {
  const signal$ = (name: NodeJS.Signals): Observable<string> => fromEvent(process, name).pipe(map(() => name));
  return merge(signal$('SIGTERM'), signal$('SIGINT')).pipe(
    take(1),
    tap((signal) => logger.info('stopping: watch aborted, finishing the current window', { component: 'main', signal })),
  );
}

function fail(error: unknown): number {
  const usage = error instanceof SettingsError || error instanceof TemplateError || error instanceof KubeConfigError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`k8s-pods-ingress: ${message}\n`);
  if (!usage && !(error instanceof SourceError) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return usage || error instanceof SourceError ? EXIT.USAGE : EXIT.FAILURE;
}

function main(): void {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(process.argv.slice(2), process.env);
  } catch (error) {
    process.exitCode = fail(error);
    return;
  }
  if (invocation.help) {
    process.stdout.write(helpText(invocation.command));
    return;
  }
  let status: number = EXIT.OK;
  try {
    command$(invocation).subscribe({
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

main();

#!/usr/bin/env node
// The only place that subscribes, handles signals and exits. Each command is an Observable of its exit status.
import type { Observable } from 'rxjs';
import { replay$ } from './commands/replay.js';
import { createLogger } from './logger.js';
import { TemplateError } from './render/template.js';
import { helpText, parseInvocation, SettingsError, type Invocation } from './settings.js';
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
    case 'record':
      throw new SettingsError(`the ${invocation.command} command is not available yet`);
  }
}

function fail(error: unknown): number {
  const usage = error instanceof SettingsError || error instanceof TemplateError;
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

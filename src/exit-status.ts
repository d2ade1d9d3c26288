// One error vocabulary: each error class the program raises, by name, with the exit status it ends the program with
// and whether its stack is worth printing. Matched by `name` so that main can map errors without importing the
// modules that define them (each command is loaded only when it runs).

/** Exit statuses of the CLI. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** How an error ends the program. */
export interface ExitVerdict {
  readonly status: number;
  /** Print the stack after the one-line message: only for errors nobody expected. */
  readonly stack: boolean;
}

const USAGE: ExitVerdict = { status: EXIT.USAGE, stack: false };
const FAILURE: ExitVerdict = { status: EXIT.FAILURE, stack: false };

/**
 * Every error class of `src/` by its `name`. Usage (2): something the user set up must change before the program
 * can run (a flag, a file, a port). Failure (1): the program ran and something outside it failed.
 */
export const ERROR_CLASSES: Readonly<Record<string, ExitVerdict>> = {
  SettingsError: USAGE, // src/settings.ts: a bad flag, variable or value
  TemplateError: USAGE, // src/render/template.ts: unreadable or unsafe template
  KubeConfigError: USAGE, // src/streams/load-kube-config.ts: no way to reach an API server
  SourceError: USAGE, // src/streams/replay-file.ts: the replay input cannot be read
  EndpointServerError: USAGE, // src/http/endpoint-server.ts: the admin port cannot be bound
  PortBusyError: USAGE, // src/commands/listen-check.ts: nginx's port cannot be bound
  CheckFailedError: FAILURE, // src/sinks/check-configs.ts: replay --check found a config nginx refuses
  RecordError: FAILURE, // src/sinks/record-events.ts: the recording cannot be written
  KubeApiError: FAILURE, // src/streams/kube-get.ts: retried inside the source; fatal only if it escapes
  IdleTimeoutError: FAILURE, // src/streams/list-and-watch.ts: retried inside the source
  TemplateValueError: FAILURE, // src/render/check-view.ts: caught per render; fatal only if it escapes
  NginxApplyError: FAILURE, // src/sinks/nginx-apply-error.ts: caught per config; fatal only if it escapes
};

const UNEXPECTED: ExitVerdict = { status: EXIT.FAILURE, stack: true };

/** Returns how an error ends the program: its class's verdict, or status 1 with the stack for anything else. */
export function exitVerdict(error: unknown): ExitVerdict {
  if (!(error instanceof Error)) return UNEXPECTED;
  return Object.hasOwn(ERROR_CLASSES, error.name) ? ERROR_CLASSES[error.name]! : UNEXPECTED;
}

/** Returns what main writes on stderr for an error: one line, plus the stack when the verdict asks for it. */
export function errorReport(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const stack = exitVerdict(error).stack && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  return `k8s-pods-ingress: ${message}\n${stack}`;
}

/** The step of an apply that failed. */
export type ApplyStage = 'write' | 'check' | 'start' | 'reload' | 'push' | 'stopped';

/**
 * An apply that did not put the config in force; `stage` says where it stopped and `detail` carries nginx's own
 * message (for `check`, the output of `nginx -t`).
 */
export class NginxApplyError extends Error {
  override readonly name = 'NginxApplyError';

  /** nginx's own words, when it said why (joined to the message after a colon); empty when it said nothing. */
  readonly detail: string;

  constructor(
    readonly stage: ApplyStage,
    message: string,
    options: { readonly detail?: string; readonly cause?: unknown } = {},
  ) {
    const detail = options.detail ?? '';
    super(
      detail === '' ? message : `${message}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.detail = detail;
  }
}

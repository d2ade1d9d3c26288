/** The step of an apply that failed. */
export type ApplyStage = 'write' | 'check' | 'start' | 'reload' | 'push' | 'stopped';

/**
 * An apply that did not put the config in force; `stage` says where it stopped and `detail` carries nginx's own
 * message (for `check`, the output of `nginx -t`).
 */
export class NginxApplyError extends Error {
  override readonly name = 'NginxApplyError';

  constructor(
    readonly stage: ApplyStage,
    message: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(detail === '' ? message : `${message}: ${detail}`, options);
  }
}

import type { ServerTlsView, TlsConfigView } from '../model/tls-view.js';
import { isValidPort } from '../model/validate.js';
import { TemplateValueError } from './template-value-error.js';

const KEY_FILE = /^tls\/[0-9a-f]{64}\.pem$/;
// The labels of a wildcard host's suffix, each after `[.]`: see ServerTlsView.redirectOnly.
const WILDCARD_SUFFIX = /^(?:\[\.\][a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Checks the http-level TLS values of a view (`httpsPort`, `https`); throws TemplateValueError on a miss. */
export function checkHttps(view: Partial<TlsConfigView>): void {
  if (view.httpsPort !== undefined && !isValidPort(String(view.httpsPort)))
    refuse('HTTPS port', String(view.httpsPort));
  const maxAge = view.https?.hstsMaxAge;
  if (maxAge !== undefined && maxAge !== null && (!Number.isInteger(maxAge) || maxAge < 1))
    refuse('HSTS max-age', String(maxAge));
}

/** Checks one server's TLS values: the key file is a content-addressed name under tls/, the port a port. */
export function checkServerTls(tls: ServerTlsView): void {
  if (!KEY_FILE.test(tls.certificate)) refuse('key file', tls.certificate);
  if (tls.redirectPort !== null && !isValidPort(String(tls.redirectPort)))
    refuse('redirect port', String(tls.redirectPort));
  if (tls.redirectOnly !== null && tls.redirectOnly !== undefined && !WILDCARD_SUFFIX.test(tls.redirectOnly))
    refuse('wildcard suffix', tls.redirectOnly);
  if (typeof tls.redirect !== 'boolean' || typeof tls.hsts !== 'boolean')
    refuse('TLS flag', `${String(tls.redirect)} ${String(tls.hsts)}`);
}

function refuse(kind: string, value: string): never {
  throw new TemplateValueError(`refusing to render ${kind} ${JSON.stringify(value)}: it fails its allow-list`);
}

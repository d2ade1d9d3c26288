import type { Observable } from 'rxjs';
import type { SecretChange, SecretSync } from '../model/events.js';
import type { Settings } from '../settings.js';
import { kubeSecretEvents$, type SecretSourceOptions } from '../streams/kube-secret-events.js';
import type { SecretDemand } from '../streams/secret-demand.js';

/**
 * Starts the TLS Secret source of a live run: the watched namespaces (all, or NAMESPACES plus the namespace of
 * `--default-tls-secret`), read with the Secret size limit of the settings.
 */
export function secretEvents$(
  settings: Settings,
  common: Omit<SecretSourceOptions, 'maxSecretBytes' | 'tapSecretEvent' | 'demand'>,
  demand: SecretDemand,
  tap?: (event: SecretChange | SecretSync) => void,
): Observable<SecretChange | SecretSync> {
  const extra = settings.defaultTlsSecret?.split('/')[0];
  const namespaces =
    common.namespaces.length === 0 || extra === undefined
      ? common.namespaces
      : [...new Set([...common.namespaces, extra])];
  common.logger.info('watching TLS Secrets', {
    namespaces: namespaces.length === 0 ? 'all' : namespaces.join(','),
    fieldSelector: 'type=kubernetes.io/tls',
  });
  return kubeSecretEvents$({
    ...common,
    namespaces,
    maxSecretBytes: settings.maxSecretBytes,
    tapSecretEvent: tap,
    demand,
  });
}

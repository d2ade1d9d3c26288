import { filter, map, merge, Subject, tap, type Observable } from 'rxjs';
import type { SecretChange, SecretSync } from '../model/events.js';
import { TLS_SECRET_TYPE, type ProjectedSecret } from '../model/secret.js';
import type { KubeEvent } from './kube-event.js';
import { KubeApiError } from './kube-get.js';
import { loopSettings, type KubeSourceOptions } from './kube-pod-events.js';
import { listAndWatch$ } from './list-and-watch.js';
import { mergeNamespaces } from './merge-namespaces.js';
import { projectSecret } from './project-secret.js';
import type { SecretDemand } from './secret-demand.js';

/** What the Secret source needs besides the pod source's settings. */
export interface SecretSourceOptions extends Omit<KubeSourceOptions, 'labelSelector' | 'names' | 'tapKubeEvent'> {
  /** Largest tls.crt + tls.key (base64) read from one Secret. */
  readonly maxSecretBytes: number;
  /** Sees every projected Secret event (the recorder taps here, and redacts). */
  readonly tapSecretEvent?: (event: SecretChange | SecretSync) => void;
  /** Which Secrets' keys to keep (those pods reference), and the fetches of the others when they come to be. */
  readonly demand?: SecretDemand;
}

/**
 * Streams the `kubernetes.io/tls` Secrets of the watched namespaces (a field selector: no other Secret is ever
 * sent to the controller) as Secret events, through the same list+watch loops as the pods: relist on 410, resume
 * after a drop, backoff on errors, abort when silent, one combined first list across namespaces. Each Secret is
 * read at once (src/streams/project-secret.ts) and the raw object dropped; with a demand, keys are kept only for
 * Secrets pods reference, and the demand's fetches join the stream.
 *
 * ```
 * api:    list-----ADDED--(410)--list------
 * result: SECRET_SYNC--SECRET_ADDED--SECRET_SYNC--
 * ```
 */
export function kubeSecretEvents$(options: SecretSourceOptions): Observable<SecretChange | SecretSync> {
  const logger = options.logger.child({ component: 'secret-source' });
  const targets: readonly (string | null)[] =
    options.namespaces.length === 0 ? [null] : [...new Set(options.namespaces)];
  const sources = targets.map((namespace) => {
    // Without RBAC on Secrets the first list fails 403 forever, and the pipeline, waiting for it, would serve
    // nothing at all, plain HTTP hosts included. Their first list counts as empty instead (no HTTPS until it
    // succeeds: the retries go on), with an error saying what to fix.
    const forbidden$ = new Subject<KubeEvent>();
    let listed = false;
    const onFailure = (error: unknown): void => {
      if (
        listed ||
        !(error instanceof KubeApiError) ||
        error.operation !== 'list' ||
        (error.status !== 403 && error.status !== 401)
      )
        return;
      listed = true;
      logger.error(
        'TLS Secrets cannot be read (forbidden): serving without HTTPS until they can; grant get, list and watch on secrets, or set K8S_PODS_INGRESS_TLS=false',
        { namespace: namespace ?? 'all namespaces', status: error.status },
      );
      forbidden$.next({ type: 'SYNC', resourceVersion: '', items: [] });
    };
    const watched$ = listAndWatch$({
      ...loopSettings(options, logger),
      query: { namespace, labelSelector: '', resource: 'secrets', fieldSelector: `type=${TLS_SECRET_TYPE}` },
      onFailure,
    }).pipe(tap((event) => (listed ||= event.type === 'SYNC')));
    return { namespace: namespace ?? '', events$: merge(watched$, forbidden$) };
  });
  const unreadable = (reason: string): void => void logger.warn('Secret skipped: it cannot be read', { reason });
  const keep = (key: string): boolean => options.demand?.wants(key) ?? true;
  const watched$ = mergeNamespaces(sources).pipe(
    map((event) => projectSecretEvent(event, options.maxSecretBytes, unreadable, keep)),
    filter((event): event is SecretChange | SecretSync => event !== null),
    tap((event) =>
      event.type === 'SECRET_SYNC'
        ? options.demand?.sawAll()
        : options.demand?.saw(`${event.secret.namespace}/${event.secret.name}`),
    ),
  );
  return (options.demand === undefined ? watched$ : merge(watched$, options.demand.events$)).pipe(
    tap((event) => options.tapSecretEvent?.(event)),
  );
}

/** Projects a raw Secret event; an unreadable Secret (no name) is reported and left out. */
export function projectSecretEvent(
  event: KubeEvent,
  maxBytes: number,
  unreadable: (reason: string) => void,
  keep: (key: string) => boolean = () => true,
): SecretChange | SecretSync | null {
  if (event.type === 'SYNC') {
    const secrets: ProjectedSecret[] = [];
    for (const item of event.items) {
      const secret = projectSecret(item, maxBytes, keep);
      if (typeof secret === 'string') unreadable(secret);
      else secrets.push(secret);
    }
    return { type: 'SECRET_SYNC', secrets };
  }
  const secret = projectSecret(event.object, maxBytes, keep);
  if (typeof secret === 'string') {
    unreadable(secret);
    return null;
  }
  return { type: `SECRET_${event.type}`, secret };
}

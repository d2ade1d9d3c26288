import { asyncScheduler, filter, map, tap, type Observable, type SchedulerLike } from 'rxjs';
import type { PodEvent } from '../model/events.js';
import { projectPod, type AnnotationNames, type ProjectedPod } from '../model/pod.js';
import type { Logger } from '../logger.js';
import type { KubeEvent, SourceHooks } from './kube-event.js';
import { listAndWatch$, type ListAndWatchOptions } from './list-and-watch.js';
import type { ClusterAccess } from './load-kube-config.js';
import { mergeNamespaces } from './merge-namespaces.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './reconnect-with-backoff.js';

/** Settings of the live source; the scheduler, randomness and backoff are injectable for tests. */
export interface KubeSourceOptions {
  readonly access: ClusterAccess;
  /** Namespaces to watch; empty for all. */
  readonly namespaces: readonly string[];
  /** The label selector as the API reads it, e.g. `microservice=true`. */
  readonly labelSelector: string;
  readonly names: AnnotationNames;
  readonly watchTimeoutSeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly logger: Logger;
  readonly backoff?: BackoffOptions;
  /** Clock of the backoff and the idle watchdog (not of the pipeline's windows). */
  readonly scheduler?: SchedulerLike;
  readonly random?: () => number;
  readonly hooks?: SourceHooks;
  /** Sees every event, objects untouched, right before it is projected (the recorder taps here). */
  readonly tapKubeEvent?: (event: KubeEvent) => void;
}

/** What a list+watch loop takes from a source's options, the same for pods and Secrets: all but the query. */
export function loopSettings(
  options: Omit<KubeSourceOptions, 'labelSelector' | 'names' | 'tapKubeEvent'>,
  logger: Logger,
): Omit<ListAndWatchOptions, 'query' | 'pageSize' | 'onFailure'> {
  return {
    access: options.access,
    watchTimeoutSeconds: options.watchTimeoutSeconds,
    idleTimeoutMs: options.idleTimeoutSeconds * 1000,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    scheduler: options.scheduler ?? asyncScheduler,
    logger,
    random: options.random,
    hooks: options.hooks,
  };
}

/**
 * Streams the cluster's matching pods as pod events: per namespace (or once for all) a list+watch loop that never
 * stops by itself, merged so that SYNC still means "the whole set", projected to what routing needs.
 *
 * ```
 * api:    list----ADDED--(watch lost)--ADDED--(410)--list--
 * result: SYNC----ADDED----------------ADDED---------SYNC--
 * ```
 */
export function kubePodEvents$(options: KubeSourceOptions): Observable<PodEvent> {
  const logger = options.logger.child({ component: 'kube-source' });
  const targets: readonly (string | null)[] =
    options.namespaces.length === 0 ? [null] : [...new Set(options.namespaces)];
  const sources = targets.map((namespace) => ({
    namespace: namespace ?? '',
    events$: listAndWatch$({
      ...loopSettings(options, logger),
      query: { namespace, labelSelector: options.labelSelector },
    }),
  }));
  const unreadable = (reason: string): void => void logger.warn('pod skipped: it cannot be read', { reason });
  return mergeNamespaces(sources).pipe(
    tap((event) => options.tapKubeEvent?.(event)),
    map((event) => projectKubeEvent(event, options.names, unreadable)),
    filter((event): event is PodEvent => event !== null),
  );
}

/** Projects a raw event onto a pod event; an unreadable pod is reported and left out (null for a lone one). */
export function projectKubeEvent(
  event: KubeEvent,
  names: AnnotationNames,
  unreadable: (reason: string) => void,
): PodEvent | null {
  if (event.type === 'SYNC') {
    const pods: ProjectedPod[] = [];
    for (const item of event.items) {
      const pod = projectPod(item, names);
      if (typeof pod === 'string') unreadable(pod);
      else pods.push(pod);
    }
    return { type: 'SYNC', pods };
  }
  const pod = projectPod(event.object, names);
  if (typeof pod === 'string') {
    unreadable(pod);
    return null;
  }
  return { type: event.type, pod };
}

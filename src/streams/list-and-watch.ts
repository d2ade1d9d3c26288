import {
  catchError,
  concat,
  defer,
  EMPTY,
  filter,
  map,
  tap,
  toArray,
  type MonoTypeOperatorFunction,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import type { Logger } from '../logger.js';
import { abortWhenIdle } from './abort-when-idle.js';
import { KubeApiError, statusMessage, type KubeOperation } from './kube-get.js';
import { objectMeta, type KubeEvent, type RestartCause, type SourceHooks } from './kube-event.js';
import { listPods$, queryUrl, type PodListPage, type PodQuery } from './list-pods.js';
import type { ClusterAccess } from './load-kube-config.js';
import { reconnectWithBackoff, type BackoffOptions } from './reconnect-with-backoff.js';
import { watchPods$, watchUrl, type WatchLine } from './watch-pods.js';

/** A list or watch that received nothing, not even a bookmark, for too long, and was aborted. */
export class IdleTimeoutError extends Error {
  override readonly name = 'IdleTimeoutError';

  /** Creates the error for the request that went silent. */
  constructor(
    readonly operation: KubeOperation,
    readonly url: string,
    idleMs: number,
  ) {
    super(`${operation} ${url} received nothing for ${idleMs} ms`);
  }
}

/** Everything one list+watch loop needs; the clock and randomness are injected for tests. */
export interface ListAndWatchOptions {
  readonly access: ClusterAccess;
  readonly query: PodQuery;
  readonly watchTimeoutSeconds: number;
  readonly idleTimeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly random?: () => number;
  readonly hooks?: SourceHooks;
  readonly pageSize?: number;
  /** Sees each failure before the retry (after it is logged). */
  readonly onFailure?: (error: unknown) => void;
}

/**
 * Lists pods (a SYNC), then watches from the list's resourceVersion, forever: a clean end resumes from the last
 * resourceVersion seen (bookmarks included), a 410 Gone (HTTP status or ERROR event) lists again, and any failure
 * or silence is logged and retried with backoff. Never completes or fails; unsubscribing aborts the request.
 *
 * ```
 * api:    list-----watch(a, b, end)--watch(c, 410)--list-----watch...
 * result: SYNC-----a--b--------------c--------------SYNC-----...
 * ```
 */
export function listAndWatch$(options: ListAndWatchOptions): Observable<KubeEvent> {
  const { query, scheduler, logger } = options;
  return defer(() => {
    const loop: Loop = {
      options,
      scope: query.namespace ?? 'all namespaces',
      resourceVersion: null,
      alive: () => options.hooks?.alive?.(scheduler.now()),
      restarted: (cause) => options.hooks?.restarted?.(cause, query.namespace ?? 'all'),
    };
    const ended$ = defer(() => {
      logger.debug('watch ended cleanly; resuming', { namespace: loop.scope, resourceVersion: loop.resourceVersion });
      loop.restarted('timeout');
      return EMPTY;
    });
    const cycle$ = concat(
      defer(() => (loop.resourceVersion === null ? relist$(loop) : EMPTY)),
      defer(() => watch$(loop)),
      ended$,
    ).pipe(
      catchError((error: unknown) => {
        const cause = causeOf(error);
        if (cause === 'gone') loop.resourceVersion = null;
        report(logger, loop.scope, cause, error);
        options.onFailure?.(error);
        loop.restarted(cause);
        return EMPTY;
      }),
    );
    // A watch that lived until its server-side timeout was as healthy as a watch gets, however short the timeout.
    const backoff = {
      ...options.backoff,
      resetAfterMs: Math.min(options.backoff.resetAfterMs, options.watchTimeoutSeconds * 1000),
    };
    return cycle$.pipe(
      reconnectWithBackoff<KubeEvent>(backoff, scheduler, options.random, {
        // The wait is said where it is decided: "retrying with backoff" alone left users guessing for how long.
        waiting: (delayMs, failures) =>
          delayMs === 0
            ? logger.debug('reconnecting', { namespace: loop.scope, delayMs, failures })
            : logger.info(`reconnecting in ${(delayMs / 1000).toFixed(1)} s`, {
                namespace: loop.scope,
                delayMs,
                failures,
              }),
      }),
    );
  });
}

/** The state of one loop: where to resume, and how to report. */
interface Loop {
  readonly options: ListAndWatchOptions;
  readonly scope: string;
  /** The last resourceVersion seen (list, event or bookmark); null when the next attempt must list. */
  resourceVersion: string | null;
  readonly alive: () => void;
  readonly restarted: (cause: RestartCause) => void;
}

function idle<T>(loop: Loop, operation: KubeOperation, url: string): MonoTypeOperatorFunction<T> {
  const { idleTimeoutMs, scheduler } = loop.options;
  return abortWhenIdle<T>(idleTimeoutMs, scheduler, () => new IdleTimeoutError(operation, url, idleTimeoutMs));
}

/** Lists every page and emits one SYNC, remembering the list's resourceVersion. */
function relist$(loop: Loop): Observable<KubeEvent> {
  const { access, query, pageSize, logger } = loop.options;
  const url = queryUrl(access.server, query, {});
  return listPods$(access, query, pageSize).pipe(
    idle<PodListPage>(loop, 'list', url),
    tap(loop.alive),
    toArray(),
    map((pages): KubeEvent => {
      const listed = pages[0]?.resourceVersion ?? '';
      const items = pages.flatMap((page) => page.items);
      loop.resourceVersion = listed;
      const resource = query.resource ?? 'pods';
      logger.info(`listed ${resource}`, { namespace: loop.scope, [resource]: items.length, resourceVersion: listed });
      return { type: 'SYNC', resourceVersion: listed, items };
    }),
  );
}

/** Watches from the last resourceVersion until the server ends the stream; ERROR events fail it. */
function watch$(loop: Loop): Observable<KubeEvent> {
  const { access, query, watchTimeoutSeconds } = loop.options;
  const request = { ...query, resourceVersion: loop.resourceVersion ?? '', timeoutSeconds: watchTimeoutSeconds };
  const url = watchUrl(access.server, request);
  return watchPods$(access, request, loop.alive).pipe(
    idle<WatchLine>(loop, 'watch', url),
    tap(loop.alive),
    map((line) => follow(loop, line, url)),
    filter((event): event is KubeEvent => event !== null),
  );
}

/** Tracks the resourceVersion of a watch line and returns the event it carries, if any. */
function follow(loop: Loop, line: WatchLine, url: string): KubeEvent | null {
  const seen = objectMeta(line.object).resourceVersion;
  switch (line.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      if (seen !== '') loop.resourceVersion = seen;
      return { type: line.type, object: line.object };
    case 'BOOKMARK':
      if (seen !== '') loop.resourceVersion = seen;
      return null;
    case 'ERROR': {
      const code = (line.object as { code?: unknown } | null)?.code;
      const detail = `ERROR event: ${statusMessage(line.object) ?? JSON.stringify(line.object)}`;
      throw new KubeApiError('watch', url, detail, { status: typeof code === 'number' ? code : null });
    }
    default:
      loop.options.logger.warn('watch event of unknown type ignored', { namespace: loop.scope, url, type: line.type });
      return null;
  }
}

function causeOf(error: unknown): RestartCause {
  if (error instanceof IdleTimeoutError) return 'idle';
  if (error instanceof KubeApiError && error.status === 410) return 'gone';
  return 'error';
}

function report(logger: Logger, scope: string, cause: RestartCause, error: unknown): void {
  if (error instanceof KubeApiError || error instanceof IdleTimeoutError) {
    const status = error instanceof KubeApiError ? error.status : null;
    const details = { namespace: scope, operation: error.operation, url: error.url, status, error: error.message };
    if (cause === 'gone') logger.info('resourceVersion expired (410 Gone); listing again', details);
    else if (cause === 'idle') logger.warn(`${error.operation} went silent; reconnecting`, details);
    else logger.warn(`${error.operation} failed; retrying with backoff`, details);
    return;
  }
  logger.error('source failed unexpectedly; retrying with backoff', {
    namespace: scope,
    error: String(error),
    stack: (error as Error)?.stack,
  });
}

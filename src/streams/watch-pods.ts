import { finished } from 'node:stream';
import { Observable } from 'rxjs';
import { KubeApiError, kubeGet } from './kube-get.js';
import type { ClusterAccess } from './load-kube-config.js';
import { queryUrl, type PodQuery } from './list-pods.js';

/** One line of a watch stream as the API sends it: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, object untouched. */
export interface WatchLine {
  readonly type: string;
  readonly object: unknown;
}

/** Where a watch starts and how long the server keeps it open. */
export interface WatchRequest extends PodQuery {
  readonly resourceVersion: string;
  readonly timeoutSeconds: number;
}

/** Returns the URL of a watch: from a resourceVersion, with bookmarks and a server-side timeout. */
export function watchUrl(server: string, request: WatchRequest): string {
  return queryUrl(server, request, {
    watch: 'true',
    resourceVersion: request.resourceVersion,
    allowWatchBookmarks: 'true',
    timeoutSeconds: String(request.timeoutSeconds),
  });
}

/**
 * Opens a watch and emits its lines. Completes when the server ends the stream cleanly (its timeout, or after an
 * ERROR line); fails with a KubeApiError on a non-200 status, a lost connection or a line that is not JSON (the
 * caller resumes from the last resourceVersion it saw, so nothing is lost). `connected` runs when the headers
 * arrive. Unsubscribing aborts the request, also before any response.
 *
 * ```
 * lines: ----a--b--(BOOKMARK)--c--|      (the server's timeoutSeconds)
 * ```
 */
export function watchPods$(
  access: ClusterAccess,
  request: WatchRequest,
  connected: () => void = () => {},
): Observable<WatchLine> {
  return new Observable<WatchLine>((subscriber) => {
    const abort = new AbortController();
    const url = watchUrl(access.server, request);
    const fail = (detail: string, cause?: unknown): void => {
      if (!subscriber.closed) subscriber.error(new KubeApiError('watch', url, detail, { status: 200, cause }));
    };
    kubeGet(access, url, 'watch', abort.signal).then(
      (response) => {
        if (subscriber.closed) return void response.destroy();
        connected();
        let partial = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const text of lines) {
            if (subscriber.closed) return;
            if (text.trim() === '') continue;
            const line = parseWatchLine(text);
            if (typeof line === 'string') return fail(line);
            subscriber.next(line);
          }
        });
        finished(response, (error) => {
          if (error) return fail(`the connection was lost: ${error.message}`, error);
          if (partial.trim() !== '') return fail('the stream ended inside a line');
          subscriber.complete();
        });
      },
      (error: unknown) => {
        if (!subscriber.closed) subscriber.error(error);
      },
    );
    return () => abort.abort();
  });
}

function parseWatchLine(text: string): WatchLine | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `a watch line is not JSON: ${(error as Error).message}`;
  }
  const { type, object } = (value ?? {}) as { type?: unknown; object?: unknown };
  if (typeof type !== 'string') return 'a watch line has no "type"';
  return { type, object };
}

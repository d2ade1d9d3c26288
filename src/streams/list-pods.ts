import { Observable } from 'rxjs';
import { collectionUrl, KubeApiError, kubeGet, readText, type KubeResource } from './kube-get.js';
import type { ClusterAccess } from './load-kube-config.js';

/** Which objects a list or watch asks for: one namespace or all, and the selectors as the API reads them. */
export interface PodQuery {
  readonly namespace: string | null;
  readonly labelSelector: string;
  /** The collection; pods unless said otherwise. */
  readonly resource?: KubeResource;
  /** A field selector such as `type=kubernetes.io/tls`; none when absent. */
  readonly fieldSelector?: string;
}

/** Returns the URL of a query's collection with more parameters. */
export function queryUrl(server: string, query: PodQuery, params: Readonly<Record<string, string>>): string {
  return collectionUrl(server, query.resource ?? 'pods', query.namespace, {
    labelSelector: query.labelSelector,
    fieldSelector: query.fieldSelector ?? '',
    ...params,
  });
}

/** One page of a pod list, objects untouched. */
export interface PodListPage {
  readonly items: readonly unknown[];
  /** The list's resourceVersion (every page of a paged list reports the first page's). */
  readonly resourceVersion: string;
}

/** Pods per page: big clusters list in pieces instead of one response of hundreds of megabytes. */
export const LIST_PAGE_SIZE = 500;

/**
 * Lists pods page by page (`limit`/`continue`), emitting each page as it arrives and completing after the last.
 * Fails with a KubeApiError (a 410 means the continue token expired: list again). Unsubscribing aborts the request.
 *
 * ```
 * pages: --p1--p2--p3|
 * ```
 */
export function listPods$(access: ClusterAccess, query: PodQuery, pageSize = LIST_PAGE_SIZE): Observable<PodListPage> {
  return new Observable<PodListPage>((subscriber) => {
    const abort = new AbortController();
    let url = queryUrl(access.server, query, {});
    const listAll = async (): Promise<void> => {
      let token = '';
      do {
        const params: Record<string, string> = { limit: String(pageSize) };
        if (token !== '') params['continue'] = token;
        url = queryUrl(access.server, query, params);
        const page = readPage(url, await readText(await kubeGet(access, url, 'list', abort.signal)));
        subscriber.next(page);
        token = page.continueToken;
      } while (token !== '' && !subscriber.closed);
      subscriber.complete();
    };
    listAll().catch((error: unknown) => {
      if (subscriber.closed) return;
      subscriber.error(
        error instanceof KubeApiError
          ? error
          : new KubeApiError('list', url, `reading the response: ${String(error)}`, { cause: error }),
      );
    });
    return () => abort.abort();
  });
}

function readPage(url: string, text: string): PodListPage & { readonly continueToken: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new KubeApiError('list', url, `the response is not JSON: ${(error as Error).message}`, { status: 200 });
  }
  const { items, metadata } = (body ?? {}) as {
    items?: unknown;
    metadata?: { resourceVersion?: unknown; continue?: unknown };
  };
  if (!Array.isArray(items))
    throw new KubeApiError('list', url, 'the response is not a list (no items array)', { status: 200 });
  const resourceVersion = metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string' || resourceVersion === '')
    throw new KubeApiError('list', url, 'the list has no metadata.resourceVersion', { status: 200 });
  const token = metadata?.continue;
  return { items, resourceVersion, continueToken: typeof token === 'string' ? token : '' };
}

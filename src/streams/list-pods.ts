import { Observable } from 'rxjs';
import { KubeApiError, kubeGet, podsUrl, readText } from './kube-get.js';
import type { ClusterAccess } from './load-kube-config.js';

/** Which pods a list or watch asks for: one namespace or all, and the label selector as the API reads it. */
export interface PodQuery {
  readonly namespace: string | null;
  readonly labelSelector: string;
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
    let url = podsUrl(access.server, query.namespace, { labelSelector: query.labelSelector });
    const listAll = async (): Promise<void> => {
      let token = '';
      do {
        const params: Record<string, string> = { labelSelector: query.labelSelector, limit: String(pageSize) };
        if (token !== '') params['continue'] = token;
        url = podsUrl(access.server, query.namespace, params);
        const page = readPage(url, await readText(await kubeGet(access, url, 'list', abort.signal)));
        subscriber.next(page);
        token = page.continueToken;
      } while (token !== '' && !subscriber.closed);
      subscriber.complete();
    };
    listAll().catch((error: unknown) => {
      if (subscriber.closed) return;
      subscriber.error(error instanceof KubeApiError ? error : new KubeApiError('list', url, null, `reading the response: ${String(error)}`, { cause: error }));
    });
    return () => abort.abort();
  });
}

function readPage(url: string, text: string): PodListPage & { readonly continueToken: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new KubeApiError('list', url, 200, `the response is not JSON: ${(error as Error).message}`);
  }
  const { items, metadata } = (body ?? {}) as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
  if (!Array.isArray(items)) throw new KubeApiError('list', url, 200, 'the response is not a PodList (no items array)');
  const resourceVersion = metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string' || resourceVersion === '') throw new KubeApiError('list', url, 200, 'the PodList has no metadata.resourceVersion');
  const token = metadata?.continue;
  return { items, resourceVersion, continueToken: typeof token === 'string' ? token : '' };
}

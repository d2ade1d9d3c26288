/** The list side of the pods API: `PodList` replies with label selection and `limit`/`continue` paging. */
import type { FakePod } from './fake-pods.js';
import type { JsonObject } from './json-patch.js';
import { statusReply, type Reply } from './http-replies.js';
import { matchesLabels, type LabelSelector } from './label-selector.js';
import type { PodStore } from './pod-store.js';

interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

function encodeToken(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): ContinueToken | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    const token = value as Partial<ContinueToken>;
    return typeof token.rv === 'number' && typeof token.start === 'string'
      ? { rv: token.rv, start: token.start }
      : undefined;
  } catch {
    return undefined;
  }
}

function keyOf(pod: FakePod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/**
 * Answers a list request with a `PodList` (items without kind/apiVersion). Paging follows the real protocol
 * (`limit`, opaque `continue`, `remainingItemCount`, every page reporting the first page's resourceVersion, 410 for a
 * token older than the compacted point) but later pages read the current state rather than a snapshot.
 */
export function listPodsReply(
  store: PodStore,
  query: URLSearchParams,
  namespace: string | undefined,
  selector: LabelSelector,
  resource: { readonly listKind: string; readonly fields: (object: JsonObject) => boolean } = {
    listKind: 'PodList',
    fields: () => true,
  },
): Reply {
  const limit = Number(query.get('limit') ?? '0');
  if (!Number.isInteger(limit) || limit < 0) return statusReply(400, `invalid limit: ${query.get('limit') ?? ''}`);
  const continueText = query.get('continue') ?? '';
  const token = continueText === '' ? undefined : decodeToken(continueText);
  if (continueText !== '' && token === undefined)
    return statusReply(400, 'continue key is not valid: incorrect encoded start resourceVersion');
  if (token !== undefined && token.rv < store.oldestResourceVersion) {
    return statusReply(
      410,
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      'Expired',
    );
  }
  const matching = store
    .list(namespace)
    .filter((pod) => matchesLabels(selector, pod.metadata.labels) && resource.fields(pod as unknown as JsonObject))
    .filter((pod) => token === undefined || keyOf(pod) > token.start);
  const resourceVersion = token?.rv ?? store.resourceVersion;
  const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
  let items = matching;
  if (limit > 0 && matching.length > limit) {
    items = matching.slice(0, limit);
    const last = items[items.length - 1];
    if (last !== undefined) metadata['continue'] = encodeToken({ rv: resourceVersion, start: keyOf(last) });
    metadata['remainingItemCount'] = matching.length - limit;
  }
  return { status: 200, body: { kind: resource.listKind, apiVersion: 'v1', metadata, items } };
}

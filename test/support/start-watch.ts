/** The start of a watch request: query validation, the backlog from `resourceVersion`, and 410 in either form. */
import type { ServerResponse } from 'node:http';
import { expiredStatus, parseBool, statusReply, type Reply } from './http-replies.js';
import { matchesLabels, type LabelSelector } from './label-selector.js';
import { ExpiredError, type PodStore } from './pod-store.js';
import {
  podWithTypeMeta,
  toWatchEvent,
  WatchConnection,
  type WatchedResource,
  type WatchEvent,
  type WatchOptions,
} from './watch-connection.js';

/** The server state a watch starts from. */
export interface WatchSettings {
  readonly store: PodStore;
  readonly selector: LabelSelector;
  readonly namespace: string | undefined;
  readonly bookmarkIntervalMs: number;
  readonly expiredForm: 'http' | 'event';
  /** Hold the request without sending a single byte. */
  readonly hang: boolean;
  /** What is watched (default Pod) and its field selector. */
  readonly resource?: WatchedResource;
}

/** How the watch reports back to the server that tracks connections. */
export interface WatchHooks {
  /** Sends a whole non-streaming reply (errors). */
  readonly reply: (answer: Reply) => void;
  /** Registers a streaming watch; called before its first byte so no change slips between backlog and live. */
  readonly opened: (watch: WatchConnection) => void;
  /** Registers a request held without an answer. */
  readonly held: () => void;
}

function parseTimeoutMs(text: string | null): number | undefined | Error {
  if (text === null || text === '') return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) return new Error(`invalid timeoutSeconds: ${text}`);
  return seconds === 0 ? undefined : seconds * 1000;
}

function backlogFor(settings: WatchSettings, resourceVersion: string): WatchEvent[] {
  const { store, selector, namespace, resource } = settings;
  if (resourceVersion === '' || resourceVersion === '0') {
    // Unset or "0" means "current state, then changes": the server sends synthetic ADDED events first.
    return store
      .list(namespace)
      .filter(
        (pod) =>
          matchesLabels(selector, pod.metadata.labels) && (resource === undefined || resource.fields(pod as never)),
      )
      .map((pod) => ({ type: 'ADDED', object: podWithTypeMeta(pod, resource?.kind) }));
  }
  return store
    .changesSince(Number(resourceVersion))
    .map((change) => toWatchEvent(change, selector, namespace, resource))
    .filter((event): event is WatchEvent => event !== undefined);
}

/**
 * Answers a watch request: 400 for a bad query, 410 (HTTP status or 200 plus one ERROR event) for a compacted
 * resourceVersion, otherwise a stream of the backlog then live changes, with bookmarks and a server-side timeout.
 */
export function startWatch(
  res: ServerResponse,
  query: URLSearchParams,
  settings: WatchSettings,
  hooks: WatchHooks,
): void {
  if (settings.hang) return hooks.held();
  const resourceVersion = query.get('resourceVersion') ?? '';
  if (resourceVersion !== '' && !/^\d+$/.test(resourceVersion)) {
    return hooks.reply(
      statusReply(400, `invalid resource version: strconv.ParseUint: parsing "${resourceVersion}": invalid syntax`),
    );
  }
  const timeoutMs = parseTimeoutMs(query.get('timeoutSeconds'));
  if (timeoutMs instanceof Error) return hooks.reply(statusReply(400, timeoutMs.message));
  let backlog: WatchEvent[];
  try {
    backlog = backlogFor(settings, resourceVersion);
  } catch (error) {
    if (!(error instanceof ExpiredError)) throw error;
    const status = expiredStatus(error.requested, error.oldest);
    if (settings.expiredForm === 'http') return hooks.reply({ status: 410, body: status });
    const refused = new WatchConnection(res, watchOptions(settings, undefined, false));
    hooks.opened(refused);
    refused.start([]);
    return refused.failWith(status);
  }
  const watch = new WatchConnection(
    res,
    watchOptions(settings, timeoutMs, parseBool(query.get('allowWatchBookmarks'))),
  );
  hooks.opened(watch);
  watch.start(backlog);
}

function watchOptions(settings: WatchSettings, timeoutMs: number | undefined, bookmarks: boolean): WatchOptions {
  return {
    selector: settings.selector,
    namespace: settings.namespace,
    bookmarkIntervalMs: bookmarks ? settings.bookmarkIntervalMs : undefined,
    timeoutMs,
    currentResourceVersion: () => settings.store.resourceVersion,
    resource: settings.resource,
  };
}

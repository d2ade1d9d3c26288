/**
 * One open watch: a chunked HTTP/1.1 response carrying one JSON event per line, filtered by label selector the way
 * the API server's cacher does (k8s.io/apiserver cache_watcher.go convertToWatchEvent).
 */
import type { ServerResponse } from 'node:http';
import type { FakePod } from './fake-pods.js';
import type { JsonObject } from './json-patch.js';
import { matchesLabels, type LabelSelector } from './label-selector.js';
import type { PodChange } from './pod-store.js';

/** A line of a watch stream. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: JsonObject;
}

/** What a watch filters on and how it behaves over time. */
export interface WatchOptions {
  readonly selector: LabelSelector;
  readonly namespace: string | undefined;
  /** Interval of BOOKMARK events; undefined when the client did not send `allowWatchBookmarks=true`. */
  readonly bookmarkIntervalMs: number | undefined;
  /** Server-side end of the watch (`timeoutSeconds`); undefined for none. */
  readonly timeoutMs: number | undefined;
  /** Returns the resourceVersion a BOOKMARK carries. */
  readonly currentResourceVersion: () => number;
  /** What is watched (default Pod), with its field selector (Secrets: `type=...`). */
  readonly resource?: WatchedResource;
}

/** The kind of object a watch streams, and its field selector. */
export interface WatchedResource {
  readonly kind: string;
  readonly fields: (object: JsonObject) => boolean;
}

/** Adds the type meta that watch event objects carry (list items do not). */
export function podWithTypeMeta(pod: FakePod, kind = 'Pod'): JsonObject {
  return { kind, apiVersion: 'v1', ...pod };
}

function passes(
  pod: FakePod | undefined,
  selector: LabelSelector,
  namespace: string | undefined,
  resource?: WatchedResource,
): boolean {
  return (
    pod !== undefined &&
    (namespace === undefined || pod.metadata.namespace === namespace) &&
    matchesLabels(selector, pod.metadata.labels) &&
    (resource === undefined || resource.fields(pod as unknown as JsonObject))
  );
}

/**
 * Converts a stored change into what one watcher sees: a pod that stops matching arrives as DELETED (carrying its
 * previous content at the change's resourceVersion), one that starts matching as ADDED, others not at all.
 */
export function toWatchEvent(
  change: PodChange,
  selector: LabelSelector,
  namespace?: string,
  resource?: WatchedResource,
): WatchEvent | undefined {
  const now = change.type !== 'DELETED' && passes(change.object, selector, namespace, resource);
  const before = passes(change.previous, selector, namespace, resource);
  const kind = resource?.kind ?? 'Pod';
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: podWithTypeMeta(change.object, kind) };
  if (!before || change.previous === undefined) return undefined;
  const previous = structuredClone(change.previous);
  previous.metadata.resourceVersion = String(change.resourceVersion);
  return { type: 'DELETED', object: podWithTypeMeta(previous, kind) };
}

/** Builds a BOOKMARK event as a v1.36 server sends it. */
export function bookmarkEvent(resourceVersion: number, kind = 'Pod'): WatchEvent {
  const metadata = { resourceVersion: String(resourceVersion) };
  return {
    type: 'BOOKMARK',
    object:
      kind === 'Pod'
        ? { kind, apiVersion: 'v1', metadata, spec: { containers: null }, status: {} }
        : { kind, apiVersion: 'v1', metadata },
  };
}

/** Streams events to one watch client; can be frozen (events queue up, nothing is written) and thawed. */
export class WatchConnection {
  private frozen = false;
  private endPending = false;
  private closed = false;
  private queued: string[] = [];
  private readonly timers: NodeJS.Timeout[] = [];

  /** Wraps the response of a watch request; timers stop when the response closes for any reason. */
  constructor(
    private readonly res: ServerResponse,
    private readonly options: WatchOptions,
  ) {
    res.on('close', () => {
      this.closed = true;
      for (const timer of this.timers) clearTimeout(timer);
    });
  }

  /** Tells whether the watch is frozen. */
  get isFrozen(): boolean {
    return this.frozen;
  }

  /** Sends the 200 headers at once (as the real server flushes them), the backlog, then arms bookmarks and timeout. */
  start(backlog: readonly WatchEvent[]): void {
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    this.res.flushHeaders();
    for (const event of backlog) this.send(event);
    const { bookmarkIntervalMs, timeoutMs } = this.options;
    if (bookmarkIntervalMs !== undefined) {
      this.timers.push(
        setInterval(() => {
          if (!this.frozen)
            this.send(bookmarkEvent(this.options.currentResourceVersion(), this.options.resource?.kind));
        }, bookmarkIntervalMs),
      );
    }
    if (timeoutMs !== undefined) this.timers.push(setTimeout(() => this.end(), timeoutMs));
  }

  /** Sends a stored change if this watcher's filter lets it through. */
  deliver(change: PodChange): void {
    const event = toWatchEvent(change, this.options.selector, this.options.namespace, this.options.resource);
    if (event !== undefined) this.send(event);
  }

  /** Sends one ERROR event with the given Status object and ends the stream cleanly (HTTP status stays 200). */
  failWith(status: JsonObject): void {
    this.send({ type: 'ERROR', object: status });
    this.end();
  }

  /** Ends the stream cleanly (the terminating zero-length chunk), or once thawed if frozen. */
  end(): void {
    if (this.closed) return;
    if (this.frozen) {
      this.endPending = true;
      return;
    }
    this.res.end();
  }

  /** Stops writing anything (events queue up, bookmarks and the timeout wait), as a stalled connection does. */
  freeze(): void {
    this.frozen = true;
  }

  /** Writes what queued up while frozen and resumes normal service. */
  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    const queued = this.queued;
    this.queued = [];
    for (const line of queued) this.res.write(line);
    if (this.endPending) this.end();
  }

  private send(event: WatchEvent): void {
    if (this.closed) return;
    const line = `${JSON.stringify(event)}\n`;
    if (this.frozen) this.queued.push(line);
    else this.res.write(line);
  }
}

// What the Kubernetes source emits before projection: the API's objects untouched, so the recorder can write them
// and a replay with other annotation settings still reads them.

/** A full list (SYNC) or one watch change, objects as the API sent them. */
export type KubeEvent =
  | { readonly type: 'SYNC'; readonly resourceVersion: string; readonly items: readonly unknown[] }
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: unknown };

/** Why a watch was started again: its clean end (server timeout), 410 Gone (relist), a failure, or silence. */
export type RestartCause = 'timeout' | 'gone' | 'error' | 'idle';

/** Observers of the source's health, for /healthz and metrics; all optional, times from the source's scheduler. */
export interface SourceHooks {
  /** Called on each successful list, watch (re)connect, event and bookmark: the watch is alive at `at`. */
  readonly alive?: (at: number) => void;
  /** Called each time a list or watch ends and is started again, with the cause; `scope` names the namespace or "all". */
  readonly restarted?: (cause: RestartCause, scope: string) => void;
}

/** Returns metadata.name, metadata.namespace, metadata.uid and metadata.resourceVersion of an object ('' if absent). */
export function objectMeta(object: unknown): {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly resourceVersion: string;
} {
  const metadata =
    typeof object === 'object' && object !== null ? (object as { metadata?: unknown }).metadata : undefined;
  const read = (key: string): string => {
    const value =
      typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' ? value : '';
  };
  return {
    name: read('name'),
    namespace: read('namespace'),
    uid: read('uid'),
    resourceVersion: read('resourceVersion'),
  };
}

/**
 * The fake API server's state: pods keyed by namespace/name, one monotonically increasing resourceVersion (like
 * etcd's revision, shared by every write), and a bounded, compactable history of changes that watches replay.
 */
import { randomUUID } from 'node:crypto';
import { applyMergePatch } from './json-patch.js';
import { kubeTime, podKey, type FakePod } from './fake-pods.js';

/** One stored change; `previous` is the object before it (the watch filter needs both, as the real cacher does). */
export interface PodChange {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resourceVersion: number;
  readonly object: FakePod;
  readonly previous?: FakePod;
}

/** A merge patch (RFC 7386) applied to a pod, or a function that edits a copy in place or returns a new pod. */
export type PodChangeSpec = Record<string, unknown> | ((pod: FakePod) => FakePod | void);

/** Reports a watch from a resourceVersion older than the compacted point (the API answers 410 Gone, reason Expired). */
export class ExpiredError extends Error {
  override readonly name = 'ExpiredError';

  /** Creates the error for `requested`, with `oldest` as the oldest resourceVersion still in history. */
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

/** Drops the type meta, as list items and stored objects have none. */
function withoutTypeMeta(pod: FakePod): FakePod {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = structuredClone(pod);
  return rest as FakePod;
}

/** Holds pods, their resourceVersions and the change history, and tells subscribers about each change. */
export class PodStore {
  private rv: number;
  private compactedRv: number;
  private history: PodChange[] = [];
  private readonly pods = new Map<string, FakePod>();
  private readonly listeners = new Set<(change: PodChange) => void>();

  /** Creates an empty store whose first write gets `startResourceVersion + 1`. */
  constructor(
    startResourceVersion: number,
    private readonly historyLimit = Number.POSITIVE_INFINITY,
  ) {
    this.rv = startResourceVersion;
    this.compactedRv = startResourceVersion;
  }

  /** Returns the latest resourceVersion (what a list reports). */
  get resourceVersion(): number {
    return this.rv;
  }

  /** Returns the oldest resourceVersion a watch may still start from. */
  get oldestResourceVersion(): number {
    return this.compactedRv;
  }

  /** Advances the resourceVersion for any write (events share the counter, as in etcd) and returns it. */
  nextResourceVersion(): number {
    this.rv += 1;
    return this.rv;
  }

  /** Registers a listener for every later change and returns the function that removes it. */
  subscribe(listener: (change: PodChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Returns a copy of one pod, or undefined. */
  get(namespace: string, name: string): FakePod | undefined {
    const pod = this.pods.get(podKey(namespace, name));
    return pod === undefined ? undefined : structuredClone(pod);
  }

  /** Returns copies of the pods (of one namespace if given) in etcd key order, namespace then name. */
  list(namespace?: string): FakePod[] {
    return [...this.pods.entries()]
      .filter(([, pod]) => namespace === undefined || pod.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, pod]) => structuredClone(pod));
  }

  /** Creates a pod (uid and creationTimestamp filled in if missing) and returns the stored copy. */
  add(input: FakePod): FakePod {
    const pod = withoutTypeMeta(input);
    const key = podKey(pod.metadata.namespace, pod.metadata.name);
    if (this.pods.has(key)) throw new Error(`pod ${key} already exists`);
    pod.metadata.uid ||= randomUUID();
    pod.metadata.creationTimestamp ||= kubeTime();
    return this.commit('ADDED', key, pod, undefined);
  }

  /** Changes a pod by merge patch or updater function and returns the stored copy. */
  modify(namespace: string, name: string, change: PodChangeSpec): FakePod {
    const key = podKey(namespace, name);
    const previous = this.pods.get(key);
    if (previous === undefined) throw new Error(`pod ${key} does not exist`);
    const draft = structuredClone(previous);
    const next = typeof change === 'function' ? (change(draft) ?? draft) : (applyMergePatch(draft, change) as FakePod);
    const pod = withoutTypeMeta(next);
    if (podKey(pod.metadata.namespace, pod.metadata.name) !== key || pod.metadata.uid !== previous.metadata.uid) {
      throw new Error(`modifying ${key} must keep its namespace, name and uid`);
    }
    return this.commit('MODIFIED', key, pod, previous);
  }

  /** Deletes a pod at once (as a grace-period-0 delete) and returns its last state. */
  delete(namespace: string, name: string): FakePod {
    const key = podKey(namespace, name);
    const previous = this.pods.get(key);
    if (previous === undefined) throw new Error(`pod ${key} does not exist`);
    return this.commit('DELETED', key, structuredClone(previous), previous);
  }

  /** Makes the stored pods equal to `pods`, recording each difference as a change (uids of kept pods stay). */
  replaceAll(pods: readonly FakePod[]): void {
    const wanted = new Map(pods.map((pod) => [podKey(pod.metadata.namespace, pod.metadata.name), pod]));
    for (const [key, current] of [...this.pods]) {
      const next = wanted.get(key);
      const { namespace, name, uid } = current.metadata;
      if (next === undefined) this.delete(namespace, name);
      else this.modify(namespace, name, () => ({ ...next, metadata: { ...next.metadata, uid } }));
      wanted.delete(key);
    }
    for (const pod of wanted.values()) this.add(pod);
  }

  /**
   * Returns the changes after `resourceVersion`, or throws {@link ExpiredError} if some of them were compacted away.
   * A resourceVersion from the future yields no backlog (the watch then only sees live changes).
   */
  changesSince(resourceVersion: number): PodChange[] {
    if (resourceVersion < this.compactedRv) throw new ExpiredError(resourceVersion, this.compactedRv);
    return this.history.filter((c) => c.resourceVersion > resourceVersion);
  }

  /** Forgets history up to `resourceVersion` (default: all of it) so older watches get 410. */
  compact(resourceVersion = this.rv): void {
    this.compactedRv = Math.max(this.compactedRv, Math.min(resourceVersion, this.rv));
    this.history = this.history.filter((c) => c.resourceVersion > this.compactedRv);
  }

  /**
   * Starts a new history (as after an etcd restore): the resourceVersion jumps by `jump`, every pod (the given ones,
   * or the current ones) is stored at a fresh resourceVersion without a change event, and all history is compacted.
   */
  resetHistory(pods: readonly FakePod[] = this.list(), jump = 1000): void {
    this.rv += jump;
    this.pods.clear();
    for (const input of pods) {
      const pod = withoutTypeMeta(input);
      pod.metadata.resourceVersion = String(this.nextResourceVersion());
      this.pods.set(podKey(pod.metadata.namespace, pod.metadata.name), pod);
    }
    this.history = [];
    this.compactedRv = this.rv;
  }

  private commit(type: PodChange['type'], key: string, pod: FakePod, previous: FakePod | undefined): FakePod {
    const resourceVersion = this.nextResourceVersion();
    pod.metadata.resourceVersion = String(resourceVersion);
    if (type === 'DELETED') this.pods.delete(key);
    else this.pods.set(key, pod);
    const change: PodChange =
      previous === undefined
        ? { type, resourceVersion, object: structuredClone(pod) }
        : { type, resourceVersion, object: structuredClone(pod), previous: structuredClone(previous) };
    this.history.push(change);
    if (this.history.length > this.historyLimit)
      this.compact(this.history[this.history.length - this.historyLimit - 1]?.resourceVersion);
    for (const listener of this.listeners) listener(change);
    return structuredClone(pod);
  }
}

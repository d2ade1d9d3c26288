/**
 * A protocol-faithful fake Kubernetes API server for tests: real HTTP on 127.0.0.1, pods and Secrets list and chunked
 * watch with label (and, for Secrets, field) selectors and resourceVersions, 410 Expired in both forms, events,
 * request recording and fault injection (faults hit pod and Secret requests alike).
 *
 * How `@kubernetes/client-node` 1.4 `new Watch(kc).watch(path, query, callback, done)` reports things (read from
 * dist/watch.js and node-fetch 2.7.0, each point checked by fake-api-server.test.ts):
 * - `watch()` resolves to its AbortController only after the response headers arrive. If the server accepts the
 *   request and sends no bytes, the promise stays pending: no controller to abort, no callback, no done(), and no
 *   client timeout at all (the source builds a 30 s `AbortSignal.timeout` and then overwrites it; the agent has no
 *   socket timeout). It ends only when the socket closes: done(FetchError 'request to … failed, reason: socket hang
 *   up', code ECONNRESET). An idle watchdog cannot abort such a watch; it has to abandon it (ignore late callbacks).
 * - A non-200 status (410, 500, …): done(err) with `err.message` the status text ('Gone', 'Internal Server Error')
 *   and `err.statusCode` the status. The Status body is not read. `watch()` then resolves to an aborted controller.
 * - Connection refused (server down): done(FetchError) with `code: 'ECONNREFUSED'`, `type: 'system'`.
 * - A clean end of the stream (server-side `timeoutSeconds`, or the end after an ERROR event): done(null).
 * - The socket destroyed mid-stream (dropConnections, restart): done(Error 'Premature close', code
 *   'ERR_STREAM_PREMATURE_CLOSE'). The caller aborting the returned controller: done(AbortError 'The user aborted a
 *   request.', `type: 'aborted'`), not done(null). done() is called at most once and aborts the request itself.
 * - ERROR events (410 Expired served as HTTP 200) arrive as callback('ERROR', statusObject, line), then the stream
 *   ends and done(null) follows: the 410 is visible only in the callback, so remember it before done runs.
 *   BOOKMARK events arrive the same way, as callback('BOOKMARK', {kind, apiVersion, metadata: {resourceVersion}}).
 * - Exceptions thrown by the callback are swallowed with unparsable lines (one try/catch): a throwing callback loses
 *   events silently.
 * - An `http:` server needs `skipTLSVerify: true` in the cluster, or `watch()` rejects with 'HTTP protocol is not
 *   allowed when skipTLSVerify is not set or false' and done() is never called (the same for list calls).
 * - CoreV1Api list errors reject with `ApiException` (`code` = status, `body` = the raw Status text); a refused
 *   connection rejects with a FetchError whose `code` is 'ECONNREFUSED'.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EventStore, type RecordedEvent } from './fake-events.js';
import type { FakePod } from './fake-pods.js';
import { parseBool, sendReply, statusReply, type Reply } from './http-replies.js';
import { FieldSelectorError, parseFieldSelector, type FieldSelector } from './field-selector.js';
import { LabelSelectorError, parseLabelSelector, type LabelSelector } from './label-selector.js';
import { listPodsReply } from './pod-list.js';
import { PodStore, type PodChangeSpec } from './pod-store.js';
import { startWatch, type WatchSettings } from './start-watch.js';
import type { WatchConnection } from './watch-connection.js';

/** How a watch from a compacted resourceVersion is refused: HTTP 410, or HTTP 200 with one ERROR event. */
export type ExpiredForm = 'http' | 'event';

/** The kind of an API request, for recording and for targeting faults. */
export type RequestKind = 'list' | 'watch' | 'events' | 'other';

/** One request as it arrived; `status` is filled in when the response starts (undefined while hung). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly kind: RequestKind;
  readonly at: number;
  status?: number;
}

/** Settings of a fake server. */
export interface FakeApiServerOptions {
  /** Interval of BOOKMARK events on watches that allow them (default 1000; real servers send about one a minute). */
  readonly bookmarkIntervalMs?: number;
  /** ResourceVersion before the first write (default 1000). */
  readonly startResourceVersion?: number;
  /** Changes kept for watches; older ones are compacted away (default unbounded). */
  readonly historyLimit?: number;
  /** Form of 410 answers (default 'event', what a server answering from its watch cache does). */
  readonly expiredForm?: ExpiredForm;
}

/** What {@link FakeApiServer.restart} does besides closing every connection. */
export interface RestartOptions {
  /** Start a new history: resourceVersions jump, every old one answers 410 (default false). */
  readonly newHistory?: boolean;
  /** Pods after the restart; without newHistory the differences are recorded as changes (default: keep). */
  readonly pods?: readonly FakePod[];
  /** Time the listener stays closed, refusing connections (default 0). */
  readonly downMs?: number;
  readonly expiredForm?: ExpiredForm;
}

interface FailureFault {
  remaining: number;
  readonly until: number;
  readonly status: number;
  readonly only: RequestKind | 'any';
}

const EVENT_PATH = /^\/(?:api\/v1|apis\/events\.k8s\.io\/v1)\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/;
const POD_PATH = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods(?:\/([^/]+))?$/;
const SECRET_PATH = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?secrets(?:\/([^/]+))?$/;

/** A Secret as the fake server stores it (type and data as the API has them: data values base64). */
export interface FakeSecret {
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    creationTimestamp?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  type: string;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** Serves the pods and events APIs on an ephemeral loopback port and lets tests mutate state and inject faults. */
export class FakeApiServer {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<WatchConnection>();
  private readonly secretWatches = new Set<WatchConnection>();
  private readonly hung = new Set<ServerResponse>();
  private readonly recorded: RecordedRequest[] = [];
  private readonly store: PodStore;
  // Secrets live in a store of their own, sharing nothing but the server (each store counts its own versions).
  private readonly secretStore: PodStore;
  private readonly eventStore: EventStore;
  private expiredForm: ExpiredForm;
  private hangNew = false;
  private failure: FailureFault | undefined;
  private port = 0;
  private stopped = false;

  private secretsForbidden = false;
  private heldGets: (() => void)[] | null = null;

  private constructor(private readonly options: FakeApiServerOptions) {
    this.store = new PodStore(options.startResourceVersion ?? 1000, options.historyLimit);
    this.eventStore = new EventStore(() => this.store.nextResourceVersion());
    this.expiredForm = options.expiredForm ?? 'event';
    this.secretStore = new PodStore(options.startResourceVersion ?? 1000, options.historyLimit);
    this.store.subscribe((change) => {
      for (const watch of this.watches) if (!this.secretWatches.has(watch)) watch.deliver(change);
    });
    this.secretStore.subscribe((change) => {
      for (const watch of this.secretWatches) watch.deliver(change);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a server on 127.0.0.1 with an ephemeral port. */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const fake = new FakeApiServer(options);
    await fake.listen();
    return fake;
  }

  /** Returns the base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Returns the latest resourceVersion as the API reports it. */
  get resourceVersion(): string {
    return String(this.store.resourceVersion);
  }

  /** Returns every request received so far, in arrival order. */
  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  /** Returns every accepted event POST and PATCH. */
  get events(): readonly RecordedEvent[] {
    return this.eventStore.recorded;
  }

  /** Returns how many watches are streaming (frozen ones included, hung ones not). */
  get openWatchCount(): number {
    return this.watches.size;
  }

  /** Returns how many watch requests are held without any response bytes. */
  get hungWatchCount(): number {
    return this.hung.size;
  }

  /** Creates a pod (emits ADDED) and returns the stored copy with its resourceVersion. */
  addPod(pod: FakePod): FakePod {
    return this.store.add(pod);
  }

  /** Changes a pod by merge patch or updater (emits MODIFIED, or DELETED/ADDED to watchers whose selector flips). */
  modifyPod(namespace: string, name: string, change: PodChangeSpec): FakePod {
    return this.store.modify(namespace, name, change);
  }

  /** Deletes a pod immediately (emits DELETED) and returns its last state. */
  deletePod(namespace: string, name: string): FakePod {
    return this.store.delete(namespace, name);
  }

  /** Returns a copy of a stored pod, or undefined. */
  getPod(namespace: string, name: string): FakePod | undefined {
    return this.store.get(namespace, name);
  }

  /** Creates a Secret (emits ADDED to Secret watches) and returns the stored copy. */
  addSecret(secret: FakeSecret): FakeSecret {
    return this.secretStore.add(secret as never) as unknown as FakeSecret;
  }

  /** Replaces a Secret's type and data (emits MODIFIED) and returns the stored copy. */
  modifySecret(namespace: string, name: string, change: Partial<Pick<FakeSecret, 'type' | 'data'>>): FakeSecret {
    return this.secretStore.modify(
      namespace,
      name,
      (secret) => ({ ...secret, ...change }) as never,
    ) as unknown as FakeSecret;
  }

  /** Deletes a Secret (emits DELETED). */
  deleteSecret(namespace: string, name: string): FakeSecret {
    return this.secretStore.delete(namespace, name) as unknown as FakeSecret;
  }

  /** Forgets history up to a resourceVersion (default: all), so watches from older ones get 410; pods and Secrets. */
  compact(options: { readonly resourceVersion?: number | string; readonly expiredForm?: ExpiredForm } = {}): void {
    if (options.expiredForm !== undefined) this.expiredForm = options.expiredForm;
    this.store.compact(options.resourceVersion === undefined ? undefined : Number(options.resourceVersion));
    this.secretStore.compact(options.resourceVersion === undefined ? undefined : Number(options.resourceVersion));
  }

  /** Forgets the Secrets' history only, so Secret watches get 410 and pod watches go on. */
  compactSecrets(): void {
    this.secretStore.compact();
  }

  /** Chooses how later 410 answers are sent. */
  setExpiredForm(form: ExpiredForm): void {
    this.expiredForm = form;
  }

  /** Destroys every open socket (lists, watches, hung requests, idle keep-alive); the listener stays up. */
  /** Holds the answers of Secret GETs (read when they arrive) until the returned function sends them. */
  holdSecretGets(): () => void {
    const held: (() => void)[] = [];
    this.heldGets = held;
    return () => {
      this.heldGets = null;
      for (const send of held) send();
    };
  }

  /** Answers every Secret request 403 Forbidden while on, as a cluster whose RBAC grants no access to Secrets. */
  forbidSecrets(on: boolean): void {
    this.secretsForbidden = on;
  }

  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * Hangs watches: with scope 'new' later watch requests get no bytes at all (they stay hung even after turning it
   * off), with 'existing' current watches stop writing (events queue; turning it off flushes them). Default 'all'.
   */
  hangWatches(on: boolean, scope: 'new' | 'existing' | 'all' = 'all'): void {
    if (scope !== 'existing') this.hangNew = on;
    if (scope === 'new') return;
    for (const watch of this.watches) {
      if (on) watch.freeze();
      else watch.thaw();
    }
  }

  /** Answers the next `limit` requests (or all for `{ forMs }`) of a kind with a `Status` error (default 500). */
  failRequests(limit: number | { readonly forMs: number }, status = 500, only: RequestKind | 'any' = 'any'): void {
    this.failure =
      typeof limit === 'number'
        ? { remaining: limit, until: 0, status, only }
        : { remaining: 0, until: Date.now() + limit.forMs, status, only };
  }

  /** Closes every connection and the listener, optionally starts a new history, and listens again on the same port. */
  async restart(options: RestartOptions = {}): Promise<void> {
    await this.close();
    if (options.expiredForm !== undefined) this.expiredForm = options.expiredForm;
    if (options.newHistory === true) {
      this.store.resetHistory(options.pods);
      this.secretStore.resetHistory();
    } else if (options.pods !== undefined) this.store.replaceAll(options.pods);
    if ((options.downMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, options.downMs));
    if (!this.stopped) await this.listen();
  }

  /** Closes the listener and every socket; safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.close();
  }

  /** Resolves with the first recorded request that satisfies `predicate`, waiting up to `timeoutMs` for it. */
  async waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 2000): Promise<RecordedRequest> {
    let found: RecordedRequest | undefined;
    await waitUntil(() => (found = this.recorded.find(predicate)) !== undefined, timeoutMs, 'a matching request');
    return found as RecordedRequest;
  }

  /** Resolves once at least `count` watches are streaming (or held, when hung), waiting up to `timeoutMs`. */
  async waitForWatches(count: number, timeoutMs = 2000): Promise<void> {
    await waitUntil(() => this.watches.size + this.hung.size >= count, timeoutMs, `${count} open watches`);
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async close(): Promise<void> {
    const closed = this.server.listening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    this.dropConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const secretMatch = SECRET_PATH.exec(url.pathname);
    const podMatch = POD_PATH.exec(url.pathname) ?? secretMatch;
    const eventMatch = EVENT_PATH.exec(url.pathname);
    const watching = podMatch !== null && podMatch[2] === undefined && parseBool(url.searchParams.get('watch'));
    const kind: RequestKind =
      podMatch !== null ? (watching ? 'watch' : 'list') : eventMatch !== null ? 'events' : 'other';
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      kind,
      at: Date.now(),
    };
    this.recorded.push(record);
    const reply = (answer: Reply): void => {
      record.status = answer.status;
      sendReply(res, answer);
    };
    try {
      const failWith = this.failureFor(kind);
      if (failWith !== undefined)
        return reply(
          statusReply(failWith, failWith === 500 ? 'Internal error occurred: injected fault' : 'injected fault'),
        );
      if (secretMatch !== null && this.secretsForbidden)
        return reply(
          statusReply(
            403,
            'secrets is forbidden: User "system:serviceaccount:ingress:k8s-pods-ingress" cannot list resource "secrets" in API group "" at the cluster scope',
          ),
        );
      if (secretMatch !== null) return this.handleCollection('Secret', req, res, url, secretMatch, record, reply);
      if (podMatch !== null) return this.handleCollection('Pod', req, res, url, podMatch, record, reply);
      if (eventMatch !== null) return reply(await this.eventStore.handle(req, eventMatch[1] ?? '', eventMatch[2]));
      reply(statusReply(404, 'the server could not find the requested resource'));
    } catch (error) {
      if (!res.headersSent) reply(statusReply(500, `Internal error occurred: ${(error as Error).message}`));
    }
  }

  private failureFor(kind: RequestKind): number | undefined {
    const fault = this.failure;
    if (fault === undefined || (fault.only !== 'any' && fault.only !== kind)) return undefined;
    if (Date.now() < fault.until) return fault.status;
    if (fault.remaining <= 0) return undefined;
    fault.remaining -= 1;
    return fault.status;
  }

  /**
   * Serves GET on pods or Secrets: one object by name, a list (label and field selectors, paged), or a watch. What
   * differs between the two is the collection's store and kind; Secret GETs can also be held (holdSecretGets).
   */
  private handleCollection(
    kind: 'Pod' | 'Secret',
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    match: RegExpExecArray,
    record: RecordedRequest,
    reply: (answer: Reply) => void,
  ): void {
    if (req.method !== 'GET')
      return reply(statusReply(405, `the server does not allow this method on the requested resource`));
    const store = kind === 'Pod' ? this.store : this.secretStore;
    const [, namespace, name] = match;
    if (name !== undefined) {
      const object = store.get(namespace ?? '', name);
      const answer: Reply =
        object === undefined
          ? statusReply(404, `${kind === 'Pod' ? 'pods' : 'secrets'} "${name}" not found`)
          : { status: 200, body: { kind, apiVersion: 'v1', ...object } };
      // Read now, sent when released: the answer of a GET that was slow while the Secret changed.
      if (kind === 'Secret' && this.heldGets !== null) return void this.heldGets.push(() => reply(answer));
      return reply(answer);
    }
    let selector: LabelSelector;
    let fields: FieldSelector;
    try {
      selector = parseLabelSelector(url.searchParams.get('labelSelector'));
      fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
    } catch (error) {
      if (error instanceof LabelSelectorError || error instanceof FieldSelectorError)
        return reply(statusReply(400, error.message));
      throw error;
    }
    if (record.kind === 'list')
      return reply(listPodsReply(store, url.searchParams, namespace, selector, { listKind: `${kind}List`, fields }));
    const settings: WatchSettings = {
      store,
      selector,
      namespace,
      bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 1000,
      expiredForm: this.expiredForm,
      hang: this.hangNew,
      resource: { kind, fields },
    };
    startWatch(res, url.searchParams, settings, {
      reply,
      opened: (watch) => {
        record.status = 200;
        this.watches.add(watch);
        if (kind === 'Secret') this.secretWatches.add(watch);
        res.on('close', () => {
          this.watches.delete(watch);
          this.secretWatches.delete(watch);
        });
      },
      held: () => {
        this.hung.add(res);
        res.on('close', () => this.hung.delete(res));
      },
    });
  }
}

function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() >= deadline) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

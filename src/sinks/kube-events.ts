// Posts a Kubernetes Event on each pod whose routing annotations were rejected, so `kubectl describe pod` tells its
// owner why. Off the pipeline's path: report() only queues; a slow or failing API server costs Events, never configs.
import { hostname } from 'node:os';
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import type { Issue } from '../model/issue.js';
import { eventBody, eventKey, subjectOf } from './kube-events-body.js';
import { TaskQueue } from './kube-events-queue.js';

/** What became of one Event: created, already there (same problem posted before), failed, or dropped (queue full). */
export type KubeEventResult = 'created' | 'exists' | 'failed' | 'dropped';

/** The part of CoreV1Api the poster uses (tests may pass a fake). */
export interface EventsApi {
  createNamespacedEvent(param: { readonly namespace: string; readonly body: CoreV1Event }): Promise<unknown>;
}

/** Tuning and observers of the poster; every field but `logger` has a default. */
export interface KubeEventsOptions {
  readonly logger: Logger;
  /** reportingInstance of the Events (default: the host name, which in a pod is the pod name). */
  readonly instance?: string;
  /** Requests in flight at once (default 2). */
  readonly maxConcurrent?: number;
  /** Events waiting beyond those in flight; more are dropped and counted (default 500). */
  readonly maxQueued?: number;
  /** How long a posted problem is remembered and not posted again (default 1 h, the API's default Event TTL). */
  readonly rememberMs?: number;
  /** Problems remembered at most; the oldest are forgotten first (default 10,000). */
  readonly maxRemembered?: number;
  readonly now?: () => number;
  /** Told the result of every Event, for metrics. */
  readonly onResult?: (result: KubeEventResult) => void;
}

/** Creates a poster that writes through the API server and credentials of `config`. */
export function kubeEventsFor(config: KubeConfig, options: KubeEventsOptions): KubeEvents {
  return new KubeEvents(config.makeApiClient(CoreV1Api), options);
}

/** Posts one Warning Event per distinct problem of each pod, through a bounded queue; never throws. */
export class KubeEvents {
  private readonly queue: TaskQueue;
  // Key -> when it may be posted again. A Map iterates in insertion order, so the first key is the oldest.
  private readonly remembered = new Map<string, number>();
  private readonly now: () => number;
  private readonly instance: string;
  private stopped = false;
  private dropping = false;

  /** Creates a poster writing through `api`. */
  constructor(
    private readonly api: EventsApi,
    private readonly options: KubeEventsOptions,
  ) {
    this.queue = new TaskQueue(options.maxConcurrent ?? 2, options.maxQueued ?? 500);
    this.now = options.now ?? Date.now;
    this.instance = options.instance ?? hostname();
  }

  /** Queues an Event for each issue not posted before; `uidOf` finds the pod's uid by `namespace/name`. */
  report(added: readonly Issue[], uidOf: (pod: string) => string | undefined = () => undefined): void {
    if (this.stopped) return;
    for (const issue of added) {
      const subject = subjectOf(issue, uidOf(issue.pod));
      const key = eventKey(issue, subject);
      const at = this.now();
      if (this.isRemembered(key, at)) continue;
      this.remember(key, at);
      const body = eventBody(issue, subject, key, this.instance, at);
      if (this.queue.push(() => this.post(key, body))) {
        this.dropping = false;
        continue;
      }
      this.remembered.delete(key);
      this.outcome('dropped');
      // One line per burst of drops, not one per Event.
      if (!this.dropping)
        this.options.logger.warn('Kubernetes Event dropped: too many waiting', { pod: issue.pod, reason: body.reason });
      this.dropping = true;
    }
  }

  /** Resolves once every queued Event has been posted or has failed. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops posting: drops what waits (counted), ignores later reports, and resolves when requests in flight end. */
  stop(): Promise<void> {
    this.stopped = true;
    const dropped = this.queue.clear();
    for (let i = 0; i < dropped; i++) this.outcome('dropped');
    return this.queue.idle();
  }

  private async post(key: string, body: CoreV1Event): Promise<void> {
    const pod = `${body.involvedObject.namespace ?? ''}/${body.involvedObject.name ?? ''}`;
    try {
      await this.api.createNamespacedEvent({ namespace: body.metadata.namespace ?? '', body });
      this.outcome('created');
      this.options.logger.debug('Kubernetes Event posted', { pod, reason: body.reason, event: body.metadata.name });
    } catch (error) {
      if (statusOf(error) === 409) {
        // Same name, same problem: posted by another replica or before a restart.
        this.outcome('exists');
        return;
      }
      this.remembered.delete(key);
      this.outcome('failed');
      this.options.logger.warn('Kubernetes Event not posted', {
        pod,
        reason: body.reason,
        error: describeApiError(error),
      });
    }
  }

  private isRemembered(key: string, at: number): boolean {
    const until = this.remembered.get(key);
    if (until === undefined) return false;
    if (until > at) return true;
    this.remembered.delete(key);
    return false;
  }

  private remember(key: string, at: number): void {
    this.remembered.set(key, at + (this.options.rememberMs ?? 3_600_000));
    const max = this.options.maxRemembered ?? 10_000;
    for (const oldest of this.remembered.keys()) {
      if (this.remembered.size <= max) break;
      this.remembered.delete(oldest);
    }
  }

  private outcome(result: KubeEventResult): void {
    this.options.onResult?.(result);
  }
}

function statusOf(error: unknown): number | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

// An ApiException's message holds the whole response, headers included; keep the status and the API's own words.
function describeApiError(error: unknown): string {
  const status = statusOf(error);
  if (status === null) return error instanceof Error ? error.message : String(error);
  const body = (error as { body?: unknown }).body;
  let detail = typeof body === 'string' ? body : '';
  try {
    const message = (JSON.parse(detail) as { message?: unknown }).message;
    if (typeof message === 'string') detail = message;
  } catch {
    // Not a Status object: keep the raw text.
  }
  return `HTTP ${status}${detail === '' ? '' : `: ${detail.slice(0, 300)}`}`;
}

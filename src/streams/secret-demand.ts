// Which TLS Secrets pods reference, fed back from the pipeline to the Secret source: the source keeps key material
// only for those, and fetches (GET) a Secret whose key it had let go once a pod references it again.
import { Subject, type Observable } from 'rxjs';
import type { Logger } from '../logger.js';
import type { SecretChange } from '../model/events.js';
import { referencedSecrets, type RoutingState } from '../model/routing-state.js';
import { collectionUrl, KubeApiError, kubeGet, readText } from './kube-get.js';
import type { ClusterAccess } from './load-kube-config.js';
import { projectSecret } from './project-secret.js';

const RETRY_MS = 5_000;

/** The referenced Secrets as the pipeline last saw them, and the fetches of withheld ones. */
export class SecretDemand {
  private referenced: ReadonlySet<string> | null = null;
  private readonly fetching = new Set<string>();
  /** Secrets being fetched of which the watch brought a version since: the fetch's answer may be older. */
  private readonly superseded = new Set<string>();
  private readonly fetched$ = new Subject<SecretChange>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Creates the demand; `keep` names Secrets whose keys are kept regardless (the default Secret). */
  constructor(
    private readonly access: ClusterAccess,
    private readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly keep: readonly string[] = [],
  ) {}

  /** The Secrets fetched because a pod came to reference them, as SECRET_MODIFIED events with their material. */
  get events$(): Observable<SecretChange> {
    return this.fetched$.asObservable();
  }

  /** Tells whether to keep a Secret's key: referenced, or before the first state (nothing is known yet). */
  wants(key: string): boolean {
    return this.referenced === null || this.referenced.has(key);
  }

  /** Reads the references of a new state, and fetches every referenced Secret whose key was let go. */
  update(state: RoutingState): void {
    this.referenced = referencedSecrets(state.pods, this.keep);
    for (const key of this.referenced) {
      const entry = state.tls?.secrets.get(key);
      if (entry?.secret.withheld === true && !this.fetching.has(key)) void this.fetch(key);
    }
  }

  /**
   * Notes that the watch (or a list) brought a version of a Secret, in the order the pipeline sees events: a fetch
   * of it in flight is then dropped, since its answer may have been read before that version.
   */
  saw(key: string): void {
    if (this.fetching.has(key)) this.superseded.add(key);
  }

  /** Notes a full list: it is at least as new as every fetch in flight, whether it holds their Secrets or not. */
  sawAll(): void {
    for (const key of this.fetching) this.superseded.add(key);
  }

  /** Stops fetching and emitting fetched Secrets. */
  close(): void {
    this.closed = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.fetched$.complete();
  }

  private async fetch(key: string): Promise<void> {
    this.fetching.add(key);
    const [namespace, name] = key.split('/') as [string, string];
    const url = `${collectionUrl(this.access.server, 'secrets', namespace, {})}/${encodeURIComponent(name)}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 30_000);
    try {
      const text = await readText(await kubeGet(this.access, url, 'get', abort.signal), this.maxBytes * 2 + 65_536);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        // JSON.parse's own message quotes the text, which holds the key: never pass it on.
        throw new Error('the answer is not a JSON Secret');
      }
      const secret = projectSecret(body, this.maxBytes);
      if (typeof secret === 'string') throw new Error(secret);
      this.logger.debug('fetched a TLS Secret a pod now references', { secret: key });
      if (this.superseded.has(key))
        this.logger.debug('fetched TLS Secret dropped: the watch brought a version since', { secret: key });
      else if (!this.closed) this.fetched$.next({ type: 'SECRET_MODIFIED', secret });
    } catch (error) {
      // A 404 is a Secret deleted meanwhile: the watch says so. Anything else is tried again on the next state.
      const status = error instanceof KubeApiError ? error.status : null;
      if (status !== 404) {
        this.logger.warn('cannot fetch a TLS Secret a pod now references; trying again', {
          secret: key,
          status,
          error: error instanceof Error ? error.message : 'unknown error',
        });
        this.retry(key);
      }
    } finally {
      clearTimeout(timer);
      this.fetching.delete(key);
      this.superseded.delete(key);
    }
  }

  private retry(key: string): void {
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      if (!this.closed && this.referenced?.has(key) === true && !this.fetching.has(key)) void this.fetch(key);
    }, RETRY_MS);
    timer.unref();
    this.retries.add(timer);
  }
}

// The one place that turns what the source, the pipeline and the sink report into health state, metrics and the
// Kubernetes Events reporter. The commands hand `hooks` to the pipeline, `source` to the live source, and call
// `applied` and `nginxUp` from the sink.
import type { Issue } from '../model/issue.js';
import type { RoutingState } from '../model/routing-state.js';
import type { PipelineHooks } from '../pipeline.js';
import { ApplyLatency } from './apply-latency.js';
import { productKey, type ApplyReport } from './apply-report.js';
import type { Metrics } from './metrics.js';
import type { Status } from './status.js';
import type { StatusHolder } from '../status/status-holder.js';

/** Something that acts on newly rejected annotations, such as the Kubernetes Events poster. */
export interface IssueReporter {
  report(added: readonly Issue[], uidOf: (pod: string) => string | undefined): void;
}

/** Where the observations go, and the clock they are stamped with. */
export interface ObserveOptions {
  readonly status: Status;
  readonly metrics: Metrics;
  /** The pipeline's clock (ms since the epoch): event arrivals and applies must be read from the same one. */
  readonly now: () => number;
  /** Told about newly rejected annotations, with a lookup of the pod's uid. */
  readonly issues?: IssueReporter;
  /** Keeps the state behind the config in force, for /status and the status page. */
  readonly routing?: StatusHolder;
}

/** The observers to hand to each part of the controller. */
export interface PipelineObserver {
  /** For `configsFrom` (through `pipelineOptions(..., extra)`). */
  readonly hooks: PipelineHooks;
  /** For the live source's SourceHooks. */
  readonly source: {
    readonly alive: (atMs: number) => void;
    readonly restarted: (cause: string, scope: string) => void;
  };
  /** Call with each outcome of the sink (every sink: nginx, stdout, file), at the time it happened. */
  applied(report: ApplyReport, atMs?: number): void;
  /** Call when nginx starts or stops running. */
  nginxUp(up: boolean, reason?: string): void;
  /** Call for each membership snapshot pushed to nginx (counted in the status as `pushes`). */
  pushed(): void;
}

/** Creates the observers that feed health, readiness, metrics and the issue reporter from one pipeline run. */
export function observePipeline(options: ObserveOptions): PipelineObserver {
  const { status, metrics, now, routing } = options;
  const latency = new ApplyLatency();
  let state: RoutingState | null = null;
  const uidOf = (pod: string): string | undefined => {
    const uid = state?.pods.get(pod)?.pod.uid;
    return uid === '' ? undefined : uid;
  };
  const hooks: PipelineHooks = {
    event: (event, atMs) => {
      metrics.podEvent(event.type);
      latency.arrived(atMs);
    },
    batch: (events) => {
      metrics.batch();
      latency.batched(events.length);
    },
    state: (next) => {
      if (next.tls !== undefined && next.tls !== state?.tls) metrics.certificates(certificateExpiries(next));
      state = next;
      routing?.state(next);
      latency.stateChanged();
    },
    rendered: (config) => {
      metrics.configRendered(latency.rendered(productKey(config)));
      routing?.rendered(config.hash);
      metrics.currentIssues(config.issues);
    },
    renderFailed: () => metrics.renderFailed(),
    issues: (added) => {
      metrics.issuesAdded(added);
      options.issues?.report(added, uidOf);
    },
  };
  return {
    hooks,
    source: {
      alive: (atMs) => {
        status.watchAlive(atMs);
        metrics.watchAlive(atMs);
      },
      restarted: (cause) => metrics.watchRestarted(cause),
    },
    applied: (report, atMs = now()) => {
      metrics.applied(report, atMs);
      routing?.applied(report, atMs);
      if (report.type === 'failed') return;
      status.applied(report.config.hash, atMs);
      const ms = latency.applied(productKey(report.config), atMs);
      if (ms !== null && (report.type === 'applied' || report.type === 'pushed')) metrics.eventToApplied(ms);
    },
    nginxUp: (up, reason) => {
      status.nginxUp(up, reason);
      metrics.nginxUp(up);
    },
    pushed: () => routing?.pushed(),
  };
}

function* certificateExpiries(state: RoutingState): Iterable<{ namespace: string; name: string; notAfter: number }> {
  for (const entry of state.tls?.secrets.values() ?? []) {
    const certificate = (entry.inForce ?? entry.secret).certificate;
    if (certificate !== null) yield { namespace: entry.secret.namespace, name: entry.secret.name, notAfter: certificate.notAfter };
  }
}

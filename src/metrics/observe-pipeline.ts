// The one place where what the pipeline, the source and the sinks report becomes log lines, health state, metrics
// and Kubernetes Events. Every command builds one Observer and hands out its parts: `pipeline` to configsFrom,
// `source` to the live source, `sink` to whichever sink it runs, `nginx` to the nginx supervisor.
import type { Logger } from '../logger.js';
import { productKey, type ApplyReport } from '../model/apply-report.js';
import type { Issue } from '../model/issue.js';
import type { RoutingState } from '../model/routing-state.js';
import type { PipelineHooks } from '../pipeline.js';
import type { NginxHealth } from '../sinks/nginx-supervisor.js';
import type { SourceHooks } from '../streams/kube-event.js';
import { ApplyLatency } from './apply-latency.js';
import type { Metrics } from './metrics.js';
import { nginxDownReason, type Status } from './status.js';
import type { StatusHolder } from '../status/status-holder.js';

/** Something that acts on newly rejected annotations, such as the Kubernetes Events poster. */
export interface IssueReporter {
  report(added: readonly Issue[], uidOf: (pod: string) => string | undefined): void;
}

/** What the live source reports: every one of its SourceHooks. */
export type SourceObserver = Required<SourceHooks>;

/** What every sink reports. */
export interface SinkObserver {
  /** Each outcome (nginx, stdout, file), at the time it happened (default: now). */
  readonly applied: (report: ApplyReport, atMs?: number) => void;
  /** Each membership snapshot pushed to nginx (counted in the status as `pushes`). */
  readonly pushed: () => void;
}

/** What the nginx supervisor reports. */
export interface NginxObserver {
  /** Each change of the supervisor's state. */
  readonly health: (health: Pick<NginxHealth, 'state' | 'lastExit'>) => void;
}

/** Every observer of one run, typed by the part of the controller that calls it. */
export interface Observer {
  readonly pipeline: PipelineHooks;
  readonly source: SourceObserver;
  readonly sink: SinkObserver;
  readonly nginx: NginxObserver;
}

/** Where the observations go; only the logger and the clock are needed (replay and record have no endpoints). */
export interface ObserveOptions {
  /** Rejected annotations are logged here once per change (warn), refused renders (error). */
  readonly logger: Logger;
  /** Log rejected annotations (default true); false when the output shows them already (replay --status, --explain). */
  readonly logIssues?: boolean;
  /** The pipeline's clock (ms since the epoch): event arrivals and applies must be read from the same one. */
  readonly now: () => number;
  /** Health and readiness, for /healthz and /readyz. */
  readonly status?: Status;
  /** Prometheus metrics, including the event-to-applied latency and the certificates' expiry. */
  readonly metrics?: Metrics;
  /** Told about newly rejected annotations, with a lookup of the pod's uid. */
  readonly issues?: IssueReporter;
  /** Keeps the state behind the config in force, for /status, the status page and replay --status. */
  readonly routing?: StatusHolder;
  /** Called after the observers above: counters (replay --stats) and tests. */
  readonly extra?: { readonly pipeline?: PipelineHooks; readonly source?: SourceHooks };
}

/** Builds the observer of one run from what should hear about it. */
export function observePipeline(options: ObserveOptions): Observer {
  const { status, metrics, now, routing } = options;
  const latency = metrics === undefined ? null : new ApplyLatency();
  const pipeline = merged<PipelineHooks>(
    logHooks(options.logger, options.logIssues ?? true),
    metrics === undefined || latency === null ? {} : metricHooks(metrics, latency),
    options.issues === undefined ? {} : reporterHooks(options.issues),
    routing === undefined ? {} : routingHooks(routing),
    options.extra?.pipeline ?? {},
  );
  const source = merged<SourceHooks>(
    status === undefined ? {} : { alive: (atMs) => status.watchAlive(atMs) },
    metrics === undefined
      ? {}
      : { alive: (atMs) => metrics.watchAlive(atMs), restarted: (cause) => metrics.watchRestarted(cause) },
    options.extra?.source ?? {},
  );
  const applied = (report: ApplyReport, atMs = now()): void => {
    metrics?.applied(report, atMs);
    routing?.applied(report, atMs);
    if (report.type === 'failed') return;
    status?.applied(report.config.hash, atMs);
    // Keyed by both products: a window that changed only the members is served once they are pushed.
    const ms = latency?.applied(productKey(report.config), atMs) ?? null;
    if (ms !== null && (report.type === 'applied' || report.type === 'pushed')) metrics?.eventToApplied(ms);
  };
  const health = (nginx: Pick<NginxHealth, 'state' | 'lastExit'>): void => {
    const reason = nginxDownReason(nginx);
    status?.nginxUp(reason === undefined, reason);
    metrics?.nginxUp(reason === undefined);
  };
  return {
    pipeline,
    source: { alive: source.alive ?? noop, restarted: source.restarted ?? noop },
    sink: { applied, pushed: () => routing?.pushed() },
    nginx: { health },
  };
}

function logHooks(logger: Logger, logIssues: boolean): PipelineHooks {
  let hasConfig = false;
  return {
    ...(logIssues
      ? {
          issues: (added: readonly Issue[]) => {
            for (const issue of added)
              logger.warn(issue.code.includes('tls') ? 'TLS not served as asked' : 'routing annotation rejected', {
                pod: issue.pod,
                code: issue.code,
                reason: issue.message,
              });
          },
        }
      : {}),
    rendered: () => {
      hasConfig = true;
    },
    renderFailed: (error) =>
      logger.error(
        hasConfig
          ? 'config not rendered; the previous config stays in force'
          : 'config not rendered; there is no config yet',
        { error: String(error) },
      ),
  };
}

function metricHooks(metrics: Metrics, latency: ApplyLatency): PipelineHooks {
  let tls: RoutingState['tls'] = undefined;
  return {
    event: (event, atMs) => {
      metrics.podEvent(event.type);
      latency.arrived(atMs);
    },
    batch: (events) => {
      metrics.batch();
      latency.batched(events.length);
    },
    state: (next) => {
      if (next.tls !== undefined && next.tls !== tls) metrics.certificates(certificateExpiries(next));
      tls = next.tls;
      latency.stateChanged();
    },
    rendered: (config) => {
      metrics.configRendered(latency.rendered(productKey(config)));
      metrics.currentIssues(config.issues);
    },
    renderFailed: () => metrics.renderFailed(),
    issues: (added) => metrics.issuesAdded(added),
  };
}

function* certificateExpiries(state: RoutingState): Iterable<{ namespace: string; name: string; notAfter: number }> {
  for (const entry of state.tls?.secrets.values() ?? []) {
    const certificate = (entry.inForce ?? entry.secret).certificate;
    if (certificate !== null)
      yield { namespace: entry.secret.namespace, name: entry.secret.name, notAfter: certificate.notAfter };
  }
}

function routingHooks(routing: StatusHolder): PipelineHooks {
  return {
    state: (next) => routing.state(next),
    rendered: (config) => routing.rendered(config.hash),
  };
}

function reporterHooks(reporter: IssueReporter): PipelineHooks {
  let state: RoutingState | null = null;
  const uidOf = (pod: string): string | undefined => {
    const uid = state?.pods.get(pod)?.pod.uid;
    return uid === '' ? undefined : uid;
  };
  return {
    state: (next) => {
      state = next;
    },
    issues: (added) => reporter.report(added, uidOf),
  };
}

/**
 * Joins sets of callbacks key by key, calling each set's in the order given. A key only one set has keeps that
 * very function, and a key none has stays absent, so an unobserved stage costs nothing (replay's hot path).
 */
function merged<T extends object>(...sets: readonly Partial<T>[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(sets.flatMap((set) => Object.keys(set)))) {
    const calls = sets
      .map((set) => (set as Record<string, unknown>)[key])
      .filter((f): f is (...args: unknown[]) => void => typeof f === 'function');
    out[key] =
      calls.length === 1
        ? calls[0]
        : (...args: unknown[]) => {
            for (const call of calls) call(...args);
          };
  }
  return out as Partial<T>;
}

function noop(): void {}

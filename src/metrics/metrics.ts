// Every metric the controller exports, in its own registry (not prom-client's global one, so that tests and
// several controllers in one process never collide), behind named recording methods.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApplyReport, ConfigSummary } from '../model/apply-report.js';
import type { Issue, IssueCode } from '../model/issue.js';

/** The prefix of every metric of the controller (process_* and nodejs_* keep their conventional names). */
export const METRIC_PREFIX = 'k8s_pods_ingress_';

/** Results of a Kubernetes Event post: created, already there (same name), failed, dropped from a full queue. */
export type KubeEventResult = 'created' | 'exists' | 'failed' | 'dropped';

// Listed as an object so the compiler checks it names every code: each gets a series at 0 from the start.
const CODES = {
  'invalid-host': true,
  'invalid-path': true,
  'invalid-port': true,
  'invalid-entry': true,
  'duplicate-entry': true,
  'conflicting-port': true,
  'missing-annotation': true,
  'too-many-entries': true,
  'annotation-too-large': true,
  'host-conflict': true,
  'route-conflict': true,
  'invalid-pod': true,
  'invalid-tls-secret': true,
  'tls-secret-missing': true,
  'tls-secret-wrong-type': true,
  'tls-secret-invalid': true,
  'tls-key-mismatch': true,
  'tls-secret-too-large': true,
  'tls-certificate-expired': true,
  'tls-certificate-not-yet-valid': true,
  'tls-host-not-covered': true,
  'tls-host-is-ip': true,
  'tls-secret-conflict': true,
} satisfies Record<IssueCode, true>;
const ISSUE_CODES = Object.keys(CODES) as IssueCode[];
const EVENT_TYPES = [
  'ADDED',
  'MODIFIED',
  'DELETED',
  'SYNC',
  'SECRET_ADDED',
  'SECRET_MODIFIED',
  'SECRET_DELETED',
  'SECRET_SYNC',
];
const TLS_CODES = ISSUE_CODES.filter((code) => code.startsWith('tls-') || code === 'invalid-tls-secret');
const RESTART_CAUSES = ['timeout', 'gone', 'error', 'idle'];
const KUBE_EVENT_RESULTS: readonly KubeEventResult[] = ['created', 'exists', 'failed', 'dropped'];

/** Options of the registry. */
export interface MetricsOptions {
  /** Also export prom-client's process_* and nodejs_* metrics (default true). */
  readonly defaultMetrics?: boolean;
}

/** The controller's Prometheus metrics; each method records one kind of happening. */
export class Metrics {
  /** The registry holding every metric below. */
  readonly registry = new Registry();
  private readonly podEvents = this.counter('pod_events_total', 'Pod events received from the source, by type.', [
    'type',
  ]);
  private readonly batches = this.counter(
    'batches_total',
    'Non-empty batches of pod events folded into the routing state.',
  );
  private readonly rendered = this.counter('configs_rendered_total', 'nginx configs rendered.');
  private readonly unchanged = this.counter(
    'configs_unchanged_total',
    'Rendered configs skipped because their text equals the previous one.',
  );
  private readonly renderFailures = this.counter(
    'render_failures_total',
    'Routing states the renderer refused (the previous config stays).',
  );
  private readonly applies = this.counter(
    'config_applies_total',
    'Attempts to put a config in force, by result (success, failure, unchanged).',
    ['result'],
  );
  private readonly reloads = this.counter('nginx_reloads_total', 'nginx reloads, by result (success, failure).', [
    'result',
  ]);
  private readonly lastSuccess = this.gauge(
    'last_apply_success',
    'Whether the last apply put its config in force (1) or failed (0).',
  );
  private readonly lastTimestamp = this.gauge(
    'last_apply_timestamp_seconds',
    'Unix time of the last apply, successful or not.',
  );
  private readonly applyDuration = this.histogram(
    'apply_duration_seconds',
    'Time to put a config in force (write, nginx -t, reload), by result.',
    ['result'],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  private readonly latency = this.histogram(
    'event_to_applied_seconds',
    'Time from the arrival of the earliest pod event a config contains to that config being in force.',
    [],
    [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120, 300],
  );
  private readonly routes = this.gauge('routes', 'Routes (host, path) in the config in force.');
  private readonly backends = this.gauge('backends', 'Backends (pod x route) in the config in force.');
  private readonly configInfo = this.gauge(
    'config_info',
    'The config in force, by the sha256 of its text (always 1).',
    ['sha256'],
  );
  private readonly issuesNow = this.gauge(
    'rejected_entries',
    'Annotation entries and claims currently rejected, by reason (the issue code).',
    ['reason'],
  );
  private readonly issuesReported = this.counter(
    'rejected_entries_reported_total',
    'Rejections reported (logged, posted as Events) when they first appeared, by reason.',
    ['reason'],
  );
  private readonly restarts = this.counter(
    'watch_restarts_total',
    'Lists and watches started again, by cause (timeout, gone, error, idle).',
    ['cause'],
  );
  private readonly lastAlive = this.gauge(
    'watch_last_alive_timestamp_seconds',
    'Unix time the watch last showed life (event, bookmark, list or connect).',
  );
  private readonly nginx = this.gauge('nginx_up', 'Whether nginx is running (1) or not (0).');
  private readonly certificateExpiry = this.gauge(
    'tls_certificate_expiry_timestamp_seconds',
    'Unix time the certificate in force (else the current one) of each TLS Secret expires.',
    ['namespace', 'name'],
  );
  private readonly certificateProblems = this.gauge(
    'tls_certificate_problems',
    'TLS problems now (Secret missing, broken, expired, not covering a host, ...), by reason (the issue code).',
    ['reason'],
  );
  private readonly pushes = this.counter(
    'members_pushes_total',
    'Membership snapshots pushed to nginx, by result (success, refused, no-memory, unreachable).',
    ['result'],
  );
  private readonly pushDuration = this.histogram(
    'members_push_duration_seconds',
    'Time from sending a membership snapshot to nginx confirming its version.',
    [],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  );
  private readonly loads = this.counter(
    'nginx_config_loads_total',
    'Times nginx read a config, by reason (start, restart, structure: a reload for a structural change).',
    ['reason'],
  );
  private readonly oldWorkers = this.gauge(
    'nginx_old_worker_processes',
    'nginx worker processes of older generations still alive (shutting down after a reload).',
  );
  private readonly kubeEvents = this.counter(
    'kube_events_total',
    'Kubernetes Events about rejected annotations, by result (created, exists, failed, dropped).',
    ['result'],
  );

  /** Creates the metrics, every labelled series that is known in advance at 0. */
  constructor(options: MetricsOptions = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    for (const type of EVENT_TYPES) this.podEvents.inc({ type }, 0);
    for (const result of ['success', 'failure', 'unchanged']) this.applies.inc({ result }, 0);
    for (const result of ['success', 'failure']) this.reloads.inc({ result }, 0);
    for (const reason of ISSUE_CODES) this.issuesReported.inc({ reason }, 0);
    for (const cause of RESTART_CAUSES) this.restarts.inc({ cause }, 0);
    for (const result of KUBE_EVENT_RESULTS) this.kubeEvents.inc({ result }, 0);
    for (const result of ['success', 'refused', 'no-memory', 'unreachable']) this.pushes.inc({ result }, 0);
    for (const reason of ['start', 'restart', 'structure']) this.loads.inc({ reason }, 0);
    this.currentIssues([]);
  }

  /** Returns the content type of the exposition text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Returns the exposition text of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Counts one pod event. */
  podEvent(type: string): void {
    this.podEvents.inc({ type });
  }

  /** Counts one batch. */
  batch(): void {
    this.batches.inc();
  }

  /** Counts a rendered config; `unchanged` when it equals the previous one and will be skipped. */
  configRendered(unchanged: boolean): void {
    this.rendered.inc();
    if (unchanged) this.unchanged.inc();
  }

  /** Counts a state the renderer refused. */
  renderFailed(): void {
    this.renderFailures.inc();
  }

  /** Sets the gauge of current rejections from every issue of the latest config. */
  currentIssues(all: readonly Issue[]): void {
    const counts = new Map<string, number>(ISSUE_CODES.map((code) => [code, 0]));
    for (const issue of all) counts.set(issue.code, (counts.get(issue.code) ?? 0) + 1);
    for (const [reason, count] of counts) this.issuesNow.set({ reason }, count);
    for (const reason of TLS_CODES) this.certificateProblems.set({ reason }, counts.get(reason) ?? 0);
  }

  /** Sets the expiry gauge from the TLS Secrets of a state (public facts only: names and notAfter). */
  certificates(
    secrets: Iterable<{ readonly namespace: string; readonly name: string; readonly notAfter: number }>,
  ): void {
    this.certificateExpiry.reset();
    for (const { namespace, name, notAfter } of secrets)
      this.certificateExpiry.set({ namespace, name }, notAfter / 1000);
  }

  /** Counts rejections reported for the first time. */
  issuesAdded(added: readonly Issue[]): void {
    for (const issue of added) this.issuesReported.inc({ reason: issue.code });
  }

  /** Records the outcome of an apply at `atMs` (ms since the epoch). */
  applied(report: ApplyReport, atMs: number): void {
    this.lastTimestamp.set(atMs / 1000);
    if (report.type === 'failed') {
      this.applies.inc({ result: 'failure' });
      this.lastSuccess.set(0);
      this.applyDuration.observe({ result: 'failure' }, report.durationMs / 1000);
      if (report.stage === 'reload') this.reloads.inc({ result: 'failure' });
      return;
    }
    this.lastSuccess.set(1);
    this.inForce(report.config);
    if (report.type === 'unchanged') {
      this.applies.inc({ result: 'unchanged' });
      return;
    }
    this.applies.inc({ result: 'success' });
    this.applyDuration.observe({ result: 'success' }, report.durationMs / 1000);
    if (report.type === 'applied' && report.action === 'reloaded') this.reloads.inc({ result: 'success' });
  }

  /** Observes the time from an event's arrival to the config containing it being in force. */
  eventToApplied(ms: number): void {
    this.latency.observe(ms / 1000);
  }

  /** Counts a restarted list or watch. */
  watchRestarted(cause: string): void {
    this.restarts.inc({ cause });
  }

  /** Records a sign of life of the watch at `atMs`. */
  watchAlive(atMs: number): void {
    this.lastAlive.set(atMs / 1000);
  }

  /** Records whether nginx runs. */
  nginxUp(up: boolean): void {
    this.nginx.set(up ? 1 : 0);
  }

  /** Counts a membership push by its result; a success also observes how long nginx took to confirm it. */
  membersPushed(result: string, durationMs: number): void {
    this.pushes.inc({ result });
    if (result === 'success') this.pushDuration.observe(durationMs / 1000);
  }

  /** Counts nginx reading a config (start, restart, structure). */
  nginxLoaded(reason: string): void {
    this.loads.inc({ reason });
  }

  /** Reads the count of old worker processes on every scrape from `count`. */
  countOldWorkers(count: () => number): void {
    const gauge = this.oldWorkers as unknown as { collect?: () => void };
    gauge.collect = () => this.oldWorkers.set(count());
  }

  /** Counts one Kubernetes Event post by its result. */
  kubeEvent(result: KubeEventResult): void {
    this.kubeEvents.inc({ result });
  }

  private inForce(config: ConfigSummary): void {
    this.routes.set(config.routes);
    this.backends.set(config.backends);
    this.configInfo.reset();
    this.configInfo.set({ sha256: config.hash }, 1);
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name: METRIC_PREFIX + name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name: METRIC_PREFIX + name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L> {
    return new Histogram({ name: METRIC_PREFIX + name, help, labelNames, buckets, registers: [this.registry] });
  }
}

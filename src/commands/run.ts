import {
  concat,
  connect,
  defer,
  EMPTY,
  endWith,
  finalize,
  from,
  identity,
  ignoreElements,
  merge,
  of,
  share,
  take,
  takeUntil,
  tap,
  type Observable,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { endpointServer$ } from '../http/endpoint-server.js';
import type { Logger } from '../logger.js';
import type { ApplyReport } from '../model/apply-report.js';
import { Metrics } from '../metrics/metrics.js';
import { observePipeline, type Observer } from '../metrics/observe-pipeline.js';
import { defaultWatchSilenceLimitMs, Status } from '../metrics/status.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import { configsFrom, type PipelineHooks } from '../pipeline.js';
import { StatusHolder } from '../status/status-holder.js';
import { SettingsError, type Settings } from '../settings.js';
import { settingsForLog } from '../settings-for-log.js';
import { fileSink, type FileOutcome } from '../sinks/file-sink.js';
import { TlsFiles, writeTlsFiles } from '../sinks/tls-files.js';
import { kubeEventsFor } from '../sinks/kube-events.js';
import { claimNginxConf } from '../sinks/nginx-paths.js';
import { printConfigs } from '../sinks/print-configs.js';
import type { EventRecorder } from '../sinks/record-events.js';
import type { SourceHooks } from '../streams/kube-event.js';
import { kubePodEvents$ } from '../streams/kube-pod-events.js';
import { LiveClock } from '../streams/live-clock.js';
import { isInCluster, loadKubeConfig, type ClusterAccess, type KubeEnvironment } from '../streams/load-kube-config.js';
import type { BackoffOptions } from '../streams/reconnect-with-backoff.js';
import { secretEvents$ } from './secret-source.js';
import { SecretDemand } from '../streams/secret-demand.js';
import type { SecretChange, SecretSync } from '../model/events.js';
import { listenAddresses } from './listen-addresses.js';
import { checkPortsFree } from './listen-check.js';
import { annotationNames, pipelineOptions } from './pipeline-options.js';
import { nginxSink } from './nginx-sink-setup.js';

/** Where the live commands write configs. */
export interface LiveIo {
  readonly stdout: { write(text: string): unknown };
}

/** What a live command (`run`, `record`) is started with. */
export interface LiveCommand {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly io: LiveIo;
  /** Emits when the command is to stop (SIGTERM, SIGINT). */
  readonly stop$: Observable<unknown>;
  readonly options?: LiveOptions;
}

/** Seams for tests; production uses the defaults. */
export interface LiveOptions {
  /** Clock of the pipeline's windows (default: a drift-free LiveClock, which the recorder also stamps with). */
  readonly clock?: SchedulerLike;
  /** Clock of the source's backoff and idle watchdog (default: asyncScheduler). */
  readonly sourceScheduler?: SchedulerLike;
  readonly backoff?: BackoffOptions;
  readonly hooks?: SourceHooks;
  readonly machine?: KubeEnvironment;
}

/** Where configs go: printed, written to NGINX_CONF, or served by a supervised nginx. */
export type Sink = OperatorFunction<RenderedConfig, unknown>;

/** The kinds of sink `--sink` names. */
export type SinkKind = 'nginx' | 'stdout' | 'file';

/**
 * Runs the live controller until `stop$` emits: list+watch the cluster, run the pipeline, send each new config to
 * the sink (`--sink`; default nginx inside a cluster, stdout outside), serve /healthz, /readyz, /metrics, /status and
 * the status page, post Kubernetes Events on rejected annotations, then emit exit status 0. On stop the watch is aborted, the window in
 * progress is still applied, readiness turns 503 and nginx quits gracefully.
 */
export function run$(command: LiveCommand): Observable<number> {
  const { settings, logger, io, stop$, options = {} } = command;
  const kind: SinkKind = settings.sink ?? (isInCluster(options.machine) ? 'nginx' : 'stdout');
  // A busy nginx port is a set-up error like any other: one line and exit 2, before anything starts.
  const ports = settings.tls ? [settings.port, settings.httpsPort] : [settings.port];
  const preflight$ =
    kind === 'nginx' ? defer(() => from(checkAllFree(listenAddresses(settings), ports))).pipe(ignoreElements()) : EMPTY;
  return concat(preflight$, startRun$(settings, kind, logger, io, stop$, options));
}

async function checkAllFree(addresses: readonly string[], ports: readonly number[]): Promise<void> {
  for (const port of ports) await checkPortsFree(addresses, port);
}

function startRun$(
  settings: Settings,
  kind: SinkKind,
  logger: Logger,
  io: LiveIo,
  stop$: Observable<unknown>,
  options: LiveOptions,
): Observable<number> {
  return defer(() => {
    const log = logger.child({ component: 'run' });
    log.info('starting', { command: 'run', sink: kind, settings: settingsForLog(settings, 'run') });
    const access = loadKubeConfig(settings.kubeHost, options.machine);
    const clock = options.clock ?? new LiveClock();
    const observed = observe(settings, { kind, access, clock, logger, hooks: options.hooks });
    const stopping$ = stop$.pipe(
      take(1),
      tap(() => {
        observed.status.shuttingDown();
        void observed.stopEvents();
      }),
      share(),
    );
    const sink = configSink(kind, { settings, logger, io, observer: observed.observer, metrics: observed.metrics });
    const live$ = liveConfigs$({
      settings,
      logger: log,
      stop$: stopping$,
      seams: options,
      clock,
      sink,
      observer: observed.observer,
      access,
    });
    const endpoints$ =
      settings.httpPort === 0
        ? EMPTY
        : endpointServer$({
            port: settings.httpPort,
            // Every interface in a cluster (the kubelet probes the pod IP), loopback elsewhere: metrics are not for the LAN.
            host: settings.httpAddress ?? (isInCluster(options.machine) ? null : '127.0.0.1'),
            status: observed.status,
            metrics: observed.metrics,
            routing: observed.routing,
            logger: logger.child({ component: 'http' }),
          });
    // The endpoints serve until the live run has finished (readiness says "shutting down" meanwhile).
    const run$ = live$.pipe(
      connect((shared$) => merge(shared$, endpoints$.pipe(ignoreElements(), takeUntil(shared$.pipe(endWith(0)))))),
    );
    return concat(run$, of(0));
  });
}

/** What `observe` needs besides the settings. */
interface ObserveWiring {
  readonly kind: SinkKind;
  readonly access: ClusterAccess;
  readonly clock: SchedulerLike;
  readonly logger: Logger;
  /** Told what the source reports, after health and metrics (tests). */
  readonly hooks: SourceHooks | undefined;
}

/** Health state, metrics and the Events poster of one run, and the observer that feeds them (and `hooks`). */
function observe(settings: Settings, { kind, access, clock, logger, hooks }: ObserveWiring) {
  const metrics = new Metrics();
  const silence = settings.healthWatchSilenceSeconds;
  const status = new Status({
    watchSilenceLimitMs: silence === null ? defaultWatchSilenceLimitMs(settings.idleTimeoutSeconds) : silence * 1000,
    nginx: kind === 'nginx',
    startedAtMs: clock.now(),
  });
  const events = settings.postEvents
    ? kubeEventsFor(access.config, {
        logger: logger.child({ component: 'kube-events' }),
        onResult: (result) => metrics.kubeEvent(result),
      })
    : null;
  const routing = new StatusHolder({ policy: settings.ownership, nginx: kind === 'nginx' });
  const observer = observePipeline({
    logger: logger.child({ component: 'run' }),
    now: () => clock.now(),
    status,
    metrics,
    routing,
    issues: events ?? undefined,
    extra: { source: hooks },
  });
  return { metrics, status, routing, observer, stopEvents: () => events?.stop() };
}

/** What a sink is built from besides its kind. */
export interface SinkWiring {
  readonly settings: Settings;
  readonly logger: Logger;
  /** Where the stdout sink prints. */
  readonly io: LiveIo;
  /** Told each outcome (readiness, metrics) and, for the nginx sink, each change of nginx's state. */
  readonly observer: Observer;
  /** The nginx sink's own metrics (members pushes, config loads, old workers). */
  readonly metrics?: Metrics;
}

/** Builds the sink a `--sink` value names; each outcome is reported to the observer (readiness, metrics). */
export function configSink(kind: SinkKind, { settings, logger, io, observer, metrics }: SinkWiring): Sink {
  const report = (outcome: ApplyReport): void => observer.sink.applied(outcome);
  switch (kind) {
    case 'stdout':
      return (configs$) =>
        configs$.pipe(
          printConfigs((text) => void io.stdout.write(text), { last: false, members: settings.backends === 'dynamic' }),
          tap((config) => report({ type: 'applied', config, durationMs: 0 })),
        );
    case 'file': {
      const claim = claimNginxConf(settings.nginxConf, settings.overwriteNginxConf);
      if (claim !== null) throw new SettingsError(claim);
      // An nginx run by something else would load the Lua balancer with no one to push it members: every route 503.
      if (settings.backends === 'dynamic') {
        throw new SettingsError(
          '--sink file writes nginx.conf for an nginx that something else runs, and nothing would push the members ' +
            'of --backends dynamic to it: add --backends static (or let the controller run nginx: --sink nginx)',
        );
      }
      const keys = tlsFiles(settings, logger);
      return (configs$) =>
        configs$.pipe(
          keys === null ? identity : writeTlsFiles(keys),
          fileSink(settings.nginxConf, logger.child({ component: 'file-sink' }), { afterWrite: settings.afterWrite }),
          tap((outcome) => (outcome.type === 'written' ? keys?.prune(outcome.config) : undefined)),
          tap((outcome) => report(fileReport(outcome))),
        );
    }
    case 'nginx': {
      const claim = claimNginxConf(settings.nginxConf, settings.overwriteNginxConf);
      if (claim !== null) throw new SettingsError(claim);
      const keys = tlsFiles(settings, logger);
      const sink = nginxSink(settings, logger, {
        report,
        // Old key files go only once nginx runs a config that no longer names them.
        applied: (config) => keys?.prune(config),
        health: observer.nginx.health,
        metrics,
      });
      return (configs$) => configs$.pipe(keys === null ? identity : writeTlsFiles(keys), sink);
    }
  }
}

// The stdout sink writes no key file: it prints the config, which names the files but holds no key.
function tlsFiles(settings: Settings, logger: Logger): TlsFiles | null {
  return settings.tls ? new TlsFiles(settings.nginxConf, logger.child({ component: 'tls-files' })) : null;
}

function fileReport(outcome: FileOutcome): ApplyReport {
  switch (outcome.type) {
    case 'written':
      return { type: 'applied', config: outcome.config, durationMs: 0 };
    case 'unchanged':
      return { type: 'unchanged', config: outcome.config };
    case 'failed':
      return { type: 'failed', config: outcome.config, durationMs: 0, stage: 'write' };
  }
}

/** One live run of the pipeline: what it reads, when it stops, where its configs go and who hears about it. */
export interface LiveRun {
  readonly settings: Settings;
  readonly logger: Logger;
  /** Ends the watch; the window in progress is still rendered and sent to the sink. */
  readonly stop$: Observable<unknown>;
  /** Clock of the pipeline's windows, and of the recorder's stamps. */
  readonly clock: SchedulerLike;
  readonly sink: Sink;
  readonly observer: Observer;
  /** The test seams of the source (its scheduler and backoff, the machine it looks at); `clock` above wins. */
  readonly seams: LiveOptions;
  /** Records every event the pipeline is fed (record). */
  readonly recorder?: EventRecorder;
  /** The cluster, if the command loaded it already (default: loaded from the settings). */
  readonly access?: ClusterAccess;
}

/**
 * Runs the live pipeline into the sink, completing (with no values) after `stop$` once the sink has finished; with
 * a recorder, writes START on subscription and every event the pipeline is fed, stamped with the pipeline's clock.
 */
export function liveConfigs$(run: LiveRun): Observable<never> {
  const { settings, logger, clock, recorder, seams, observer } = run;
  return defer(() => {
    const access = run.access ?? loadKubeConfig(settings.kubeHost, seams.machine);
    const namespaces = settings.namespaces.length === 0 ? 'all' : settings.namespaces.join(',');
    logger.info('watching pods', {
      server: access.server,
      config: access.origin,
      namespaces,
      selector: settings.selector.text,
    });
    const common = {
      access,
      namespaces: settings.namespaces,
      watchTimeoutSeconds: settings.watchTimeoutSeconds,
      idleTimeoutSeconds: settings.idleTimeoutSeconds,
      logger,
      backoff: seams.backoff,
      scheduler: seams.sourceScheduler,
      hooks: observer.source,
    };
    const pods$ = kubePodEvents$({
      ...common,
      labelSelector: settings.selector.text,
      names: annotationNames(settings),
      tapKubeEvent: recorder === undefined ? undefined : (event) => recorder.record(event, clock.now()),
    });
    // Keys are kept only for Secrets pods reference: each new state tells the Secret source which those are.
    const keep = settings.defaultTlsSecret === null ? [] : [settings.defaultTlsSecret];
    const demand = settings.tls
      ? new SecretDemand(access, settings.maxSecretBytes, logger.child({ component: 'secret-source' }), keep)
      : null;
    const record =
      recorder === undefined
        ? undefined
        : (event: SecretChange | SecretSync) => recorder.recordSecret(event, clock.now());
    const secrets$ = demand === null ? EMPTY : secretEvents$(settings, common, demand, record);
    const source$ = merge(pods$, secrets$).pipe(
      takeUntil(run.stop$),
      finalize(() => demand?.close()),
    );
    // Subscribed by the batching operator right after it opens its first window, in the same job: same now().
    const events$ =
      recorder === undefined ? source$ : defer(() => (recorder.start(clock.now(), { secrets: settings.tls }), source$));
    const hooks = observer.pipeline;
    const watched: PipelineHooks =
      demand === null ? hooks : { ...hooks, state: (state) => (hooks.state?.(state), demand.update(state)) };
    const pipeline = {
      ...pipelineOptions(settings, { scheduler: clock, hooks: watched }),
      waitForSecrets: settings.tls,
    };
    return configsFrom(events$, pipeline).pipe(run.sink, ignoreElements());
  });
}

import { concat, defer, ignoreElements, of, takeUntil, type Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import { configsFrom } from '../pipeline.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import type { Settings } from '../settings.js';
import { fileSink } from '../sinks/file-sink.js';
import { applyToNginx } from '../sinks/nginx-sink.js';
import { NginxSupervisor } from '../sinks/nginx-supervisor.js';
import type { EventRecorder } from '../sinks/record-events.js';
import { printConfigs } from '../sinks/print-configs.js';
import type { SourceHooks } from '../streams/kube-event.js';
import { kubePodEvents$ } from '../streams/kube-pod-events.js';
import { LiveClock } from '../streams/live-clock.js';
import { isInCluster, loadKubeConfig, type KubeEnvironment } from '../streams/load-kube-config.js';
import type { BackoffOptions } from '../streams/reconnect-with-backoff.js';
import { pipelineOptions } from './pipeline-options.js';

/** Where the live commands write configs. */
export interface LiveIo {
  readonly stdout: { write(text: string): unknown };
}

/** Seams for tests and for later wiring (health); production uses the defaults. */
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

/**
 * Runs the live controller until `stop$` emits: list+watch the cluster, run the pipeline, send each new config to
 * the sink (`--sink`; default nginx inside a cluster, stdout outside), then emit exit status 0. On stop the watch is
 * aborted, the window in progress is still applied, and nginx quits gracefully.
 */
export function run$(settings: Settings, logger: Logger, io: LiveIo, stop$: Observable<unknown>, options: LiveOptions = {}): Observable<number> {
  return defer(() => {
    const log = logger.child({ component: 'run' });
    const kind = settings.sink ?? (isInCluster(options.machine) ? 'nginx' : 'stdout');
    return concat(liveConfigs$(settings, log, stop$, options, null, configSink(kind, settings, logger, io)), of(0));
  });
}

/** Builds the sink a `--sink` value names. */
export function configSink(kind: 'nginx' | 'stdout' | 'file', settings: Settings, logger: Logger, io: LiveIo): Sink {
  switch (kind) {
    case 'stdout':
      return printConfigs((text) => void io.stdout.write(text), { last: false });
    case 'file':
      return fileSink(settings.nginxConf, logger.child({ component: 'file-sink' }));
    case 'nginx': {
      const nginx = new NginxSupervisor({ bin: settings.nginxBin, confPath: settings.nginxConf, logger });
      return applyToNginx(nginx, { logger: logger.child({ component: 'nginx-sink' }) });
    }
  }
}

/**
 * Runs the live pipeline into the sink, completing (with no values) after `stop$` once the sink has finished; with
 * a recorder, writes START on subscription and every event the pipeline is fed, stamped with the pipeline's clock.
 */
export function liveConfigs$(
  settings: Settings,
  logger: Logger,
  stop$: Observable<unknown>,
  options: LiveOptions,
  recorder: EventRecorder | null,
  sink: Sink,
): Observable<never> {
  return defer(() => {
    const access = loadKubeConfig(settings.kubeHost, options.machine);
    const namespaces = settings.namespaces.length === 0 ? 'all' : settings.namespaces.join(',');
    logger.info('watching pods', { server: access.server, config: access.origin, namespaces, selector: settings.selector.text });
    const clock = options.clock ?? new LiveClock();
    const source$ = kubePodEvents$({
      access,
      namespaces: settings.namespaces,
      labelSelector: settings.selector.text,
      names: { hosts: settings.hostsAnnotation, paths: settings.pathsAnnotation },
      watchTimeoutSeconds: settings.watchTimeoutSeconds,
      idleTimeoutSeconds: settings.idleTimeoutSeconds,
      logger,
      backoff: options.backoff,
      scheduler: options.sourceScheduler,
      hooks: options.hooks,
      tapKubeEvent: recorder === null ? undefined : (event) => recorder.record(event, clock.now()),
    }).pipe(takeUntil(stop$));
    // Subscribed by the batching operator right after it opens its first window, in the same job: same now().
    const events$ = recorder === null ? source$ : defer(() => (recorder.start(clock.now()), source$));
    return configsFrom(events$, pipelineOptions(settings, clock, logger)).pipe(sink, ignoreElements());
  });
}

import { concat, defer, ignoreElements, of, takeUntil, type Observable, type SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import { configsFrom } from '../pipeline.js';
import { SettingsError, type Settings } from '../settings.js';
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

/**
 * Runs the live controller until `stop$` emits: list+watch the cluster, run the pipeline, send each new config to
 * the sink (stdout for now), then emit exit status 0. On stop the watch is aborted and the window in progress is
 * still applied. Fails with SettingsError for a sink this build lacks.
 */
export function run$(settings: Settings, logger: Logger, io: LiveIo, stop$: Observable<unknown>, options: LiveOptions = {}): Observable<number> {
  return defer(() => {
    const sink = settings.sink ?? (isInCluster(options.machine) ? 'nginx' : 'stdout');
    if (sink !== 'stdout') {
      const why = settings.sink === null ? ' (it is the default inside a cluster)' : '';
      throw new SettingsError(`the ${sink} sink is not available in this build${why}; use --sink stdout`);
    }
    return concat(liveConfigs$(settings, logger.child({ component: 'run' }), io, stop$, options, null), of(0));
  });
}

/**
 * Runs the live pipeline and prints each config, completing (with no values) after `stop$`; with a recorder,
 * writes START on subscription and every event the pipeline is fed, stamped with the pipeline's own clock.
 */
export function liveConfigs$(
  settings: Settings,
  logger: Logger,
  io: LiveIo,
  stop$: Observable<unknown>,
  options: LiveOptions,
  recorder: EventRecorder | null,
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
    const write = (text: string): void => void io.stdout.write(text);
    return configsFrom(events$, pipelineOptions(settings, clock, logger)).pipe(printConfigs(write, { last: false }), ignoreElements());
  });
}

import { closeSync, openSync } from 'node:fs';
import { concat, defer, finalize, from, ignoreElements, merge, of, Subject, type Observable } from 'rxjs';
import { observePipeline } from '../metrics/observe-pipeline.js';
import { SettingsError } from '../settings.js';
import { openRecorder } from '../sinks/record-events.js';
import { LiveClock } from '../streams/live-clock.js';
import { configSink, liveConfigs$, type LiveCommand } from './run.js';

/**
 * Runs the live pipeline exactly as `run` does (configs on stdout) and records every event it is fed to
 * `settings.recordFile`, stamped with the pipeline's clock, so `replay` of the file gives the same configs. Emits
 * 0 after `stop$` once the file is flushed and closed; fails with RecordError if writing it fails.
 */
export function record$(command: LiveCommand): Observable<number> {
  const { settings, logger, io, stop$, options = {} } = command;
  return defer(() => {
    const path = settings.recordFile;
    if (path === null) throw new SettingsError('record needs --out FILE: where to write the recording');
    try {
      closeSync(openSync(path, 'w'));
    } catch (error) {
      throw new SettingsError(`cannot write the recording ${path}: ${(error as Error).message}`);
    }
    const log = logger.child({ component: 'record' });
    const failure$ = new Subject<never>();
    const recorder = openRecorder(path, (error) => failure$.error(error));
    log.info('recording pod events', { file: path });
    const clock = options.clock ?? new LiveClock();
    const observer = observePipeline({ logger: log, now: () => clock.now(), extra: { source: options.hooks } });
    const sink = configSink('stdout', { settings, logger: log, io, observer });
    const configs$ = liveConfigs$({
      settings,
      logger: log,
      stop$,
      clock,
      sink,
      observer,
      seams: options,
      recorder,
    }).pipe(finalize(() => failure$.complete()));
    const live$ = merge(configs$, failure$).pipe(
      // On failure the file is still closed, so what was recorded up to then is usable.
      finalize(() => void recorder.close().catch(() => {})),
    );
    return concat(
      live$,
      defer(() => from(recorder.close())).pipe(ignoreElements()),
      defer(() => {
        log.info('recording closed', { file: path });
        return of(0);
      }),
    );
  });
}

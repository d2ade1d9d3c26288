import { existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { concat, defer, ignoreElements, of, tap, type Observable } from 'rxjs';
import type { Logger } from '../logger.js';
import { observePipeline } from '../metrics/observe-pipeline.js';
import { configsFrom } from '../pipeline.js';
import { SettingsError, type Settings } from '../settings.js';
import { printConfigs } from '../sinks/print-configs.js';
import { writeConfigFiles } from '../sinks/write-config-files.js';
import { ReplayClock } from '../streams/replay-clock.js';
import { replayFile } from '../streams/replay-file.js';
import { pipelineOptions } from './pipeline-options.js';

/** Where the replay writes: stdout for configs, stderr for stats. */
export interface ReplayIo {
  readonly stdout: NodeJS.WritableStream & { writableNeedDrain?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Replays a recorded file through the same pipeline as `run`, on virtual time, and emits the exit status:
 * 0, or 1 if any line was malformed (each is reported with its number and reason).
 */
export function replay$(settings: Settings, args: readonly string[], logger: Logger, io: ReplayIo): Observable<number> {
  return defer(() => {
    if (args.length !== 1) throw new SettingsError(`replay needs exactly one FILE, got ${args.length === 0 ? 'none' : args.join(' ')}`);
    const path = args[0]!;
    if (!existsSync(path) || !statSync(path).isFile()) throw new SettingsError(`replay file ${path} does not exist or is not a file`);
    const log = logger.child({ component: 'replay' });
    const clock = new ReplayClock();
    const counts = { events: 0, batches: 0, configs: 0, badLines: 0 };
    const started = performance.now();
    const events$ = replayFile(path, {
      names: { hosts: settings.hostsAnnotation, paths: settings.pathsAnnotation },
      selector: settings.selector,
      clock,
      onBadLine: (line, reason) => {
        counts.badLines++;
        log.error('malformed line skipped', { file: path, line, reason });
      },
      onNote: (line, note) => log.warn(note, { file: path, line }),
      congested: () => (io.stdout.writableNeedDrain === true ? once(io.stdout, 'drain') : null),
    }).pipe(tap(() => counts.events++));
    const observer = observePipeline({ logger: log, now: () => clock.now(), extra: { pipeline: { batch: () => void counts.batches++ } } });
    const options = pipelineOptions(settings, { scheduler: clock, hooks: observer.pipeline });
    const write = (text: string): void => void io.stdout.write(text);
    const run$ = configsFrom(events$, options).pipe(
      tap(() => counts.configs++),
      settings.outDir === null ? printConfigs(write, { last: settings.last }) : writeConfigFiles(settings.outDir),
      ignoreElements(),
    );
    return concat(
      run$,
      defer(() => {
        if (settings.stats) {
          const seconds = (performance.now() - started) / 1000;
          io.stderr.write(
            `events=${counts.events} batches=${counts.batches} configs=${counts.configs} bad_lines=${counts.badLines} ` +
              `seconds=${seconds.toFixed(3)} events_per_second=${Math.round(counts.events / Math.max(seconds, 1e-9))} ` +
              `max_rss_mb=${Math.round(process.resourceUsage().maxRSS / 1024)}\n`,
          );
        }
        return of(counts.badLines > 0 ? 1 : 0);
      }),
    );
  });
}

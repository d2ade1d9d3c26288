import { existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { concat, defer, ignoreElements, of, tap, type Observable } from 'rxjs';
import type { Logger } from '../logger.js';
import { EMPTY_STATE, type RoutingState } from '../model/routing-state.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import { configsFrom } from '../pipeline.js';
import { SettingsError, type Settings } from '../settings.js';
import { printConfigs } from '../sinks/print-configs.js';
import { writeConfigFiles } from '../sinks/write-config-files.js';
import { ReplayClock } from '../streams/replay-clock.js';
import { replayFile } from '../streams/replay-file.js';
import { annotationNames, pipelineOptions } from './pipeline-options.js';
import { recordedWithSecrets } from '../streams/recorded-with-secrets.js';
import { replayStatusOutput, wantsStatus } from './replay-status.js';

/** Where the replay writes: stdout for configs, stderr for stats. */
export interface ReplayIo {
  readonly stdout: NodeJS.WritableStream & { writableNeedDrain?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Replays a recorded file through the same pipeline as `run`, on virtual time, and emits the exit status:
 * 0, or 1 if any line was malformed (each is reported with its number and reason). With --status or --explain it
 * prints the final status or one pod's explanation instead of the configs (2 for an unknown pod).
 */
export function replay$(settings: Settings, args: readonly string[], logger: Logger, io: ReplayIo): Observable<number> {
  return defer(() => {
    if (args.length !== 1) throw new SettingsError(`replay needs exactly one FILE, got ${args.length === 0 ? 'none' : args.join(' ')}`);
    const path = args[0]!;
    if (!existsSync(path) || !statSync(path).isFile()) throw new SettingsError(`replay file ${path} does not exist or is not a file`);
    const status = wantsStatus(settings);
    const log = logger.child({ component: 'replay' });
    const clock = new ReplayClock();
    const counts = { events: 0, batches: 0, configs: 0, badLines: 0 };
    const started = performance.now();
    const events$ = replayFile(path, {
      names: annotationNames(settings),
      selector: settings.selector,
      clock,
      onBadLine: (line, reason) => {
        counts.badLines++;
        log.error('malformed line skipped', { file: path, line, reason });
      },
      onNote: (line, note) => log.warn(note, { file: path, line }),
      congested: () => (io.stdout.writableNeedDrain === true ? once(io.stdout, 'drain') : null),
    }).pipe(tap(() => counts.events++));
    // The state behind the last rendered config (the renderer refuses nothing the status would then miss).
    let latest: RoutingState = EMPTY_STATE;
    let rendered: RoutingState = EMPTY_STATE;
    let lastHash: string | null = null;
    const hooked = pipelineOptions(settings, clock, log, {
      batch: () => counts.batches++,
      state: (state) => (latest = state),
      rendered: () => (rendered = latest),
    }, !status);
    // A recording of a run that watched Secrets waited for their first list too: so does its replay.
    const options = { ...hooked, waitForSecrets: settings.tls && recordedWithSecrets(path) };
    const write = (text: string): void => void io.stdout.write(text);
    const output = status
      ? tap<RenderedConfig>((config) => (lastHash = config.hash))
      : settings.outDir === null ? printConfigs(write, { last: settings.last }) : writeConfigFiles(settings.outDir);
    const run$ = configsFrom(events$, options).pipe(tap(() => counts.configs++), output, ignoreElements());
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
        const failed = counts.badLines > 0 ? 1 : 0;
        if (!status) return of(failed);
        const result = replayStatusOutput(rendered, lastHash, counts.configs, settings, path);
        io.stdout.write(result.stdout);
        io.stderr.write(result.stderr);
        return of(result.exit === 0 ? failed : result.exit);
      }),
    );
  });
}

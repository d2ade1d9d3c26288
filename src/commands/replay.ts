import { existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { getHeapStatistics } from 'node:v8';
import type { Readable } from 'node:stream';
import {
  concat,
  defer,
  from,
  ignoreElements,
  of,
  switchMap,
  tap,
  type MonoTypeOperatorFunction,
  type Observable,
} from 'rxjs';
import type { Logger } from '../logger.js';
import { observePipeline } from '../metrics/observe-pipeline.js';
import { EMPTY_STATE, type RoutingState } from '../model/routing-state.js';
import type { RenderedConfig } from '../model/rendered-config.js';
import { configsFrom } from '../pipeline.js';
import { SettingsError, type Settings } from '../settings.js';
import { checkConfigs } from '../sinks/check-configs.js';
import { printConfigs } from '../sinks/print-configs.js';
import { prepareOutDir, writeConfigFiles } from '../sinks/write-config-files.js';
import { ReplayClock } from '../streams/replay-clock.js';
import { recordedWithSecrets } from '../streams/recorded-with-secrets.js';
import { replayFile, type ReplaySource } from '../streams/replay-file.js';
import { annotationNames, pipelineOptions } from './pipeline-options.js';
import { replayStatusOutput, wantsStatus } from './replay-status.js';

/** Where the replay reads and writes: stdin for `replay -`, stdout for configs, stderr for stats. */
export interface ReplayIo {
  readonly stdout: NodeJS.WritableStream & { writableNeedDrain?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin?: Readable;
}

/**
 * Replays a recorded file (or standard input, for `-`) through the same pipeline as `run`, on virtual time, and
 * emits the exit status: 0, or 1 if any line was malformed (each is reported with its number and reason). With
 * `--check`, fails with CheckFailedError at the first config nginx refuses. With --status or --explain it prints the
 * final status or one pod's explanation instead of the configs (2 for an unknown pod).
 */
export function replay$(settings: Settings, args: readonly string[], logger: Logger, io: ReplayIo): Observable<number> {
  return defer(() => {
    const source = replaySource(args, io);
    const path = typeof source === 'string' ? source : source.name;
    const status = wantsStatus(settings);
    if (settings.outDir !== null && settings.diff) {
      throw new SettingsError('--diff prints to stdout; it cannot be combined with --out DIR');
    }
    if (settings.last && settings.diff)
      throw new SettingsError('--diff shows every config; it cannot be combined with --last');
    const problem = settings.outDir === null || status ? null : prepareOutDir(settings.outDir);
    if (problem !== null) throw new SettingsError(problem);
    const log = logger.child({ component: 'replay' });
    const clock = new ReplayClock();
    const counts = { events: 0, batches: 0, configs: 0, badLines: 0 };
    const started = performance.now();
    const events$ = replayFile(source, {
      names: annotationNames(settings),
      selector: settings.selector,
      clock,
      maxLineBytes: settings.maxLineBytes,
      onBadLine: (line, reason) => {
        counts.badLines++;
        log.error('malformed line skipped', { file: path, line, reason });
      },
      onNote: (line, note) => log.warn(note, { file: path, line }),
      onEmpty: () =>
        log.warn('the replay input is empty: nothing to replay, so the config of an empty cluster follows', {
          file: path,
        }),
      congested: () => (io.stdout.writableNeedDrain === true ? once(io.stdout, 'drain') : null),
      onWorker: () => log.debug('parsing the file on a worker thread', { file: path }),
    }).pipe(tap(() => counts.events++));
    // The state behind the last rendered config (the renderer refuses nothing the status would then miss).
    let latest: RoutingState = EMPTY_STATE;
    let rendered: RoutingState = EMPTY_STATE;
    let lastHash: string | null = null;
    const extra = {
      batch: () => void counts.batches++,
      state: (state: RoutingState) => void (latest = state),
      rendered: () => void (rendered = latest),
    };
    // --status and --explain show the rejected annotations themselves: no warning lines for them.
    const observer = observePipeline({
      logger: log,
      logIssues: !status,
      now: () => clock.now(),
      extra: { pipeline: extra },
    });
    // A recording of a run that watched Secrets waited for their first list too: so does its replay.
    const options = {
      ...pipelineOptions(settings, { scheduler: clock, hooks: observer.pipeline }),
      waitForSecrets: settings.tls && typeof source === 'string' && recordedWithSecrets(source),
    };
    const check: MonoTypeOperatorFunction<RenderedConfig> =
      settings.check && !status ? checkConfigs(settings.nginxBin, () => clock.frame) : (c$) => c$;
    const run$ = configsFrom(events$, options).pipe(
      tap(() => counts.configs++),
      status
        ? tap<RenderedConfig>((config) => (lastHash = config.hash))
        : output(settings, (text) => void io.stdout.write(text)),
      check,
      ignoreElements(),
    );
    return concat(
      run$,
      defer(() => {
        if (settings.stats) io.stderr.write(statsLine(counts, started));
        if (settings.check && !status) log.info('nginx -t accepted every config', { configs: counts.configs });
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

function replaySource(args: readonly string[], io: ReplayIo): ReplaySource {
  if (args.length !== 1)
    throw new SettingsError(
      `replay needs exactly one FILE (or - for standard input), got ${args.length === 0 ? 'none' : args.join(' ')}`,
    );
  const path = args[0]!;
  if (path === '-') return { name: 'standard input', stream: io.stdin ?? process.stdin };
  if (!existsSync(path) || !statSync(path).isFile())
    throw new SettingsError(`replay file ${path} does not exist or is not a file`);
  return path;
}

// --check tests what is printed: with --last only the last config, else each one as it is printed.
function output(settings: Settings, write: (text: string) => void): MonoTypeOperatorFunction<RenderedConfig> {
  const members = settings.backends === 'dynamic';
  if (settings.outDir !== null) return writeConfigFiles(settings.outDir, { last: settings.last, members });
  // The diff library is loaded only for --diff (start-up time: issue 14).
  if (settings.diff)
    return (configs$) =>
      from(import('../sinks/print-diffs.js')).pipe(
        switchMap(({ printDiffs }) => configs$.pipe(printDiffs(write, { members }))),
      );
  return printConfigs(write, { last: settings.last, members });
}

function statsLine(
  counts: { events: number; batches: number; configs: number; badLines: number },
  started: number,
): string {
  const seconds = (performance.now() - started) / 1000;
  return (
    `events=${counts.events} batches=${counts.batches} configs=${counts.configs} bad_lines=${counts.badLines} ` +
    `seconds=${seconds.toFixed(3)} events_per_second=${Math.round(counts.events / Math.max(seconds, 1e-9))} ` +
    `max_rss_mb=${Math.round(process.resourceUsage().maxRSS / 1024)} ` +
    `heap_limit_mb=${Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024)}\n`
  );
}

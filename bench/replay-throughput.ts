// Benchmark 2: `replay --last` of a generated timestamped stream (1M events over 20k pods by default), run as
// `npm run replay` runs it (the compiled program), against a baseline that only reads and JSON.parses the same lines
// (node + tsx: the loader costs the baseline start-up time only, and its own thread's memory), in the same run.
// Targets: replay within 2x of the baseline; peak RSS bounded by pods, not by the file: under 300 MB.
// The same events are replayed at two rates of recorded time, because the cost has two parts: per event (read,
// parse, project) and per window with a routing change (fold, table, view, render of the changed hosts).
//   npx tsx bench/replay-throughput.ts [--events 1000000] [--pods 20000] [--rates 500,5000]
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEventStream } from './event-stream.js';
import { option, writeResult } from './report.js';

const ratesFlag = process.argv.indexOf('--rates');
const rates = ratesFlag === -1 ? [500, 5000] : process.argv[ratesFlag + 1]!.split(',').map(Number);

async function main(): Promise<void> {
  const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`);
  const rows: Record<string, unknown>[] = [];
  for (const rate of rates)
    rows.push(
      await measure({ events: option('events', 1_000_000), pods: option('pods', 20_000), eventsPerSecond: rate }),
    );
  console.log(
    `wrote ${writeResult('replay-throughput', { rows, target: 'replay <= 2x baseline; replay RSS < 300 MB' })}`,
  );
}

async function measure(shape: {
  events: number;
  pods: number;
  eventsPerSecond: number;
}): Promise<Record<string, unknown>> {
  const file = join(tmpdir(), `k8s-pods-ingress-bench-${shape.events}-${shape.pods}-${shape.eventsPerSecond}.ndjson`);
  if (!existsSync(file)) {
    const started = performance.now();
    await writeEventStream(file, shape);
    console.log(`generated ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const bytes = statSync(file).size;
  const run = (args: string[]): { seconds: number; output: string } => {
    const started = performance.now();
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (child.status !== 0) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
    return { seconds: (performance.now() - started) / 1000, output: `${child.stdout}${child.stderr}` };
  };
  const baseline = run(['--import', 'tsx', 'bench/parse-baseline.ts', file]);
  const base = JSON.parse(baseline.output.trim().split('\n').at(-1)!) as { seconds: number; maxRssMb: number };
  // As `npm run replay` runs it: the compiled program (built at the start).
  const replay = run(['dist/main.js', 'replay', file, '--last', '--stats', '--log-level', 'error']);
  const stats = Object.fromEntries(
    [...replay.output.matchAll(/(\w+)=([\d.]+)/g)].map(([, key, value]) => [key!, Number(value)]),
  );
  const windows = Math.ceil(shape.events / shape.eventsPerSecond / 2);
  const figures = {
    file: { bytes, ...shape, windows },
    baseline: {
      seconds: Number(base.seconds.toFixed(2)),
      wallSeconds: Number(baseline.seconds.toFixed(2)),
      maxRssMb: base.maxRssMb,
    },
    replay: {
      seconds: stats['seconds'],
      wallSeconds: Number(replay.seconds.toFixed(2)),
      maxRssMb: stats['max_rss_mb'],
      batches: stats['batches'],
      configs: stats['configs'],
    },
    ratio: Number(((stats['seconds'] ?? NaN) / base.seconds).toFixed(2)),
    // What replay spends beyond reading and parsing, per batch: the per-window cost at this cluster size.
    msPerBatchBeyondParse: Math.round((((stats['seconds'] ?? NaN) - base.seconds) * 1000) / (stats['batches'] ?? NaN)),
  };
  console.log(
    `stream: ${shape.events} events, ${shape.pods} pods, ${(bytes / 1e9).toFixed(2)} GB, ${shape.eventsPerSecond} events/s of recorded time`,
  );
  console.log(`baseline (read + JSON.parse): ${figures.baseline.seconds} s, ${base.maxRssMb} MB RSS`);
  console.log(
    `replay --last: ${figures.replay.seconds} s, ${figures.replay.maxRssMb} MB RSS, ${figures.replay.batches} batches, ${figures.replay.configs} configs`,
  );
  console.log(
    `ratio ${figures.ratio}x (target <= 2x); RSS target < 300 MB; ${figures.msPerBatchBeyondParse} ms per batch beyond parsing`,
  );
  return figures;
}

await main();

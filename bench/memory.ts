// Benchmark 3: memory with 10k and 100k pods in the cache, and after rendering them (a running controller also keeps
// the last config and the renderer's per-host texts). Each size runs in its own process, started with --expose-gc,
// so one size's garbage does not count against the next. Target: under 250 MB at 100k pods.
//   npx tsx bench/memory.ts [--sizes 10000,100000]
import { spawnSync } from 'node:child_process';
import { applyEvents, EMPTY_STATE } from '../src/model/routing-state.js';
import { StateRenderer } from '../src/render/render-config.js';
import { loadTemplate } from '../src/commands/load-template.js';
import { clusterPods } from './cluster.js';
import { writeResult } from './report.js';

const megabytes = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** Measures one size in this process: RSS and heap after the cache is built, then after one render. */
function measure(size: number): Record<string, number> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  // A pod's strings arrive as separate strings from JSON.parse in a real list; make them so here too.
  const pods = clusterPods(size).map((pod) => JSON.parse(JSON.stringify(pod)) as typeof pod);
  gc();
  const base = process.memoryUsage();
  const state = applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods }], 0);
  pods.length = 0;
  gc();
  const cached = process.memoryUsage();
  const renderer = new StateRenderer(loadTemplate(), { port: 80, ownership: 'host' });
  const config = renderer.render(state);
  gc();
  const rendered = process.memoryUsage();
  return {
    pods: size,
    rssStartMb: megabytes(base.rss),
    heapStartMb: megabytes(base.heapUsed),
    rssCacheMb: megabytes(cached.rss),
    heapCacheMb: megabytes(cached.heapUsed),
    rssRenderedMb: megabytes(rendered.rss),
    heapRenderedMb: megabytes(rendered.heapUsed),
    configMb: megabytes(config.text.length),
    keepAlive: state.pods.size,
  };
}

if (process.argv[2] === '--one') {
  process.stdout.write(`${JSON.stringify(measure(Number(process.argv[3])))}\n`);
} else {
  const sizesFlag = process.argv.indexOf('--sizes');
  const sizes = sizesFlag === -1 ? [10_000, 100_000] : process.argv[sizesFlag + 1]!.split(',').map(Number);
  const rows = sizes.map((size) => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/memory.ts', '--one', String(size)],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    const row = JSON.parse(child.stdout) as Record<string, number>;
    console.log(
      `${size} pods: RSS ${row['rssCacheMb']} MB with the cache (heap ${row['heapCacheMb']} MB; the process started at ${row['rssStartMb']} MB), ${row['rssRenderedMb']} MB after a render (config ${row['configMb']} MB); target at 100k: < 250 MB`,
    );
    return row;
  });
  console.log(`wrote ${writeResult('memory', { rows, target: 'RSS < 250 MB at 100k pods' })}`);
}

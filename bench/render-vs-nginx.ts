// Benchmark 1: reduce + render of a full cache against nginx's own parse of the same config (`nginx -t`), measured
// side by side in the same run. Target: at 10k pods our render costs at most 10% of `nginx -t`.
//   npx tsx bench/render-vs-nginx.ts [--sizes 1000,10000,50000] [--runs 5] [--backends dynamic|static]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { installLua } from '../src/sinks/lua-files.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEvents, EMPTY_STATE } from '../src/model/routing-state.js';
import { StateRenderer } from '../src/render/render-config.js';
import { loadTemplate } from '../src/commands/load-template.js';
import { NGINX, requireNginx } from '../test/support/nginx-check.js';
import { clusterPods } from './cluster.js';
import { median, option, writeResult } from './report.js';

requireNginx();
const sizesFlag = process.argv.indexOf('--sizes');
const sizes = sizesFlag === -1 ? [1000, 10_000, 50_000] : process.argv[sizesFlag + 1]!.split(',').map(Number);
const runs = option('runs', 5);
const template = loadTemplate();
const rows: Record<string, unknown>[] = [];
const prefix = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
const backendsFlag = process.argv.indexOf('--backends');
const dynamic = backendsFlag === -1 || process.argv[backendsFlag + 1] !== 'static';
installLua(prefix);
mkdirSync(join(prefix, 'run'), { mode: 0o700 });
const renderOptions = {
  port: 80,
  ownership: 'host' as const,
  dynamic: dynamic
    ? { modulesDir: '/usr/lib/nginx/modules', membersSocket: join(prefix, 'run', 'members.sock') }
    : undefined,
};

for (const size of sizes) {
  const pods = clusterPods(size);
  const renderMs: number[] = [];
  const nginxMs: number[] = [];
  let text = '';
  // nginx -t grows with the square of the routes (every proxy_pass searches nginx's upstream list), so fewer runs
  // at the largest size.
  const nginxRuns = size > 20_000 && !dynamic ? 1 : Math.min(runs, 3);
  for (let run = 0; run < Math.max(runs, nginxRuns); run++) {
    if (run < runs) {
      const started = performance.now();
      const state = applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods }], 0);
      text = new StateRenderer(template, renderOptions).render(state).text;
      renderMs.push(performance.now() - started);
    }
    if (run < nginxRuns) {
      const file = join(prefix, 'nginx.conf');
      writeFileSync(file, text);
      const started = performance.now();
      const result = spawnSync(NGINX, ['-t', '-q', '-p', `${prefix}/`, '-c', file, '-e', 'stderr'], {
        encoding: 'utf8',
      });
      nginxMs.push(performance.now() - started);
      if (result.status !== 0) throw new Error(`nginx -t refused the ${size}-pod config: ${result.stderr}`);
    }
  }
  const row = {
    pods: size,
    routes: (text.match(/\n {4}location [^=]/g) ?? []).length,
    configBytes: text.length,
    renderMs: Math.round(median(renderMs)),
    nginxTestMs: Math.round(median(nginxMs)),
    ratio: Number((median(renderMs) / median(nginxMs)).toFixed(3)),
  };
  rows.push(row);
  console.log(
    `${size} pods: reduce+render ${row.renderMs} ms, nginx -t ${row.nginxTestMs} ms, ratio ${(row.ratio * 100).toFixed(1)}% (target at 10k: <= 10%), config ${(row.configBytes / 1e6).toFixed(1)} MB`,
  );
}
rmSync(prefix, { recursive: true, force: true });
console.log(
  `wrote ${writeResult('render-vs-nginx', { runs, rows, backends: dynamic ? 'dynamic' : 'static', target: 'render <= 10% of nginx -t at 10k pods' })}`,
);

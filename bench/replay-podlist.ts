// Benchmark: replay of a 10k-pod PodList (`kubectl get pods -o json`, one SYNC) by the compiled program, against
// nginx's own test of the config it prints, side by side in the same run. Target: replay <= 1.0x `nginx -t`.
//   npx tsx bench/replay-podlist.ts [--pods 10000] [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireNginx } from '../test/support/nginx-check.js';
import { median, option, writeResult } from './report.js';
import { compileController } from './support-controller.js';
import { clusterFakePods } from './support-fake-cluster.js';
import { commandLine, loadNow, round, timeNginxTest } from './support-report.js';

requireNginx();
const pods = option('pods', 10_000);
const runs = option('runs', 5);
const dir = mkdtempSync(join(tmpdir(), 'bench-podlist-'));
const compiled = compileController();
try {
  const list = join(dir, 'pods.json');
  writeFileSync(
    list,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: { resourceVersion: '1' },
      items: clusterFakePods(pods),
    }),
  );
  const replayMs: number[] = [];
  let config = '';
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, [compiled.main, 'replay', list, '--last', '--log-level', 'error'], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    replayMs.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`replay failed: ${child.stderr}`);
    config = child.stdout;
  }
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config);
  const nginxMs = timeNginxTest(conf, Math.min(runs, 3));
  const figures = {
    command: commandLine('replay-podlist'),
    load: loadNow(),
    pods,
    listBytes: statSync(list).size,
    configBytes: config.length,
    replayMs: Math.round(median(replayMs)),
    replayRunsMs: replayMs.map(Math.round),
    nginxTestMs: Math.round(median(nginxMs)),
    ratio: round(median(replayMs) / median(nginxMs)),
  };
  console.log(
    `${pods}-pod PodList (${(figures.listBytes / 1e6).toFixed(1)} MB): compiled replay --last ${figures.replayMs} ms (median of ${runs}), nginx -t of its config ${figures.nginxTestMs} ms, ratio ${figures.ratio}x (target <= 1.0x), config ${(figures.configBytes / 1e6).toFixed(1)} MB, load ${figures.load.join(' ')}`,
  );
  console.log(
    `wrote ${writeResult('replay-podlist', { ...figures, target: 'compiled replay --last <= 1.0x nginx -t of its config' })}`,
  );
} finally {
  compiled.dispose();
  rmSync(dir, { recursive: true, force: true });
}

// Benchmark: nginx's memory across 10,000 membership pushes (target: flat, no shared-memory growth), and the push
// latency seen by the controller. A real nginx with the rendered dynamic config of a generated cluster; each push is
// a different membership (pods of random routes taken out and put back), as a rolling restart sends them.
//   npx tsx bench/members-pushes.ts [--pods 1000] [--pushes 10000]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import type { Membership } from '../src/model/membership.js';
import { applyEvents, EMPTY_STATE } from '../src/model/routing-state.js';
import { StateRenderer } from '../src/render/render-config.js';
import { loadTemplate } from '../src/commands/load-template.js';
import { installLua } from '../src/sinks/lua-files.js';
import { MembersChannel, prepareMembersDir } from '../src/sinks/members-channel.js';
import { NGINX } from '../test/support/nginx-check.js';
import { freePort, processesInGroups } from '../test/support/nginx-processes.js';
import { clusterPods, random } from './cluster.js';
import { option, percentile, writeResult } from './report.js';
import { commandLine, loadNow, round } from './support-report.js';

const pods = option('pods', 1000);
const pushes = option('pushes', 10_000);
const loadBefore = loadNow();

/**
 * Sums the memory of the processes, in KiB: RSS, which counts the pages master and workers share once per process,
 * and PSS, which splits each shared page between its sharers (what they take from the machine together).
 */
function memoryKb(pids: readonly number[]): { rssKb: number; pssKb: number } {
  let rssKb = 0;
  let pssKb = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rssKb += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      pssKb += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return { rssKb, pssKb };
}

/** The membership with a few routes losing a pod: a different snapshot for every push, of about the same size. */
function variant(base: Membership, next: () => number): Membership {
  return {
    routes: base.routes.map((route) =>
      route.backends.length > 1 && next() < 0.2
        ? { ...route, backends: route.backends.filter((_, i) => i !== Math.floor(next() * route.backends.length)) }
        : route,
    ),
  };
}

const prefix = mkdtempSync(join(tmpdir(), 'bench-pushes-'));
const port = await freePort();
const paths = prepareMembersDir(prefix);
installLua(prefix);
const renderer = new StateRenderer(loadTemplate(), {
  port,
  ownership: 'host',
  workerProcesses: 2,
  dynamic: { modulesDir: '/usr/lib/nginx/modules', membersSocket: paths.socket },
});
const rendered = renderer.render(applyEvents(EMPTY_STATE, [{ type: 'SYNC', pods: clusterPods(pods) }], 0));
const base = rendered.members!;
writeFileSync(join(prefix, 'nginx.conf'), rendered.text);
const channel = new MembersChannel(paths);
channel.write(base);
const master = spawn(
  NGINX,
  ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'],
  { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
);
try {
  for (let i = 0; !existsSync(paths.socket); i++) {
    if (i > 500) throw new Error('nginx did not open its members socket');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const group = master.pid!;
  const next = random(7);
  const samples: { pushes: number; rssKb: number; pssKb: number }[] = [
    { pushes: 0, ...memoryKb(processesInGroups([group])) },
  ];
  const latencies: number[] = [];
  let bodyBytes = 0;
  for (let n = 1; n <= pushes; n++) {
    const membership = variant(base, next);
    channel.write(membership);
    const pushed = await lastValueFrom(channel.pushCurrent());
    latencies.push(pushed.durationMs);
    if (n === 1) bodyBytes = readFileSync(paths.file).length;
    if (n % Math.max(1, Math.floor(pushes / 10)) === 0)
      samples.push({ pushes: n, ...memoryKb(processesInGroups([group])) });
  }
  const figures = {
    pods,
    routes: base.routes.length,
    pushes,
    bodyBytes,
    sharedDictKb: Number(/lua_shared_dict k8s_pods_ingress (\d+)k;/.exec(rendered.text)?.[1]),
    pushP50Ms: round(percentile(latencies, 50)),
    pushP99Ms: round(percentile(latencies, 99)),
    memoryKb: samples,
    rssGrowthKb: samples.at(-1)!.rssKb - samples[1]!.rssKb,
    pssGrowthKb: samples.at(-1)!.pssKb - samples[1]!.pssKb,
    loadBefore,
    command: commandLine('members-pushes.ts'),
  };
  console.log(
    `${pods} pods, ${base.routes.length} routes, body ${bodyBytes} B: ${pushes} pushes, p50 ${figures.pushP50Ms} ms, p99 ${figures.pushP99Ms} ms`,
  );
  console.log(
    `nginx RSS / PSS (master + workers, KiB) by pushes: ${samples.map((s) => `${s.pushes}:${s.rssKb}/${s.pssKb}`).join(' ')}; ` +
      `growth after the first tenth: RSS ${figures.rssGrowthKb} KiB, PSS ${figures.pssGrowthKb} KiB`,
  );
  console.log(`wrote ${writeResult('members-pushes', figures)}`);
} finally {
  process.kill(-master.pid!, 'SIGQUIT');
  await new Promise((resolve) => master.once('exit', resolve));
  rmSync(prefix, { recursive: true, force: true });
}

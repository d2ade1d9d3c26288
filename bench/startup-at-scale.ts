// Start-up at scale: 10k pods already in the fake API server; time from spawning `run --sink nginx` to /readyz
// answering 200 and nginx serving a known host from its loopback backend, with the split (process boot, list, window
// wait, project + reduce + render, write + nginx -t + start) read from the controller's own log lines. Prints the
// figures and writes them as JSON to bench/results/.
//
//   npx tsx bench/startup-at-scale.ts [--pods 10000] [--window 2000] [--tsx true] [--cpu-prof true]
// The controller runs compiled, as production does: built as `npm run build` builds it, into a temporary copy laid
// out like the image. --tsx runs src/main.ts through tsx instead, which adds seconds of transpiling to the boot.
// --cpu-prof writes the controller's CPU profile to bench/results/profiles/.
// Target: serving within 3 s of the start. Held against it, measured in the same run: a bare paged list of the same
// pods (fetch + JSON.parse, 500 a page as the controller asks) and a bare `nginx -t` of the config the controller wrote.
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackends } from '../test/support/backend-servers.js';
import { requireNginx } from '../test/support/nginx-check.js';
import { compileController, loggedAt, startController, type Controller, type LogLine } from './support-controller.js';
import { clusterFakePods, routedPod, startFakeCluster } from './support-fake-cluster.js';
import { answeredBy, firstTrue, statusOf } from './support-probe.js';
import { median, option, writeResult } from './report.js';
import { commandLine, loadNow, round, timeNginxTest } from './support-report.js';

const settings = {
  pods: option('pods', 10_000),
  windowMs: option('window', 2000),
  tsx: option('tsx', 0) === 1,
  cpuProf: option('cpu-prof', 0) === 1,
};
const TARGET_MS = 3000;
const PROBE_HOST = 'startup-probe.bench.test';

/** Lists every pod the way the controller does (pages of 500), parsing each page; returns the ms it took. */
async function bareList(url: string): Promise<number> {
  const started = performance.now();
  let token = '';
  do {
    const query = `labelSelector=microservice%3Dtrue&limit=500${token === '' ? '' : `&continue=${encodeURIComponent(token)}`}`;
    const page = JSON.parse(await (await fetch(`${url}/api/v1/pods?${query}`)).text()) as {
      metadata: { continue?: string };
    };
    token = page.metadata.continue ?? '';
  } while (token !== '');
  return performance.now() - started;
}

/** Reads the split of the start-up from the controller's log lines. */
function split(controller: Controller) {
  const at = (message: string): LogLine => {
    const line = controller.logs.find((candidate) => candidate.fields['message'] === message);
    if (line === undefined) throw new Error(`the controller never logged "${message}"`);
    return line;
  };
  const starting = loggedAt(at('starting'));
  const watching = loggedAt(at('watching pods'));
  const listed = loggedAt(at('listed pods'));
  const applied = at('nginx config applied');
  const applyMs = Number(applied.fields['durationMs']);
  const applyStart = loggedAt(applied) - applyMs;
  // The first window closes as soon as the first full list has arrived: no wait for the window grid.
  const windowEnd = listed;
  return {
    bootMs: starting - controller.spawnedAt,
    listMs: listed - watching,
    windowWaitMs: Math.max(0, windowEnd - listed),
    projectReduceRenderMs: applyStart - Math.max(windowEnd, listed),
    applyMs,
    appliedAt: loggedAt(applied),
    starting,
    routes: applied.fields['routes'],
    backends: applied.fields['backends'],
  };
}

async function main(): Promise<void> {
  requireNginx();
  const compiled = settings.tsx ? null : compileController();
  const backends = await startBackends(['probe-a', 'probe-b']);
  const probes = backends.list.map((backend, i) =>
    routedPod(`startup-probe-${i}`, 'bench', PROBE_HOST, backends.port, backend.ip),
  );
  const setupStarted = performance.now();
  const fake = await startFakeCluster([...clusterFakePods(settings.pods - probes.length), ...probes]);
  const setupMs = performance.now() - setupStarted;
  let controller: Controller | null = null;
  try {
    await bareList(fake.url); // warms the fake's kept list, as the controller's first page would
    const bareListMs = median([await bareList(fake.url), await bareList(fake.url)]);
    const load = loadNow();
    await sleep(500);
    controller = await startController({
      kubeHost: fake.url,
      windowMs: settings.windowMs,
      compiledMain: compiled?.main,
      nodeArgs: settings.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', 'bench/results/profiles'] : [],
    });
    const { nginxPort, adminPort } = controller;
    const [readyAt, servedAt] = await Promise.all([
      firstTrue(async () => (await statusOf(adminPort, '/readyz')) === 200, 20, 120_000),
      firstTrue(async () => (await answeredBy(nginxPort, PROBE_HOST))?.startsWith('probe-') === true, 20, 120_000),
    ]);
    if (readyAt === null || servedAt === null)
      throw new Error('the controller did not become ready and serving within 120 s');
    const parts = split(controller);
    const nginxTestMs = median(timeNginxTest(controller.confPath, 3));
    const stopped = await controller.stop();
    controller = null;
    report({ setupMs, bareListMs, nginxTestMs, load, readyAt, servedAt, parts, stopped });
  } finally {
    await controller?.stop();
    await fake.stop();
    await backends.close();
    compiled?.dispose();
  }
}

interface Measured {
  readonly setupMs: number;
  readonly bareListMs: number;
  readonly nginxTestMs: number;
  readonly load: readonly number[];
  readonly readyAt: number;
  readonly servedAt: number;
  readonly parts: ReturnType<typeof split>;
  readonly stopped: { readonly code: number | null; readonly nginxLeft: number };
}

function report(m: Measured): void {
  const { parts } = m;
  const spawnedAt = parts.starting - parts.bootMs;
  const servedMs = m.servedAt - spawnedAt;
  const result = {
    command: commandLine('startup-at-scale'),
    settings,
    loadBefore: m.load,
    pods: settings.pods,
    routes: parts.routes,
    backends: parts.backends,
    fakeSetupMs: round(m.setupMs),
    spawnToReadyMs: m.readyAt - spawnedAt,
    spawnToServedMs: servedMs,
    startingToServedMs: m.servedAt - parts.starting,
    targetMs: TARGET_MS,
    servedVsTarget: round(servedMs / TARGET_MS),
    split: {
      bootMs: parts.bootMs,
      listMs: parts.listMs,
      windowWaitMs: parts.windowWaitMs,
      projectReduceRenderMs: parts.projectReduceRenderMs,
      writeCheckStartMs: parts.applyMs,
      appliedToServedMs: m.servedAt - parts.appliedAt,
    },
    bareListMs: round(m.bareListMs),
    listVsBareList: round(parts.listMs / m.bareListMs),
    bareNginxTestMs: round(m.nginxTestMs),
    writeCheckStartVsBareNginxTest: round(parts.applyMs / m.nginxTestMs),
    exitCode: m.stopped.code,
    nginxProcessesLeft: m.stopped.nginxLeft,
  };
  const file = writeResult('startup-at-scale', result);
  const s = result.split;
  process.stdout.write(
    `pods=${settings.pods} routes=${String(parts.routes)} backends=${String(parts.backends)} window_ms=${settings.windowMs} ` +
      `load_before=${m.load.join('/')} load_after=${loadNow().join('/')}\n` +
      `spawn_to_ready_ms=${result.spawnToReadyMs} spawn_to_served_ms=${servedMs} (target ${TARGET_MS}: ${result.servedVsTarget}x) ` +
      `starting_to_served_ms=${result.startingToServedMs}\n` +
      `split_ms boot=${s.bootMs} list=${s.listMs} window_wait=${s.windowWaitMs} project_reduce_render=${s.projectReduceRenderMs} ` +
      `write_check_start=${s.writeCheckStartMs} applied_to_served=${s.appliedToServedMs}\n` +
      `bare_list_ms=${result.bareListMs} (list ${result.listVsBareList}x) bare_nginx_t_ms=${result.bareNginxTestMs} ` +
      `(write+check+start ${result.writeCheckStartVsBareNginxTest}x)\n` +
      `exit_code=${String(m.stopped.code)} nginx_processes_left=${m.stopped.nginxLeft}\nwrote ${file}\n`,
  );
  if (m.stopped.nginxLeft > 0 || m.stopped.code !== 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `startup-at-scale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});

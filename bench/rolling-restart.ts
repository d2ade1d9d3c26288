// Rolling restart under load: one route of --replicas pods is replaced pod by pod, as a Deployment with surge 1 and
// no unavailability does (deploy-deployment/), while keep-alive clients request it through the real controller
// (`run --sink nginx`, default settings: dynamic backends) and a real nginx. A step creates the new pod not ready,
// marks it ready after --ready-ms, then starts the old pod's termination (deletionTimestamp set, still Ready, as the
// kubelet leaves it); the old pod's server keeps answering for --grace-ms, then exits (closing every connection,
// idle keep-alive ones too) and the pod is deleted. The rest of the cluster (--pods) is generated around it.
// Prints requests, failures by kind, reloads and config loads during the rollout; writes the same as JSON to
// bench/results/. Targets: 0 reloads, 0 failed requests.
//
//   npx tsx bench/rolling-restart.ts [--replicas 100] [--pods 1000] [--clients 8] [--window 250] [--ready-ms 300]
//                                    [--grace-ms 1000]
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackends, type Backends } from '../test/support/backend-servers.js';
import type { FakeApiServer } from '../test/support/fake-api-server.js';
import { buildPod, type FakePod } from '../test/support/fake-pods.js';
import { requireNginx } from '../test/support/nginx-check.js';
import { startController, type Controller } from './support-controller.js';
import { clusterFakePods, readinessPatch, ROUTED, startFakeCluster } from './support-fake-cluster.js';
import { answeredBy, firstTrue } from './support-probe.js';
import { option, percentile, writeResult } from './report.js';
import { commandLine, loadNow, round } from './support-report.js';

const settings = {
  replicas: option('replicas', 100),
  pods: option('pods', 1000),
  clients: option('clients', 8),
  windowMs: option('window', 250),
  readyMs: option('ready-ms', 300),
  graceMs: option('grace-ms', 1000),
};
const HOST = 'rolling.bench.test';
const NAMESPACE = 'rolling';

/** What the clients saw: answers by backend generation, failures by kind, latencies. */
interface Traffic {
  ok: number;
  fromOld: number;
  fromNew: number;
  failures: Map<string, number>;
  latenciesMs: number[];
}

function rolledPod(name: string, ip: string, port: number, ready: boolean): FakePod {
  return buildPod({
    name,
    namespace: NAMESPACE,
    labels: { ...ROUTED, app: 'rolling' },
    annotations: { trafficHosts: HOST, publicPaths: `${port}:/` },
    podIP: ip,
    ready,
  });
}

/** One client: requests in a loop over its own keep-alive connection(s) until `stop` says so. */
async function client(port: number, traffic: Traffic, stop: () => boolean): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  while (!stop()) {
    const started = performance.now();
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: HOST }, agent, timeout: 5_000 });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`));
      req.on('response', (response) => {
        const backend = response.headers['x-backend'];
        response.resume();
        response.on('end', () =>
          resolve(
            response.statusCode === 200 && typeof backend === 'string' ? backend : `status ${response.statusCode}`,
          ),
        );
      });
      req.end();
    });
    traffic.latenciesMs.push(performance.now() - started);
    if (outcome.startsWith('old-')) traffic.fromOld++;
    else if (outcome.startsWith('new-')) traffic.fromNew++;
    else {
      traffic.failures.set(outcome, (traffic.failures.get(outcome) ?? 0) + 1);
      continue;
    }
    traffic.ok++;
  }
  agent.destroy();
}

/** Replaces every old pod by a new one, step by step; resolves when the last old pod has exited. */
async function roll(fake: FakeApiServer, pools: Pools): Promise<void> {
  const exits: Promise<void>[] = [];
  for (let i = 0; i < settings.replicas; i++) {
    const fresh = pools.fresh[i]!;
    fake.addPod(rolledPod(`new-${i}`, fresh.list[0]!.ip, fresh.port, false));
    await sleep(settings.readyMs);
    fake.modifyPod(NAMESPACE, `new-${i}`, readinessPatch(true));
    fake.modifyPod(NAMESPACE, `old-${i}`, { metadata: { deletionTimestamp: new Date().toISOString() } });
    const old = pools.old[i]!;
    exits.push(
      sleep(settings.graceMs).then(async () => {
        await old.close();
        fake.deletePod(NAMESPACE, `old-${i}`);
      }),
    );
  }
  await Promise.all(exits);
}

interface Pools {
  readonly old: Backends[];
  readonly fresh: Backends[];
}

async function main(): Promise<void> {
  requireNginx();
  // One backend server a pod, each on its own loopback address, so each can exit alone: 127.0.0.2 and up.
  const start = (prefix: string, first: number): Promise<Backends[]> =>
    Promise.all(Array.from({ length: settings.replicas }, (_, i) => startBackends([`${prefix}-${i}`], first + i)));
  const pools: Pools = { old: await start('old', 2), fresh: await start('new', 2 + settings.replicas) };
  const oldPods = pools.old.map((backends, i) => rolledPod(`old-${i}`, backends.list[0]!.ip, backends.port, true));
  const fake = await startFakeCluster([...clusterFakePods(settings.pods), ...oldPods]);
  let controller: Controller | null = null;
  try {
    controller = await startController({ kubeHost: fake.url, windowMs: settings.windowMs });
    const port = controller.nginxPort;
    const served = await firstTrue(async () => ((await answeredBy(port, HOST)) ?? '').startsWith('old-'), 20, 120_000);
    if (served === null) throw new Error(`nginx did not serve ${HOST} within 120 s of the start`);
    const before = await counters(controller);
    const traffic: Traffic = { ok: 0, fromOld: 0, fromNew: 0, failures: new Map(), latenciesMs: [] };
    let done = false;
    const load = loadNow();
    const clients = Array.from({ length: settings.clients }, () => client(port, traffic, () => done));
    const started = Date.now();
    await roll(fake, pools);
    // Let the last change reach nginx under load too.
    await sleep(2 * settings.windowMs + 500);
    done = true;
    await Promise.all(clients);
    const seconds = (Date.now() - started) / 1000;
    const after = await counters(controller);
    const lastAnswer = await answeredBy(port, HOST);
    const stopped = await controller.stop();
    controller = null;
    report({ traffic, seconds, load, before, after, lastAnswer, stopped });
  } finally {
    await controller?.stop();
    await fake.stop();
    await Promise.all([...pools.old, ...pools.fresh].map((backends) => backends.close()));
  }
}

interface Counters {
  readonly reloads: number;
  readonly structureLoads: number;
  readonly restartLoads: number;
  readonly pushes: number;
}

async function counters(controller: Controller): Promise<Counters> {
  const value = async (name: string, labels: Record<string, string>): Promise<number> =>
    (await controller.metric(name, labels)) ?? 0;
  return {
    reloads: await value('k8s_pods_ingress_nginx_reloads_total', { result: 'success' }),
    structureLoads: await value('k8s_pods_ingress_nginx_config_loads_total', { reason: 'structure' }),
    restartLoads: await value('k8s_pods_ingress_nginx_config_loads_total', { reason: 'restart' }),
    pushes: await value('k8s_pods_ingress_members_pushes_total', { result: 'success' }),
  };
}

interface Measured {
  readonly traffic: Traffic;
  readonly seconds: number;
  readonly load: readonly number[];
  readonly before: Counters;
  readonly after: Counters;
  readonly lastAnswer: string | null;
  readonly stopped: { readonly code: number | null; readonly nginxLeft: number };
}

function report(m: Measured): void {
  const failed = [...m.traffic.failures.values()].reduce((sum, n) => sum + n, 0);
  const during = (key: keyof Counters): number => m.after[key] - m.before[key];
  const latencies = m.traffic.latenciesMs;
  const result = {
    command: commandLine('rolling-restart'),
    settings,
    loadBefore: m.load,
    seconds: round(m.seconds),
    requests: m.traffic.ok + failed,
    answeredByOld: m.traffic.fromOld,
    answeredByNew: m.traffic.fromNew,
    failed,
    failures: Object.fromEntries(m.traffic.failures),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.reduce((a, b) => Math.max(a, b), 0)),
    },
    reloads: during('reloads'),
    structureLoads: during('structureLoads'),
    restartLoads: during('restartLoads'),
    pushes: during('pushes'),
    lastAnswer: m.lastAnswer,
    exitCode: m.stopped.code,
    nginxProcessesLeft: m.stopped.nginxLeft,
  };
  const file = writeResult('rolling-restart', result);
  process.stdout.write(
    `replicas=${settings.replicas} pods=${settings.pods} clients=${settings.clients} window_ms=${settings.windowMs} ` +
      `ready_ms=${settings.readyMs} grace_ms=${settings.graceMs} seconds=${result.seconds} ` +
      `load_before=${m.load.join('/')} load_after=${loadNow().join('/')}\n` +
      `requests=${result.requests} old=${result.answeredByOld} new=${result.answeredByNew} failed=${failed} ` +
      `(target 0) ${JSON.stringify(result.failures)}\n` +
      `latency_ms p50=${result.latencyMs.p50} p99=${result.latencyMs.p99} max=${result.latencyMs.max}\n` +
      `reloads=${result.reloads} (target 0) structure_loads=${result.structureLoads} restart_loads=${result.restartLoads} ` +
      `pushes=${result.pushes} last_answer=${String(m.lastAnswer)}\n` +
      `exit_code=${String(m.stopped.code)} nginx_processes_left=${m.stopped.nginxLeft}\nwrote ${file}\n`,
  );
  if (m.stopped.nginxLeft > 0 || m.stopped.code !== 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`rolling-restart: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

// Measures what reloads cost the traffic: bounded keep-alive load through the real pipeline and a real nginx (all on
// loopback) while pods churn (scale up, scale down through terminating, readiness flaps). Prints requests, failures
// by kind, reloads and latency percentiles; writes the same as JSON to bench/results/.
//
//   npx tsx bench/reloads-under-load.ts [--clients 16] [--seconds 20] [--max-requests 200000] [--window 500]
//                                       [--churn-ms 200] [--keepalive true] [--retry-reused false] [--pods 6]
// --churn-ms 0 turns churn off (a baseline without reloads). --retry-reused retries a GET once when it failed on a
// reused keep-alive connection, as browsers and most HTTP clients do (RFC 9112 9.3.1); retries are counted.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, Subject } from 'rxjs';
import type { PodEvent } from '../src/model/events.js';
import type { ProjectedPod } from '../src/model/pod.js';
import { DEFAULT_REDUCE_OPTIONS } from '../src/model/routing-state.js';
import { configsFrom } from '../src/pipeline.js';
import { loadTemplate } from '../src/commands/load-template.js';
import { applyToNginx, type ApplyOutcome } from '../src/sinks/nginx-sink.js';
import { NginxSupervisor } from '../src/sinks/nginx-supervisor.js';
import { startBackends } from '../test/support/backend-servers.js';
import { testLogger } from '../test/support/ingress-harness.js';
import { NGINX, requireNginx } from '../test/support/nginx-check.js';
import { freePort, processesInGroups } from '../test/support/nginx-processes.js';
import { aPod } from '../test/support/pods.js';
import { random } from './cluster.js';
import { option } from './report.js';

const HOST = 'bench.test';

const settings = {
  clients: option('clients', 16),
  seconds: option('seconds', 20),
  maxRequests: option('max-requests', 200_000),
  windowMs: option('window', 500),
  churnMs: option('churn-ms', 200),
  keepAlive: option('keepalive', 1) === 1,
  retryReused: option('retry-reused', 0) === 1,
  pods: Math.max(2, option('pods', 6)),
};

interface Tally {
  requests: number;
  ok: number;
  retries: number;
  failures: Map<string, number>;
  latenciesMs: number[];
}

/** One client: sequential GETs on its own (keep-alive) connection until the deadline or the shared budget runs out. */
async function client(port: number, deadline: number, tally: Tally): Promise<void> {
  const agent = settings.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  while (Date.now() < deadline && tally.requests < settings.maxRequests) {
    tally.requests++;
    const started = performance.now();
    let outcome = await get(port, agent);
    if (outcome.kind !== null && outcome.reused && settings.retryReused) {
      tally.retries++;
      outcome = await get(port, agent);
    }
    tally.latenciesMs.push(performance.now() - started);
    const kind = outcome.kind === null ? null : `${outcome.kind}${outcome.reused ? ' (reused connection)' : ''}`;
    if (kind === null) tally.ok++;
    else tally.failures.set(kind, (tally.failures.get(kind) ?? 0) + 1);
  }
  if (agent !== false) agent.destroy();
}

/** Sends one GET; resolves with the kind of failure (null for a 200) and whether the connection was a reused one. */
function get(port: number, agent: Agent | false): Promise<{ kind: string | null; reused: boolean }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: HOST }, agent });
    const done = (kind: string | null): void => resolve({ kind, reused: req.reusedSocket });
    req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    req.on('response', (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode === 200 ? null : `status ${response.statusCode}`));
      response.on('error', (error: NodeJS.ErrnoException) => done(`${error.code ?? error.message} (in body)`));
    });
    req.end();
  });
}

/** Churns the pods every `churnMs`: scale up, scale down (terminating, then deleted), or a readiness flap. */
function churn(events: Subject<PodEvent>, pool: readonly ProjectedPod[], counts: Record<string, number>): () => void {
  if (settings.churnMs === 0) return () => undefined;
  const next = random(42);
  const live = new Map<string, ProjectedPod>(pool.slice(0, 3).map((pod) => [pod.name, pod]));
  const timer = setInterval(() => {
    const ready = [...live.values()].filter((pod) => pod.ready);
    const roll = next();
    if (roll < 0.35 && live.size < pool.length) {
      const pod = pool.find((candidate) => !live.has(candidate.name))!;
      live.set(pod.name, pod);
      events.next({ type: 'ADDED', pod });
      counts['scale up'] = (counts['scale up'] ?? 0) + 1;
    } else if (roll < 0.7 && ready.length > 2) {
      const pod = ready[Math.floor(next() * ready.length)]!;
      live.delete(pod.name);
      events.next({ type: 'MODIFIED', pod: { ...pod, deleting: true } });
      setTimeout(() => events.next({ type: 'DELETED', pod: { ...pod, deleting: true } }), settings.churnMs / 2);
      counts['scale down'] = (counts['scale down'] ?? 0) + 1;
    } else if (ready.length > 1 || [...live.values()].some((pod) => !pod.ready)) {
      // Flip one pod's readiness, always keeping one ready pod so every failure counted is the reload's, not a 503.
      const flippable = [...live.values()].filter((pod) => !pod.ready || ready.length > 1);
      const pod = flippable[Math.floor(next() * flippable.length)]!;
      const flipped = { ...pod, ready: !pod.ready };
      live.set(pod.name, flipped);
      events.next({ type: 'MODIFIED', pod: flipped });
      counts['readiness flap'] = (counts['readiness flap'] ?? 0) + 1;
    }
  }, settings.churnMs);
  return () => clearInterval(timer);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  requireNginx();
  const names = Array.from({ length: settings.pods }, (_, i) => `pod-${i + 1}`);
  const backends = await startBackends(names);
  const pool = names.map((name) =>
    aPod(name, { ip: backends.byName(name).ip, hosts: HOST, paths: `${backends.port}:/` }),
  );
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-reloads-'));
  chmodSync(dir, 0o755);
  const logger = testLogger();
  const masters = new Set<number>();
  const nginx = new NginxSupervisor({
    bin: NGINX,
    confPath: join(dir, 'nginx.conf'),
    logger,
    hooks: { health: (h) => h.pid !== null && masters.add(h.pid) },
  });
  const events = new Subject<PodEvent>();
  const outcomes: ApplyOutcome[] = [];
  const template = loadTemplate();
  const finished = new Promise<void>((resolve, reject) =>
    configsFrom(events, {
      windowMs: settings.windowMs,
      reduce: DEFAULT_REDUCE_OPTIONS,
      render: { port, ownership: 'host' },
      template,
      scheduler: asyncScheduler,
    })
      .pipe(applyToNginx(nginx, { logger }))
      .subscribe({ next: (outcome) => outcomes.push(outcome), error: reject, complete: resolve }),
  );
  events.next({ type: 'SYNC', pods: pool.slice(0, 3) });
  while (!outcomes.some((outcome) => outcome.type === 'applied'))
    await new Promise((resolve) => setTimeout(resolve, 20));

  const tally: Tally = { requests: 0, ok: 0, retries: 0, failures: new Map(), latenciesMs: [] };
  const churnCounts: Record<string, number> = {};
  const started = Date.now();
  const deadline = started + settings.seconds * 1000;
  const stopChurn = churn(events, pool, churnCounts);
  await Promise.all(Array.from({ length: settings.clients }, () => client(port, deadline, tally)));
  stopChurn();
  const elapsedSeconds = (Date.now() - started) / 1000;

  events.complete();
  await finished;
  const left = processesInGroups(masters);
  await backends.close();
  rmSync(dir, { recursive: true, force: true });

  const sorted = [...tally.latenciesMs].sort((a, b) => a - b);
  const applied = outcomes.filter((outcome) => outcome.type === 'applied');
  const result = {
    command: `npx tsx bench/reloads-under-load.ts ${process.argv.slice(2).join(' ')}`.trim(),
    nginx: NGINX,
    settings,
    elapsedSeconds: Number(elapsedSeconds.toFixed(2)),
    requests: tally.requests,
    ok: tally.ok,
    failures: Object.fromEntries([...tally.failures.entries()].sort()),
    failureCount: tally.requests - tally.ok,
    retriedOnReusedConnection: tally.retries,
    requestsPerSecond: Math.round(tally.requests / elapsedSeconds),
    churn: churnCounts,
    reloads: nginx.health().reloads,
    appliesFailed: outcomes.filter((outcome) => outcome.type === 'failed').length,
    unconfirmed: applied.filter((outcome) => outcome.type === 'applied' && !outcome.confirmed).length,
    applyMs: {
      p50: round(
        percentile(
          applied.map((o) => (o.type === 'applied' ? o.durationMs : 0)).sort((a, b) => a - b),
          50,
        ),
      ),
      max: round(Math.max(0, ...applied.map((o) => (o.type === 'applied' ? o.durationMs : 0)))),
    },
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
    },
    nginxProcessesLeft: left.length,
  };
  const out = join('bench', 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `reloads-under-load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `requests=${result.requests} ok=${result.ok} failures=${result.failureCount} ${JSON.stringify(result.failures)} retried=${tally.retries}\n` +
      `reloads=${result.reloads} applies_failed=${result.appliesFailed} churn=${JSON.stringify(churnCounts)}\n` +
      `latency_ms p50=${result.latencyMs.p50} p90=${result.latencyMs.p90} p99=${result.latencyMs.p99} max=${result.latencyMs.max} ` +
      `rps=${result.requestsPerSecond} apply_ms p50=${result.applyMs.p50} max=${result.applyMs.max}\n` +
      `nginx_processes_left=${left.length}\nwrote ${file}\n`,
  );
  if (left.length > 0) process.exitCode = 1;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `reloads-under-load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
